/**
 * `hft kill <runId>`: the kill switch. Signals the live process (it cancels every open order, records
 * the stop and exits) and cancels every open order on the venue itself, repeating until the venue
 * reports zero open orders (or 3x the deadline passes); then waits for the live process to exit and
 * looks once more (an order sent just before the halt can be accepted after the first zero).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import ccxt from 'ccxt';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt, type BinanceProduct } from '../../adapters/binance/binanceCcxt.ts';
import { createBybitCcxt } from '../../adapters/bybit/bybitCcxt.ts';
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

/**
 * Bybit v5: GET /v5/order/realtime (open orders of the category and symbol, every page), POST
 * /v5/order/cancel-all (answers the canceled orders' ids).
 */
function bybitKillApi(venue: string, restUrl: string, keys: { apiKey: string; secret: string }): KillApi {
  const category = venue === 'bybit-spot' ? 'spot' : 'linear';
  const client = createBybitCcxt({ apiKey: keys.apiKey, secret: keys.secret, restUrl, timeoutMs: 500, category });
  const raw = client as unknown as {
    privateGetV5OrderRealtime(p: Record<string, string | number>): Promise<{ result: { list: unknown[]; nextPageCursor?: string } }>;
    privatePostV5OrderCancelAll(p: Record<string, string>): Promise<{ result: { list?: unknown[] } }>;
  };
  return {
    privateGetOpenOrders: async ({ symbol }) => {
      const all: unknown[] = [];
      let cursor: string | undefined;
      do {
        const r = await raw.privateGetV5OrderRealtime({ category, symbol, limit: 50, ...(cursor ? { cursor } : {}) });
        all.push(...r.result.list);
        cursor = r.result.nextPageCursor || undefined;
      } while (cursor);
      return all;
    },
    privateDeleteOpenOrders: async ({ symbol }) => (await raw.privatePostV5OrderCancelAll({ category, symbol })).result.list ?? [],
  };
}

export interface KillOutcome {
  readonly signaled: boolean;
  readonly openOrdersBefore: number;
  /** Open orders on the venue at kill's last look: after the live process exited (or the wait ran out). */
  readonly openOrders: number;
  /** From the signal to the last look. */
  readonly elapsedMs: number;
  /** From the signal to the first look that found zero open orders (undefined: none did). */
  readonly firstZeroMs: number | undefined;
  /** From the signal to the live process's exit; undefined when it was not running, null when it outlived the wait. */
  readonly exitedAfterMs: number | null | undefined;
  readonly pid: number;
  readonly canceledByKill: number;
}

export interface KillOptions {
  /** Cancel-and-check rounds stop after 3x this (ms) without reaching zero. */
  readonly deadlineMs?: number;
  /** How long to wait for the live process to exit before the last look (ms). */
  readonly exitWaitMs?: number;
  /** Called once the venue first reports zero open orders, before the wait for the process. */
  readonly onFirstZero?: (o: { openOrdersBefore: number; firstZeroMs: number; pid: number }) => void;
}

export const DEFAULT_EXIT_WAIT_MS = 10_000;

export async function killRun(runId: string, io: CliIO, o: KillOptions = {}): Promise<KillOutcome> {
  const file = resolve(io.cwd, '.hft/live', `${runId}.json`);
  if (!existsSync(file)) throw new HftError('HFT_ERR_NOT_FOUND', `no live run '${runId}' on this machine (${file} missing)`);
  const info = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; venue?: string; restUrl: string; sandbox: boolean; symbols: string[] };
  // Files written before futures order entry have no venue: those runs were spot.
  const venue = info.venue ?? 'binance-spot';
  const { keys, names } = liveKeysOf(venue, io.env);
  if (!keys) throw new HftError('HFT_ERR_CONFIG', `kill needs the account's keys to verify: set ${names.join(', ')}`);
  // Client built before the clock starts (process setup); implicit endpoints need no market load.
  const api = venue === 'okx' ? okxKillApi(info.restUrl, { apiKey: keys.apiKey, secret: keys.secret, passphrase: keys.passphrase! })
    : venue === 'bybit-spot' || venue === 'bybit-linear' ? bybitKillApi(venue, info.restUrl, keys) : binanceKillApi(info, keys);
  return killWith(api, info, o);
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

/** True while a process with this pid exists (EPERM: it exists, owned by someone else). */
function isRunning(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Polls until the process is gone; ms waited, or null when it still runs after `timeoutMs`. */
async function waitForExit(pid: number, timeoutMs: number, t0: number): Promise<number | null> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (!isRunning(pid)) return performance.now() - t0;
    if (performance.now() > until) return null;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function killWith(api: KillApi, info: { pid: number; symbols: string[] }, o: KillOptions): Promise<KillOutcome> {
  const deadlineMs = o.deadlineMs ?? 1000;
  const countOpen = async (): Promise<number> => {
    let n = 0;
    for (const symbol of info.symbols) n += (await api.privateGetOpenOrders({ symbol })).length;
    return n;
  };
  // The inventory before the clock starts also warms the connection (the first signed request pays
  // ccxt's and the TLS/HTTP setup, ~0.3 s here).
  const openBefore = await countOpen();
  const t0 = performance.now();
  let signaled = false;
  try { process.kill(info.pid, 'SIGTERM'); signaled = true; } catch { /* already gone: verify on the venue anyway */ }
  let canceled = 0;
  /** Cancel-all, then count, until the venue reports zero open orders or 3x the deadline passes. */
  const cancelUntilZero = async (): Promise<number> => {
    const since = performance.now();
    let open = Number.POSITIVE_INFINITY;
    for (let round = 0; ; round++) {
      // Cancel-all from here too, at once and after every non-empty check: the live process does the
      // same on SIGTERM, and a second cancel-all of nothing is a harmless -2011.
      for (const symbol of info.symbols) {
        try { canceled += (await api.privateDeleteOpenOrders({ symbol })).length; } catch (e) { if (!(e instanceof ccxt.OrderNotFound)) throw e; }
      }
      open = await countOpen();
      if (open === 0 || performance.now() - since > deadlineMs * 3) return open;
      await new Promise((r) => setTimeout(r, 10 * Math.min(round + 1, 10)));
    }
  };
  let open = await cancelUntilZero();
  const firstZeroMs = open === 0 ? performance.now() - t0 : undefined;
  if (firstZeroMs !== undefined) o.onFirstZero?.({ openOrdersBefore: openBefore, firstZeroMs, pid: info.pid });
  // Zero open orders is not the end while the live process runs: an order it sent just before the
  // halt can be accepted by the venue after the look above (issue #8, seen on OKX). The process
  // cancels such an order on its way out; the look after its exit makes sure, and cancels what is left.
  const exitedAfterMs = signaled ? await waitForExit(info.pid, o.exitWaitMs ?? DEFAULT_EXIT_WAIT_MS, t0) : undefined;
  if (signaled) {
    open = await countOpen();
    if (open > 0) open = await cancelUntilZero();
  }
  return { signaled, openOrdersBefore: openBefore, openOrders: open, elapsedMs: performance.now() - t0, firstZeroMs, exitedAfterMs, pid: info.pid, canceledByKill: canceled };
}

/** The report's lines: the venue's count, the live process's fate, and what to do when it did not exit. */
export function killReport(runId: string, r: KillOutcome, exitWaitMs: number): string[] {
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  const proc = !r.signaled ? 'process not running'
    : r.exitedAfterMs === null ? `process ${r.pid} signaled, STILL RUNNING ${ms(exitWaitMs)} after SIGTERM`
      : `process ${r.pid} signaled, exited after ${ms(r.exitedAfterMs!)}`;
  const lines = [`kill ${runId}: ${proc}; open orders on the venue: ${r.openOrdersBefore} -> ${r.openOrders} after ${ms(r.elapsedMs)}`
    + `${r.firstZeroMs !== undefined && r.signaled ? ` (first zero after ${ms(r.firstZeroMs)})` : ''}${r.canceledByKill ? ` (${r.canceledByKill} canceled by kill)` : ''}`];
  if (r.exitedAfterMs === null) lines.push(`the live process ${r.pid} may still send orders: stop it (kill -9 ${r.pid}; its recording then ends at its last roll) and run hft kill ${runId} again`);
  return lines;
}

export const killCommand: Command = {
  name: 'kill',
  summary: 'kill switch: halt a live run and cancel every open order',
  help: [
    'usage: hft kill <runId> [--wait S]',
    '',
    'Sends SIGTERM to the live process (it cancels all open orders, records the stop, exits), then polls',
    `the venue with the account keys (Binance ${LIVE_KEY_ENV} / ${LIVE_SECRET_ENV}; OKX HFT_OKX_API_KEY /`,
    'HFT_OKX_API_SECRET / HFT_OKX_API_PASSPHRASE; Bybit HFT_BYBIT_API_KEY / HFT_BYBIT_API_SECRET) and cancels',
    'anything still open until it reports zero.',
    'Then waits for the live process to exit (an order it sent just before the halt may reach the venue',
    'after that look), looks at the venue once more and cancels anything left.',
    'Prints the final open-order count and the times; exit 1 if orders remain or the process did not exit.',
    '',
    'options:',
    `  --wait S   how long to wait for the live process to exit (default ${DEFAULT_EXIT_WAIT_MS / 1000})`,
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { wait: { type: 'string' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one run id');
    if (values.wait !== undefined && !/^\d+(\.\d+)?$/.test(values.wait)) throw new HftError('HFT_ERR_USAGE', `--wait: expected seconds >= 0, got '${values.wait}'`);
    const waitS = values.wait === undefined ? DEFAULT_EXIT_WAIT_MS / 1000 : Number(values.wait);
    const runId = positionals[0]!;
    const exitWaitMs = waitS * 1000;
    const r = await killRun(runId, io, {
      exitWaitMs,
      onFirstZero: ({ openOrdersBefore, firstZeroMs, pid }) => io.err(`kill ${runId}: open orders ${openOrdersBefore} -> 0 after ${firstZeroMs.toFixed(0)} ms; waiting for the live process ${pid} to exit`),
    });
    for (const line of killReport(runId, r, exitWaitMs)) io.out(line);
    return r.openOrders === 0 && r.exitedAfterMs !== null ? 0 : 1;
  },
};
