/**
 * `hft paper <scenario>`: the scenario's strategies on live Binance spot feeds against the simulated
 * venue, on the wall clock, everything recorded (run events in the store, market inputs in a tick
 * store of the session). Also home of `runSession`, which `hft live` shares: only the venue differs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BinanceSpotMarketData } from '../../adapters/binance/BinanceSpotMarketData.ts';
import { createBinanceSpotCcxt } from '../../adapters/binance/binanceCcxt.ts';
import { BinanceSpotExecution } from '../../adapters/binance/BinanceSpotExecution.ts';
import { HftError } from '../../core/errors.ts';
import { createLiveRun, type LiveRun } from '../../engine/live/createLiveRun.ts';
import { LiveSession } from '../../engine/live/LiveSession.ts';
import { TickRecorder } from '../../engine/live/TickRecorder.ts';
import { wallClockUs } from '../../engine/live/wallClock.ts';
import type { Scenario } from '../../engine/scenario.ts';
import { captureInstruments } from '../../feeds/binance/captureInstruments.ts';
import { openTickStore } from '../../feeds/tickstore/TickStore.ts';
import { instrument as makeInstrument, type InstrumentSpec } from '../../model/instrument.ts';
import { codeVersion } from '../codeVersion.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { loadScenario } from './backtest.ts';

export const BINANCE_SPOT_REST = 'https://api.binance.com';
export const BINANCE_SPOT_WS = 'wss://stream.binance.com:9443';
export const SESSIONS_DIR = '.hft/sessions';

export interface SessionOptions {
  readonly mode: 'paper' | 'live';
  readonly scenarioPath: string;
  readonly storeUri: string;
  readonly restUrl: string;
  readonly wsUrl: string;
  /** Resolves when the session should stop (signal, duration, kill). */
  readonly stopWhen: Promise<string>;
  /** Live only; never printed or stored. */
  readonly credentials?: { readonly apiKey: string; readonly secret: string };
  readonly sandbox?: boolean;
  readonly staleAfterMs?: number;
  /** Called once the session runs (run id known). */
  readonly onStarted?: (info: { runId: string; strategyHash: string }) => void;
  /** Tick-to-order probe (bench): WS message in / order request out. */
  readonly probe?: { onMessage?: () => void; onOrderOut?: (clientOrderId: string, throttled: boolean) => void };
}

export interface SessionResult {
  readonly runId: string;
  readonly strategyHash: string;
  readonly summary: Record<string, unknown>;
  readonly runEvents: number;
  readonly marketRows: number;
  readonly feed: BinanceSpotMarketData['stats'];
  readonly venueStats?: BinanceSpotExecution['stats'];
}

/** binance-spot instrument specs of the scenario's strategies (the feed grain of the capture table). */
export function sessionInstruments(sc: Scenario, where: string): InstrumentSpec[] {
  const ids = [...new Set(sc.strategies.flatMap((s) => s.instruments))];
  return ids.map((id) => {
    const spec = captureInstruments.find((s) => s.id === id);
    if (!spec || spec.venue !== 'binance-spot') throw new HftError('HFT_ERR_CONFIG', `${where}: instrument '${id}': live and paper sessions support binance-spot instruments (${captureInstruments.filter((s) => s.venue === 'binance-spot').map((s) => s.id).join(', ')})`);
    return spec;
  });
}

export async function runSession(o: SessionOptions, io: CliIO): Promise<SessionResult> {
  const { scenario, path } = loadScenario(o.scenarioPath, io.cwd);
  const scenarioPath = relative(io.cwd, path) || path;
  const specs = sessionInstruments(scenario, scenarioPath);
  const store = await openStore(o.storeUri, { cwd: io.cwd });
  const clock = wallClockUs();
  const startUs = clock();
  let session: LiveSession | undefined;
  let venue: BinanceSpotExecution | undefined;
  const poke = (): void => queueMicrotask(() => session?.poke());
  if (o.mode === 'live') {
    if (!o.credentials) throw new HftError('HFT_ERR_CONFIG', 'live: API keys missing');
    const client = createBinanceSpotCcxt({ apiKey: o.credentials.apiKey, secret: o.credentials.secret, ...(o.sandbox ? { sandbox: true } : { restUrl: o.restUrl }) });
    venue = new BinanceSpotExecution({
      client, restUrl: o.restUrl, wsUrl: o.wsUrl, apiKey: o.credentials.apiKey, instruments: specs.map((s) => makeInstrument(s)), clockUs: clock,
      onReport: poke, onLatency: (row) => session?.record('order.request-acked', { ...row }), log: io.err,
      ...(o.probe?.onOrderOut ? { onOrderOut: o.probe.onOrderOut } : {}),
    });
  }
  let run: LiveRun;
  try {
    run = createLiveRun({
      mode: o.mode, scenario, scenarioPath, instruments: specs, store, codeVersion: codeVersion(), startUs,
      ...(venue ? { venue } : {}), session: { restUrl: o.restUrl, wsUrl: o.wsUrl, sandbox: o.sandbox ?? false },
    });
  } catch (e) { await store.close(); throw e; }
  const tickRoot = resolve(io.cwd, SESSIONS_DIR, run.runId, 'ticks');
  const recorder = new TickRecorder(openTickStore(tickRoot), specs);
  let failure: unknown;
  session = new LiveSession({
    kernel: run.kernel, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: true,
    recorder, tickStoreRoot: relative(io.cwd, tickRoot) || tickRoot, summarize: run.summarize,
    onError: (e) => { failure ??= e; },
  });
  await session.start();
  const liveFile = resolve(io.cwd, '.hft/live', `${run.runId}.json`);
  if (venue) {
    await venue.start();
    const venueOpen = await venue.fetchOpenClientIds();
    const balances = await venue.fetchBalances();
    // A new run's log has no open order: anything open on the venue is not ours to assume.
    session.record('reconciliation.completed', { venueOpenOrders: venueOpen, unknownOrders: venueOpen, missingOrders: [], balances, canceledUnknown: 0 });
    mkdirSync(resolve(io.cwd, '.hft/live'), { recursive: true });
    writeFileSync(liveFile, JSON.stringify({ pid: process.pid, runId: run.runId, restUrl: o.restUrl, sandbox: o.sandbox ?? false, symbols: specs.map((s) => s.symbol) }));
  }
  o.onStarted?.({ runId: run.runId, strategyHash: run.strategyHash });
  const md = new BinanceSpotMarketData({
    restUrl: o.restUrl, wsUrl: o.wsUrl, instruments: specs, clockUs: clock, log: io.err,
    staleAfterMs: o.staleAfterMs ?? 5000,
    onEvents: (events) => { o.probe?.onMessage?.(); session!.onMarket(events); },
  });
  md.start();
  const failed = new Promise<string>((r) => { const t = setInterval(() => { if (failure !== undefined) { clearInterval(t); r('error'); } }, 20); void o.stopWhen.finally(() => clearInterval(t)); });
  const reason = await Promise.race([o.stopWhen, failed]);
  md.stop();
  let result;
  try {
    if (venue) {
      const v = venue;
      result = await session.stop({ reason, cancelOpen: async () => { await v.cancelAll(); }, drainMs: 1000 });
      v.stop();
      rmSync(liveFile, { force: true });
    } else {
      const sim = run.simVenue!;
      result = await session.stop({ reason, finish: true, beforeFinish: () => sim.release(), cancelOpen: (ids, now) => { for (const id of ids) sim.inner.cancel(id, now); } });
    }
  } finally {
    await store.close();
  }
  if (failure !== undefined) throw failure;
  return {
    runId: run.runId, strategyHash: run.strategyHash, summary: result.summary, runEvents: session.runEvents,
    marketRows: session.kernel.counters.marketRows, feed: md.stats, ...(venue ? { venueStats: venue.stats } : {}),
  };
}

/** Resolves on Ctrl-C / SIGTERM or after `durationS`. */
export function stopSignal(durationS: number | undefined): Promise<string> {
  return new Promise((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    if (durationS !== undefined) setTimeout(() => resolveStop(`duration ${durationS}s`), durationS * 1000).unref();
  });
}

export function printSession(io: CliIO, r: SessionResult, storeUri: string): void {
  const s = r.summary;
  io.out(`run ${r.runId}  (${storeUri}, stream run-${r.runId})`);
  io.out(`  market rows        ${r.marketRows}  (messages ${r.feed.messages}, snapshots ${r.feed.snapshots}, gaps ${JSON.stringify(r.feed.gaps)})`);
  io.out(`  decisions          ${String(s.decisions)}`);
  io.out(`  orders             ${String(s.ordersRequested)} requested, ${String(s.ordersDenied)} denied, ${String(s.cancels)} canceled, ${String(s.rejects)} rejected`);
  io.out(`  fills              ${String(s.fills)}`);
  io.out(`  open at end        ${String(s.openOrdersAtEnd)}`);
  io.out(`  stopped by         ${String(s.stopReason)}`);
}

export const paperCommand: Command = {
  name: 'paper',
  summary: 'run a scenario on live feeds against the simulated venue (wall clock), recording everything',
  help: [
    'usage: hft paper <scenario.json> [--rest <url>] [--ws <url>] [--duration S] [--store <uri>] [--json]',
    '',
    'Live Binance spot market data (combined streams, diff depth synced with the REST snapshot, gaps and',
    'stale feeds resynced in-band), the scenario\'s strategies, risk and simulated venue, on the wall clock.',
    `Run events go to the store (stream run-<runId>); the market inputs to ${SESSIONS_DIR}/<runId>/ticks.`,
    'Ctrl-C / SIGTERM stops cleanly: open orders canceled, inputs sealed, run.completed. Then:',
    '  hft parity <runId>   and   hft promote <runId>',
    '',
    'options:',
    `  --rest <url>     REST base (default ${BINANCE_SPOT_REST}; the emulator: http://127.0.0.1:PORT)`,
    `  --ws <url>       WebSocket base (default ${BINANCE_SPOT_WS}; the emulator: ws://127.0.0.1:PORT)`,
    '  --duration S     stop after S seconds',
    `  --store <uri>    event store (default ${DEFAULT_STORE_URI})`,
    '  --json           print the result as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { rest: { type: 'string' }, ws: { type: 'string' }, duration: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one scenario file');
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    if (duration !== undefined && !(duration > 0)) throw new HftError('HFT_ERR_USAGE', `--duration must be a positive number of seconds, got '${values.duration}'`);
    const storeUri = values.store ?? DEFAULT_STORE_URI;
    const r = await runSession({
      mode: 'paper', scenarioPath: positionals[0]!, storeUri, restUrl: values.rest ?? BINANCE_SPOT_REST, wsUrl: values.ws ?? BINANCE_SPOT_WS,
      stopWhen: stopSignal(duration), onStarted: ({ runId }) => io.err(`paper run ${runId} started; Ctrl-C to stop`),
    }, io);
    if (values.json) io.out(JSON.stringify({ runId: r.runId, strategyHash: r.strategyHash, summary: r.summary, feed: r.feed }, null, 2));
    else { printSession(io, r, storeUri); io.out(`check it: hft parity ${r.runId}${storeUri === DEFAULT_STORE_URI ? '' : ` --store ${storeUri}`}`); }
    return 0;
  },
};

