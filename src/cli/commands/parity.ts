/** `hft parity <paperRunId>`: replays a paper session's recorded inputs through the backtest kernel. */
import { isAbsolute, resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { appliedCommands, inputsStreamId, rolledInputs } from '../../engine/live/inputsStream.ts';
import { paperParity, paperRunParts, type PaperParityReport, type ReplaySnapshot } from '../../engine/live/paperParity.ts';
import { MemoryEventStore } from '../../eventstore/memory/MemoryEventStore.ts';
import { collect } from '../../eventstore/port.ts';
import { openTickStore } from '../../feeds/tickstore/TickStore.ts';
import type { EventData, EventEnvelope } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';

/** A paper or live session's recorded inputs, checked by hash, ready to replay (what hft parity and hft why read). */
export interface RecordedSession {
  readonly recorded: EventEnvelope[];
  readonly rolled: ReturnType<typeof rolledInputs>;
  readonly commands: EventData<'operator.command-applied'>[];
  readonly instruments: InstrumentSpec[];
  /** The sealed market rows of the session, in recorded order (a fresh reader per call). */
  readonly source: () => AsyncIterable<MarketBatch>;
}

export async function loadRecordedSession(runId: string, storeUri: string, io: CliIO): Promise<RecordedSession> {
  const store = await openStore(storeUri, { cwd: io.cwd, readOnly: true });
  let recorded; let rolls;
  try {
    recorded = await collect(store.readStream(`run-${runId}`));
    rolls = await collect(store.readStream(inputsStreamId(runId)));
  } finally { await store.close(); }
  const rolled = rolledInputs(rolls);
  const { started, inputs, crashedRolls } = paperRunParts(recorded, runId, rolled);
  const root = isAbsolute(inputs.tickStore) ? inputs.tickStore : resolve(io.cwd, inputs.tickStore);
  const ticks = openTickStore(root);
  // The recorded inputs are the tick files by content hash: different bytes are a different session.
  const have = new Map(ticks.files.map((f) => [f.path, f.sha256]));
  for (const d of inputs.datasets) {
    if (have.get(d.path) !== d.sha256) throw new HftError('HFT_ERR_PARITY', `run '${runId}': recorded input ${root}/${d.path} has sha256 ${have.get(d.path) ?? '(missing)'}, the run sealed ${d.sha256}`);
  }
  const instruments = (started.config as { instruments: InstrumentSpec[] }).instruments;
  const ids = instruments.map((s) => s.id);
  return {
    recorded, rolled, commands: appliedCommands(rolls, crashedRolls !== undefined), instruments,
    source: () => ticks.read({ instruments: ids, files: inputs.datasets.map((d) => d.path) }),
  };
}

export async function parityOfRun(runId: string, storeUri: string, io: CliIO, snapshot?: ReplaySnapshot): Promise<PaperParityReport> {
  const s = await loadRecordedSession(runId, storeUri, io);
  return paperParity(s.recorded, runId, s.source(), new MemoryEventStore(), s.rolled, s.commands, snapshot);
}

export function printParity(io: CliIO, r: PaperParityReport): void {
  io.out(`parity ${r.runId}: ${r.ok ? 'OK' : 'DIVERGED'}`);
  io.out(`  events             ${r.compared} identical of ${r.recorded} recorded (replay produced ${r.replayed})`);
  io.out(`  decisions+orders   ${r.decisionsAndOrders.matched}/${r.decisionsAndOrders.recorded} match (${(r.matchRate * 100).toFixed(2)}%)`);
  if (r.operatorCommands > 0) io.out(`  operator commands  ${r.operatorCommands} replayed where the session carried them out`);
  io.out(`  fills              paper ${r.fills.paper} (${r.fills.paperLots} lots), replayed ${r.fills.replayed} (${r.fills.replayedLots} lots), ${r.fills.identical ? 'identical' : 'DIFFERENT'}`);
  if (r.crashed) io.out(`  NOT STOPPED CLEANLY: checked up to its last sealed roll (${r.crashed.rolls} rolls, cut at ${r.crashed.cutUs} µs); ${r.crashed.eventsAfterCut} run events after it not checked`);
  if (r.divergence) {
    io.out(`  first divergence at event ${r.divergence.index}`);
    io.out(`    paper:    ${r.divergence.expected === undefined ? '(end of recorded run)' : JSON.stringify(r.divergence.expected)}`);
    io.out(`    replayed: ${r.divergence.actual === undefined ? '(end of replay)' : JSON.stringify(r.divergence.actual)}`);
  }
}

export const parityCommand: Command = {
  name: 'parity',
  summary: 'replay a paper session\'s recorded inputs through the backtest kernel and compare every event',
  help: [
    'usage: hft parity <paperRunId> [--store <uri>] [--json]',
    '',
    'Reads the paper run (scenario, seed, run id) and its sealed market inputs (tick store files, checked by',
    'sha256), replays them through the backtest kernel and compares every event up to the stop request:',
    'match rate over decisions and orders, first divergence with both events, paper vs replayed fills.',
    'Exit code 0 only at 100%.',
    '',
    'options:',
    `  --store <uri>   event store holding the run (default ${DEFAULT_STORE_URI})`,
    '  --json          print the report as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one paper run id');
    const r = await parityOfRun(positionals[0]!, values.store ?? DEFAULT_STORE_URI, io);
    if (values.json) io.out(JSON.stringify(r, null, 2)); else printParity(io, r);
    return r.ok ? 0 : 1;
  },
};
