/**
 * `hft kill <runId>`: the kill switch. Signals the live process (it cancels every open order, records
 * the stop and exits) and cancels every open order on the venue itself, repeating until the venue
 * reports zero open orders (or 3x the deadline passes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import ccxt from 'ccxt';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt, type BinanceProduct } from '../../adapters/binance/binanceCcxt.ts';
import { createOkxCcxt } from '../../adapters/okx/okxCcxt.ts';
import { HftError } from '../../core/errors.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { LIVE_KEY_ENV, LIVE_SECRET_ENV, liveKeysOf } from './live.ts';

/** The two calls the kill switch needs from a venue, per symbol: its open orders, and cancel them all. */
interface KillApi {
  privateGetOpenOrders(p: { symbol: string }): Promise<unknown[]>;
  privateDeleteOpenOrders(p: { symbol: string }): Promise<unknown[]>;
}

/**
 * OKX: GET /api/v5/trade/orders-pending, then POST /api/v5/trade/cancel-batch-orders by clOrdId
 * (20 per request). Answers "all failed" (code 1, e.g. 51400 already closed) only when every one of
 * them closed meanwhile: ccxt throws OrderNotFound, counted by the check that follows.
 */
function okxKillApi(restUrl: string, keys: { apiKey: string; secret: string; passphrase: string }): KillApi {
  const client = createOkxCcxt({ apiKey: keys.apiKey, secret: keys.secret, passphrase: keys.passphrase, restUrl, timeoutMs: 500 });
  const raw = client as unknown as {
    privateGetTradeOrdersPending(p: Record<string, string>): Promise<{ data: { clOrdId: string; ordId: string }[] }>;
    privatePostTradeCancelBatchOrders(p: Record<string, string>[]): Promise<{ data: unknown[] }>;
  };
  const pending = async (instId: string) => (await raw.privateGetTradeOrdersPending({ instType: 'SPOT', instId })).data;
  return {
    privateGetOpenOrders: async ({ symbol }) => pending(symbol),
    privateDeleteOpenOrders: async ({ symbol }) => {
      const open = await pending(symbol);
      let done = 0;
      for (let i = 0; i < open.length; i += 20) {
        const batch = open.slice(i, i + 20).map((o): Record<string, string> => (o.clOrdId !== '' ? { instId: symbol, clOrdId: o.clOrdId } : { instId: symbol, ordId: o.ordId }));
        try { done += (await raw.privatePostTradeCancelBatchOrders(batch)).data.length; } catch (e) { if (!(e instanceof ccxt.OrderNotFound)) throw e; }
      }
      return open.slice(0, done);
    },
  };
}

export interface KillOutcome { readonly signaled: boolean; readonly openOrdersBefore: number; readonly openOrders: number; readonly elapsedMs: number; readonly canceledByKill: number }

export async function killRun(runId: string, io: CliIO, deadlineMs = 1000): Promise<KillOutcome> {
  const file = resolve(io.cwd, '.hft/live', `${runId}.json`);
  if (!existsSync(file)) throw new HftError('HFT_ERR_NOT_FOUND', `no live run '${runId}' on this machine (${file} missing)`);
  const info = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; venue?: string; restUrl: string; sandbox: boolean; symbols: string[] };
  // Files written before futures order entry have no venue: those runs were spot.
  const venue = info.venue ?? 'binance-spot';
  const { keys, names } = liveKeysOf(venue, io.env);
  if (!keys) throw new HftError('HFT_ERR_CONFIG', `kill needs the account's keys to verify: set ${names.join(', ')}`);
  // Client built before the clock starts (process setup); implicit endpoints need no market load.
  const api = venue === 'okx' ? okxKillApi(info.restUrl, { apiKey: keys.apiKey, secret: keys.secret, passphrase: keys.passphrase! }) : binanceKillApi(info, keys);
  return killWith(api, info, deadlineMs);
}

function binanceKillApi(info: { venue?: string; restUrl: string; sandbox: boolean }, keys: { apiKey: string; secret: string }): KillApi {
  const product: BinanceProduct = BINANCE_PRODUCT_OF_VENUE[info.venue ?? 'binance-spot'] ?? 'spot';
  const { apiKey, secret } = keys;
  const client = createBinanceCcxt(info.sandbox ? { product, apiKey, secret, sandbox: true, timeoutMs: 500 } : { product, apiKey, secret, restUrl: info.restUrl, timeoutMs: 500 });
  const raw = client as unknown as Record<string, (p: { symbol: string }) => Promise<unknown>>;
  // Implicit endpoints: spot GET/DELETE /api/v3/openOrders; futures GET openOrders and DELETE
  // allOpenOrders (answers {code, msg}, not the orders: counted by the check that follows).
  const [getOpen, deleteAll] = product === 'spot' ? ['privateGetOpenOrders', 'privateDeleteOpenOrders']
    : product === 'usdm' ? ['fapiPrivateGetOpenOrders', 'fapiPrivateDeleteAllOpenOrders'] : ['dapiPrivateGetOpenOrders', 'dapiPrivateDeleteAllOpenOrders'];
  const api = {
    privateGetOpenOrders: async (p: { symbol: string }) => (await raw[getOpen]!.call(client, p)) as unknown[],
    privateDeleteOpenOrders: async (p: { symbol: string }) => { const r = await raw[deleteAll]!.call(client, p); return Array.isArray(r) ? r : []; },
  };
  return api;
}

async function killWith(api: KillApi, info: { pid: number; symbols: string[] }, deadlineMs: number): Promise<KillOutcome> {
  // The inventory before the clock starts also warms the connection (the first signed request pays
  // ccxt's and the TLS/HTTP setup, ~0.3 s here).
  let openBefore = 0;
  for (const symbol of info.symbols) openBefore += (await api.privateGetOpenOrders({ symbol })).length;
  const t0 = performance.now();
  let signaled = false;
  try { process.kill(info.pid, 'SIGTERM'); signaled = true; } catch { /* already gone: verify on the venue anyway */ }
  let canceled = 0;
  let open = Number.POSITIVE_INFINITY;
  for (let round = 0; ; round++) {
    // Cancel-all from here too, at once and after every non-empty check: the live process does the
    // same on SIGTERM, and a second cancel-all of nothing is a harmless -2011.
    for (const symbol of info.symbols) {
      try { canceled += (await api.privateDeleteOpenOrders({ symbol })).length; } catch (e) { if (!(e instanceof ccxt.OrderNotFound)) throw e; }
    }
    open = 0;
    for (const symbol of info.symbols) open += (await api.privateGetOpenOrders({ symbol })).length;
    if (open === 0 || performance.now() - t0 > deadlineMs * 3) break;
    await new Promise((r) => setTimeout(r, 10 * Math.min(round + 1, 10)));
  }
  return { signaled, openOrdersBefore: openBefore, openOrders: open, elapsedMs: performance.now() - t0, canceledByKill: canceled };
}

export const killCommand: Command = {
  name: 'kill',
  summary: 'kill switch: halt a live run and cancel every open order',
  help: [
    'usage: hft kill <runId>',
    '',
    'Sends SIGTERM to the live process (it cancels all open orders, records the stop, exits), then polls',
    `the venue with the account keys (Binance ${LIVE_KEY_ENV} / ${LIVE_SECRET_ENV}; OKX HFT_OKX_API_KEY /`,
    'HFT_OKX_API_SECRET / HFT_OKX_API_PASSPHRASE) and cancels anything still open.',
    'Prints the open-order count and the time it took; exit 1 if orders remain.',
  ].join('\n'),
  async run(argv, io) {
    const { positionals } = parseFlags(argv, {});
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one run id');
    const r = await killRun(positionals[0]!, io);
    io.out(`kill ${positionals[0]}: ${r.signaled ? 'process signaled' : 'process not running'}; open orders on the venue: ${r.openOrdersBefore} -> ${r.openOrders} after ${r.elapsedMs.toFixed(0)} ms${r.canceledByKill ? ` (${r.canceledByKill} canceled by kill)` : ''}`);
    return r.openOrders === 0 ? 0 : 1;
  },
};
