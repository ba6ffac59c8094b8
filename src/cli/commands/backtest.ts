/** `hft backtest <scenario>`: runs a scenario on the simulated venue and records the run in the store. */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { HftError } from '../../core/errors.ts';
import { isoFromUs } from '../../core/time.ts';
import { createBacktest, type BacktestInputs } from '../../engine/createBacktest.ts';
import { runBacktest, type BacktestResult, type Progress } from '../../engine/runBacktest.ts';
import { parseScenario, type Scenario } from '../../engine/scenario.ts';
import type { DatasetRef } from '../../model/events.ts';
import type { StrategyFactory } from '../../strategy/Strategy.ts';
import { codeVersion } from '../codeVersion.ts';
import { intFlag, parseFlags, type CliIO, type Command } from '../command.ts';
import { openMarketStream, prepareData } from '../prepareData.ts';
import { readLatencyRows } from '../latencyRows.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { FileEventStore } from '../../eventstore/file/FileEventStore.ts';
import { writeReport } from '../report/writeReport.ts';

export const DEFAULT_TICKS_DIR = '.hft/ticks';

export function loadScenario(path: string, cwd: string, seed?: number): { scenario: Scenario; path: string } {
  const abs = resolve(cwd, path);
  let text: string;
  try { text = readFileSync(abs, 'utf8'); } catch (e) {
    throw new HftError('HFT_ERR_NOT_FOUND', `scenario file ${abs}: ${(e as Error).message}`);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) {
    throw new HftError('HFT_ERR_CONFIG', `scenario file ${abs}: not valid JSON (${(e as Error).message})`);
  }
  if (seed !== undefined && json && typeof json === 'object') (json as Record<string, unknown>).seed = seed;
  return { scenario: parseScenario(json, relative(cwd, abs) || abs), path: abs };
}

export interface BacktestCliOptions {
  readonly scenarioPath: string;
  readonly storeUri: string;
  readonly ticksDir: string;
  readonly seed?: number;
  readonly fsync?: 'always' | 'never';
  /** User strategy modules (`--strategy`), each exporting a StrategyFactory. */
  readonly strategyModules?: readonly string[];
}

const isFactory = (v: unknown): v is StrategyFactory => !!v && typeof v === 'object' && typeof (v as StrategyFactory).type === 'string' && typeof (v as StrategyFactory).create === 'function';

/**
 * Loads user strategy modules: each must export a StrategyFactory (default export or a named one);
 * the factory's `type` is what a scenario's strategies[].type names. Paths resolve against cwd.
 */
export async function loadStrategyModules(paths: readonly string[], cwd: string): Promise<StrategyFactory[]> {
  const out: StrategyFactory[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let mod: Record<string, unknown>;
    try { mod = await import(pathToFileURL(abs).href) as Record<string, unknown>; } catch (e) {
      throw new HftError('HFT_ERR_NOT_FOUND', `--strategy ${abs}: cannot load the module (${(e as Error).message})`, {}, { cause: e });
    }
    const found = Object.values(mod).filter(isFactory);
    const unique = [...new Set(found)];
    if (unique.length === 0) throw new HftError('HFT_ERR_CONFIG', `--strategy ${abs}: exports no StrategyFactory (an object with 'type', 'summary' and 'create'); exports: ${Object.keys(mod).join(', ') || 'none'}`);
    out.push(...unique);
  }
  return out;
}

/** Everything `hft backtest` does short of printing: also used by replay, tests and benchmarks. */
export async function backtestFromFile(opts: BacktestCliOptions, io: CliIO, onProgress?: (p: Progress) => void): Promise<BacktestResult & { runId: string; storeUri: string; headHash?: string }> {
  const { scenario, path } = loadScenario(opts.scenarioPath, io.cwd, opts.seed);
  const extraFactories = opts.strategyModules && opts.strategyModules.length > 0 ? await loadStrategyModules(opts.strategyModules, io.cwd) : undefined;
  const data = await prepareData(scenario, dirname(path), io.cwd, opts.ticksDir, io.err);
  const stream = openMarketStream(scenario, data);
  const datasets: DatasetRef[] = stream.files.map((f) => ({ path: f.path, sha256: f.sha256, rowFrom: 0, rowTo: f.rows }));
  const store = await openStore(opts.storeUri, { cwd: io.cwd, ...(opts.fsync ? { fsync: opts.fsync } : {}) });
  try {
    // A recorded latency table is an input of the run like the tick files: its hash goes in run.started.
    const lat = scenario.venue.latency;
    const latency = lat.model === 'recorded' ? readLatencyRows(lat.file, dirname(path), io.cwd) : undefined;
    if (latency && lat.model === 'recorded') datasets.push({ path: `latency:${lat.file}`, sha256: latency.sha256, rowFrom: 0, rowTo: latency.rows.length });
    const base: BacktestInputs = {
      scenario, scenarioPath: relative(io.cwd, path) || path, instruments: stream.instruments, source: stream, datasets, store,
      ...(latency ? { latencyRows: latency.rows } : {}),
      codeVersion: codeVersion(), wallMs: () => performance.now(), ...(onProgress ? { onProgress } : {}), ...(extraFactories ? { extraFactories } : {}),
    };
    let run = createBacktest(base);
    // The same definition already run in this store: the repeat gets its own id (`x<n>` suffix).
    for (let attempt = 1; (await store.streamRevision(run.streamId)) >= 0; attempt++) run = createBacktest({ ...base, attempt });
    const result = await runBacktest(run);
    // A file store's hash-chain head after the run's last event (every append has resolved): the
    // value `hft verify` recomputes from the segments, kept while writing.
    const headHash = store instanceof FileEventStore ? store.headHash() : undefined;
    return { ...result, runId: run.runId, storeUri: opts.storeUri, ...(headHash !== undefined ? { headHash } : {}) };
  } finally {
    await store.close();
  }
}

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'run a scenario on the simulated venue, record every event, print a summary',
  help: [
    'usage: hft backtest <scenario.json> [--store <uri>] [--seed N] [--ticks <dir>] [--strategy <module.ts>]... [--json] [--no-fsync]',
    '',
    'Runs the scenario (data, venue model, strategies, risk, seed: see README "Scenarios") through the',
    'deterministic kernel and appends every run event (decisions, orders, denials, fills, positions) to',
    'the store under stream run-<runId>. Capture sources are imported into the tick store once.',
    'The same scenario, data and seed give the same run id and a byte-identical event log.',
    '',
    'options:',
    `  --store <uri>   event store (default ${DEFAULT_STORE_URI}); memory: | file:<dir>`,
    '  --seed N        override the scenario seed',
    `  --ticks <dir>   tick store cache for imported captures (default ${DEFAULT_TICKS_DIR})`,
    '  --strategy <m>  load a user strategy module exporting a StrategyFactory (repeatable; README "Strategies")',
    '  --json          print the summary as JSON',
    '  --no-fsync      do not fsync each append (faster, not crash-safe)',
    '  --report        also write the run report to run-<runId>.html (see hft report)',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      store: { type: 'string' }, seed: { type: 'string' }, ticks: { type: 'string' }, json: { type: 'boolean' }, 'no-fsync': { type: 'boolean' }, report: { type: 'boolean' },
      strategy: { type: 'string', multiple: true },
    });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', `expected one scenario file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    const seed = values.seed === undefined ? undefined : intFlag('seed', values.seed, 0);
    // The report re-reads the run from the store: an in-process memory: store is gone once the run ends.
    if (values.report && (values.store ?? DEFAULT_STORE_URI).startsWith('memory:')) throw new HftError('HFT_ERR_USAGE', '--report needs a persistent store (--store file:<dir> or postgres://...), not memory:');
    const progress = io.isTTY && !values.json ? makeProgressBar() : undefined;
    const r = await backtestFromFile({
      scenarioPath: positionals[0]!, storeUri: values.store ?? DEFAULT_STORE_URI, ticksDir: values.ticks ?? DEFAULT_TICKS_DIR,
      ...(seed !== undefined ? { seed } : {}), ...(values['no-fsync'] ? { fsync: 'never' as const } : {}),
      ...(values.strategy ? { strategyModules: values.strategy } : {}),
    }, io, progress);
    if (progress) process.stderr.write('\n');
    if (values.report) {
      const w = await writeReport({ runIds: [r.runId], storeUri: r.storeUri, ticksDir: values.ticks ?? DEFAULT_TICKS_DIR }, io);
      io.err(`report: ${w.path} (${(w.bytes / 1e6).toFixed(2)} MB)`);
    }
    const eventsPerSec = r.wallMs > 0 ? Math.round(r.counters.marketRows / (r.wallMs / 1000)) : 0;
    if (values.json) {
      io.out(JSON.stringify({ runId: r.runId, store: r.storeUri, runEvents: r.runEvents, wallMs: Math.round(r.wallMs), marketEventsPerSec: eventsPerSec, summary: r.summary }, null, 2));
      return 0;
    }
    printSummary(io, r, eventsPerSec);
    return 0;
  },
};

function makeProgressBar(): (p: Progress) => void {
  return (p) => {
    const rate = p.wallMs > 0 ? Math.round(p.marketRows / (p.wallMs / 1000)) : 0;
    process.stderr.write(`\r  ${p.marketRows.toLocaleString('en-US')} market events  sim ${p.simTimeUs > 0 ? isoFromUs(p.simTimeUs).slice(11, 23) : '--'}  ${rate.toLocaleString('en-US')} ev/s  ${p.runEvents.toLocaleString('en-US')} run events   `);
  };
}

function printSummary(io: CliIO, r: BacktestResult & { runId: string; storeUri: string }, eventsPerSec: number): void {
  const s = r.summary as Record<string, unknown> & { equity: string; equity_?: unknown };
  const eq = (r.summary as { equity: string }).equity;
  const snapshots = ((r.summary as { byStrategy?: unknown; equity?: unknown }) as { byStrategy: Record<string, { currency: string; realizedPnl: string; unrealizedPnl: string; fees: string; funding: string; netPnl: string }[]> }).byStrategy;
  const line = (k: string, v: unknown): void => io.out(`  ${k.padEnd(18)} ${String(v)}`);
  io.out(`run ${r.runId}  (store ${r.storeUri}, stream run-${r.runId})`);
  line('market events', r.counters.marketRows.toLocaleString('en-US'));
  line('run events', r.runEvents.toLocaleString('en-US'));
  line('decisions', r.counters.decisions);
  line('orders', `${r.counters.ordersRequested} requested, ${r.counters.ordersDenied} denied, ${r.counters.cancels} canceled, ${r.counters.rejects} rejected`);
  line('fills', `${r.counters.fills} (fill ratio ${s.fillRatio as number})`);
  for (const [strategy, rows] of Object.entries(snapshots ?? {})) {
    for (const p of rows) {
      line(`P&L ${strategy}`, `net ${fmt(p.netPnl)} ${p.currency} = realized ${fmt(p.realizedPnl)} + unrealized ${fmt(p.unrealizedPnl)} − fees ${fmt(p.fees)} + funding ${fmt(p.funding)}`);
    }
  }
  line('equity', `${fmt(eq)} ${s.reportingCurrency as string}`);
  line('max drawdown', `${fmt(String(s.maxDrawdown))} ${s.reportingCurrency as string}`);
  line('position (lots)', JSON.stringify(s.positionsLots));
  line('speed', `${eventsPerSec.toLocaleString('en-US')} market events/s (${(r.wallMs / 1000).toFixed(2)} s)`);
  io.out(`replay it: hft replay ${r.runId}${r.storeUri === DEFAULT_STORE_URI ? '' : ` --store ${r.storeUri}`}`);
}

const fmt = (x: string): string => {
  const n = Number(x);
  return Number.isFinite(n) ? n.toFixed(Math.abs(n) >= 100 ? 2 : 6) : x;
};
