/** `hft replay <runId>`: re-runs a recorded run from its recorded inputs and checks every output event. */
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HftError } from '../../core/errors.ts';
import { createBacktest } from '../../engine/createBacktest.ts';
import { compareRuns, type ParityResult } from '../../engine/parity.ts';
import { runBacktest } from '../../engine/runBacktest.ts';
import { parseScenario } from '../../engine/scenario.ts';
import { MemoryEventStore } from '../../eventstore/memory/MemoryEventStore.ts';
import { collect } from '../../eventstore/port.ts';
import type { EventData, EventEnvelope } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import { codeVersion } from '../codeVersion.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { openMarketStream, prepareData } from '../prepareData.ts';
import { readLatencyRows } from '../latencyRows.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { DEFAULT_TICKS_DIR } from './backtest.ts';

export interface ReplayOptions {
  readonly runId: string;
  readonly storeUri: string;
  readonly ticksDir: string;
  /** Test hook: alters market batches before the kernel sees them (to prove divergence is caught). */
  readonly mutate?: (batch: MarketBatch) => void;
}

export interface ReplayOutcome extends ParityResult { readonly recorded: number; readonly codeVersionMatches: boolean }

/** A recorded backtest ready to run again: its events, its run.started, and the run rebuilt from them on a memory store. */
export interface RecordedBacktest {
  readonly recorded: EventEnvelope[];
  readonly started: EventData<'run.started'>;
  readonly run: ReturnType<typeof createBacktest>;
}

/**
 * Reads run `runId` and rebuilds it from its recorded inputs: the scenario and seed of run.started, the
 * market stream from the same tick files (their sha256 must match: different bytes are a different run)
 * and the recorded latency table, into a fresh memory store. `onlyBacktestFor`: the verb, when it
 * refuses a paper or live session (their inputs replay with hft parity).
 */
export async function loadRecordedBacktest(opts: ReplayOptions, io: CliIO, onlyBacktestFor?: string): Promise<RecordedBacktest> {
  const store = await openStore(opts.storeUri, { cwd: io.cwd, readOnly: true });
  let recorded: EventEnvelope[];
  try { recorded = await collect(store.readStream(`run-${opts.runId}`)); } finally { await store.close(); }
  const first = recorded[0];
  if (!first) throw new HftError('HFT_ERR_NOT_FOUND', `run '${opts.runId}' not found in ${opts.storeUri} (stream run-${opts.runId} is empty)`);
  if (first.type !== 'run.started') throw new HftError('HFT_ERR_BAD_INPUT', `run '${opts.runId}': first event is ${first.type}, not run.started`);
  const started = first.data as EventData<'run.started'>;
  if (onlyBacktestFor !== undefined && started.mode !== 'backtest') {
    throw new HftError('HFT_ERR_USAGE', `run '${opts.runId}' is a ${started.mode} session: ${onlyBacktestFor} replays backtests; a ${started.mode} session's recorded inputs replay with hft parity ${opts.runId}`);
  }
  const cfg = started.config as { scenario: unknown; scenarioPath: string; instruments: InstrumentSpec[] };
  const scenario = parseScenario(cfg.scenario, `${cfg.scenarioPath} (recorded in run ${opts.runId})`);
  const data = await prepareData(scenario, dirname(cfg.scenarioPath), io.cwd, opts.ticksDir, io.err);
  const stream = openMarketStream(scenario, data);
  // The recorded inputs are the dataset files by content hash: different bytes are a different run.
  const have = new Map(stream.files.map((f) => [f.path, f.sha256]));
  const lat = scenario.venue.latency;
  const latency = lat.model === 'recorded' ? readLatencyRows(lat.file, dirname(cfg.scenarioPath), io.cwd) : undefined;
  if (latency) have.set(`latency:${(lat as { file: string }).file}`, latency.sha256);
  for (const d of started.datasets) {
    if (have.get(d.path) !== d.sha256) throw new HftError('HFT_ERR_PARITY', `run '${opts.runId}': dataset ${d.path} has sha256 ${have.get(d.path) ?? '(missing)'}, the run recorded ${d.sha256}`);
  }
  const source: AsyncIterable<MarketBatch> = opts.mutate
    ? (async function* () { for await (const b of stream) { opts.mutate!(b); yield b; } })()
    : stream;
  const run = createBacktest({
    scenario, scenarioPath: cfg.scenarioPath, instruments: cfg.instruments, source, datasets: started.datasets, store: new MemoryEventStore(),
    codeVersion: started.codeVersion, runId: opts.runId, wallMs: () => performance.now(),
    ...(latency ? { latencyRows: latency.rows } : {}),
  });
  return { recorded, started, run };
}

export async function replayRun(opts: ReplayOptions, io: CliIO): Promise<ReplayOutcome> {
  const { recorded, started, run } = await loadRecordedBacktest(opts, io);
  await runBacktest(run);
  const replayed = await collect(run.store.readStream(run.streamId));
  return { ...compareRuns(recorded, replayed), recorded: recorded.length, codeVersionMatches: started.codeVersion === codeVersion() };
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-run a recorded run from its inputs and check every output event is identical',
  help: [
    'usage: hft replay <runId> [--store <uri>] [--ticks <dir>] [--json]',
    '',
    'Reads run.started (scenario, seed, dataset hashes), rebuilds the market stream from the same tick',
    'files (their sha256 must match), re-runs the reducers in memory and compares every event with the',
    'recorded one. Prints `parity: ok (N events)` or the first divergence (position, expected, actual)',
    'and exits 1.',
    '',
    'options:',
    `  --store <uri>   event store holding the run (default ${DEFAULT_STORE_URI})`,
    `  --ticks <dir>   tick store cache (default ${DEFAULT_TICKS_DIR})`,
    '  --json          print the outcome as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, ticks: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one run id');
    const r = await replayRun({ runId: positionals[0]!, storeUri: values.store ?? DEFAULT_STORE_URI, ticksDir: values.ticks ?? DEFAULT_TICKS_DIR }, io);
    if (values.json) { io.out(JSON.stringify(r, null, 2)); return r.ok ? 0 : 1; }
    if (!r.codeVersionMatches) io.err('warning: the code differs from the version that recorded this run');
    if (r.ok) { io.out(`parity: ok (${r.compared} events)`); return 0; }
    const d = r.divergence!;
    io.out(`parity: DIVERGED at position ${d.index} of run-${positionals[0]} after ${r.compared} identical events`);
    io.out(`  expected: ${d.expected === undefined ? '(end of recorded run)' : JSON.stringify(d.expected)}`);
    io.out(`  actual:   ${d.actual === undefined ? '(end of replay)' : JSON.stringify(d.actual)}`);
    return 1;
  },
};
