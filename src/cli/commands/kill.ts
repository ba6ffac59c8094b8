/**
 * `hft kill <runId>`: the kill switch. Signals the live process (it cancels every open order, records
 * the stop and exits), then checks the venue itself and cancels whatever is still open, until the venue
 * reports zero open orders or the deadline passes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import ccxt from 'ccxt';
import { createBinanceSpotCcxt } from '../../adapters/binance/binanceCcxt.ts';
import { HftError } from '../../core/errors.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { LIVE_KEY_ENV, LIVE_SECRET_ENV } from './live.ts';

export interface KillOutcome { readonly signaled: boolean; readonly openOrders: number; readonly elapsedMs: number; readonly canceledByKill: number }

export async function killRun(runId: string, io: CliIO, deadlineMs = 1000): Promise<KillOutcome> {
  const file = resolve(io.cwd, '.hft/live', `${runId}.json`);
  if (!existsSync(file)) throw new HftError('HFT_ERR_NOT_FOUND', `no live run '${runId}' on this machine (${file} missing)`);
  const info = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; restUrl: string; sandbox: boolean; symbols: string[] };
  const apiKey = io.env[LIVE_KEY_ENV]; const secret = io.env[LIVE_SECRET_ENV];
  if (!apiKey || !secret) throw new HftError('HFT_ERR_CONFIG', `kill needs the account's keys to verify: set ${LIVE_KEY_ENV} and ${LIVE_SECRET_ENV}`);
  const t0 = performance.now();
  let signaled = false;
  try { process.kill(info.pid, 'SIGTERM'); signaled = true; } catch { /* already gone: verify on the venue anyway */ }
  const client = createBinanceSpotCcxt(info.sandbox ? { apiKey, secret, sandbox: true, timeoutMs: 500 } : { apiKey, secret, restUrl: info.restUrl, timeoutMs: 500 });
  await client.loadMarkets();
  const pairs = info.symbols.map((s) => Object.values(client.markets ?? {}).find((m) => m?.id === s)?.symbol ?? s);
  let canceled = 0;
  let open = Number.POSITIVE_INFINITY;
  for (let round = 0; ; round++) {
    open = 0;
    for (const p of pairs) open += (await client.fetchOpenOrders(p)).length;
    if (open === 0 || performance.now() - t0 > deadlineMs * 3) break;
    // Give the live process its own cancel-all first; after ~half the deadline, cancel directly.
    if (performance.now() - t0 > deadlineMs / 2 || !signaled) {
      for (const p of pairs) {
        try { canceled += (await client.cancelAllOrders(p)).length; } catch (e) { if (!(e instanceof ccxt.OrderNotFound)) throw e; }
      }
    } else await new Promise((r) => setTimeout(r, 20));
    void round;
  }
  return { signaled, openOrders: open, elapsedMs: performance.now() - t0, canceledByKill: canceled };
}

export const killCommand: Command = {
  name: 'kill',
  summary: 'kill switch: halt a live run and cancel every open order',
  help: [
    'usage: hft kill <runId>',
    '',
    'Sends SIGTERM to the live process (it cancels all open orders, records the stop, exits), then polls',
    `the venue with the account keys (${LIVE_KEY_ENV} / ${LIVE_SECRET_ENV}) and cancels anything still open.`,
    'Prints the open-order count and the time it took; exit 1 if orders remain.',
  ].join('\n'),
  async run(argv, io) {
    const { positionals } = parseFlags(argv, {});
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one run id');
    const r = await killRun(positionals[0]!, io);
    io.out(`kill ${positionals[0]}: ${r.signaled ? 'process signaled' : 'process not running'}; open orders on the venue: ${r.openOrders} after ${r.elapsedMs.toFixed(0)} ms${r.canceledByKill ? ` (${r.canceledByKill} canceled by kill)` : ''}`);
    return r.openOrders === 0 ? 0 : 1;
  },
};
