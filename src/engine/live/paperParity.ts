/**
 * Parity of a paper session: its recorded market inputs, replayed through the backtest kernel with
 * the same scenario, seed and run id, must produce the identical event stream up to the stop
 * (`run.stop-requested`; what follows is shutdown). Reports the match rate over decisions and order
 * events, the first divergence with both events, and paper fills against replayed fills.
 */
import { HftError } from '../../core/errors.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { EventData, EventEnvelope, NewEvent } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import { Kernel, type InterventionApi } from '../Kernel.ts';
import { compareRuns } from '../parity.ts';
import { parseScenario } from '../scenario.ts';
import { createLiveRun } from './createLiveRun.ts';
import { receiptVenueTime } from './receiptVenueTime.ts';
import { withOperatorDesk } from './SessionControl.ts';

export interface PaperParityReport {
  readonly ok: boolean;
  readonly runId: string;
  readonly strategyHash: string;
  readonly configHash: string;
  /** Events compared (the recorded run up to run.stop-requested). */
  readonly compared: number;
  readonly recorded: number;
  readonly replayed: number;
  /** Decision and order.* events: recorded, and how many matched before the first divergence. */
  readonly decisionsAndOrders: { readonly recorded: number; readonly matched: number };
  readonly matchRate: number;
  readonly divergence?: { readonly index: number; readonly expected: unknown; readonly actual: unknown };
  readonly fills: { readonly paper: number; readonly replayed: number; readonly paperLots: number; readonly replayedLots: number; readonly identical: boolean };
  readonly riskLimits: Record<string, unknown>;
  /** Operator commands the session carried out, replayed at the same points. */
  readonly operatorCommands: number;
  /**
   * Set when the session did not stop cleanly (killed): checked up to its last sealed roll only.
   * `eventsAfterCut`: recorded run events after that cut, not checked.
   */
  readonly crashed?: { readonly rolls: number; readonly cutUs: number; readonly eventsAfterCut: number };
}

const isDecisionOrOrder = (t: string): boolean => t === 'decision' || t.startsWith('order.');

/**
 * Recorded events of a paper run, its started data, and the recorded-inputs event. A session that
 * did not stop cleanly has none in its run stream: then its rolls (`rolled`, from stream
 * `inputs-<runId>`) are the inputs, and `crashed` says how many.
 */
export function paperRunParts(recorded: readonly EventEnvelope[], runId: string, rolled?: EventData<'run.inputs-recorded'> & { readonly rolls: number }): { started: EventData<'run.started'>; inputs: EventData<'run.inputs-recorded'>; prefix: EventEnvelope[]; crashedRolls?: number } {
  const first = recorded[0];
  if (!first) throw new HftError('HFT_ERR_NOT_FOUND', `run '${runId}' not found (stream run-${runId} is empty)`);
  if (first.type !== 'run.started') throw new HftError('HFT_ERR_BAD_INPUT', `run '${runId}': first event is ${first.type}, not run.started`);
  const started = first.data as EventData<'run.started'>;
  if (started.mode !== 'paper') throw new HftError('HFT_ERR_USAGE', `run '${runId}' is a ${started.mode} run; parity and promotion take a paper run`);
  const inputs = recorded.find((e) => e.type === 'run.inputs-recorded')?.data as EventData<'run.inputs-recorded'> | undefined;
  const stop = recorded.findIndex((e) => e.type === 'run.stop-requested');
  const prefix = recorded.slice(0, stop < 0 ? recorded.length : stop);
  if (inputs) return { started, inputs, prefix };
  if (!rolled) throw new HftError('HFT_ERR_BAD_INPUT', `run '${runId}' has no run.inputs-recorded event and stream inputs-${runId} no sealed roll: the session did not stop cleanly and sealed no input before it ended`);
  return { started, inputs: rolled, prefix, crashedRolls: rolled.rolls };
}

/**
 * A look inside the replay at one moment (`hft why`): `take` runs as a kernel intervention after
 * `afterRows` market rows at local time `atUs`, ordered among the operator commands like one of them;
 * it must record nothing.
 */
export interface ReplaySnapshot { readonly afterRows: number; readonly atUs: number; readonly take: (kernel: Kernel, api: InterventionApi) => void }

/**
 * `commands`: the operator commands the session carried out (stream inputs-<runId>,
 * `appliedCommands`), each scheduled in the replay at the market-row count and time it ran at live.
 */
export async function paperParity(recorded: readonly EventEnvelope[], runId: string, source: AsyncIterable<MarketBatch>, scratch: EventStore, rolled?: EventData<'run.inputs-recorded'> & { readonly rolls: number }, commands: readonly EventData<'operator.command-applied'>[] = [], snapshot?: ReplaySnapshot): Promise<PaperParityReport> {
  const parts = paperRunParts(recorded, runId, rolled);
  const { started, inputs } = parts;
  // Killed session: what was decided after the last sealed cut has no sealed input to replay.
  const crashed = parts.crashedRolls === undefined ? undefined : { rolls: parts.crashedRolls, cutUs: inputs.stopUs };
  const cfg = started.config as { scenario: unknown; scenarioPath: string; instruments: InstrumentSpec[]; startUs: number; session?: Record<string, unknown> };
  const scenario = parseScenario(cfg.scenario, `${cfg.scenarioPath} (recorded in run ${runId})`);
  const run = createLiveRun({ mode: 'paper', scenario, scenarioPath: cfg.scenarioPath, instruments: cfg.instruments, store: scratch, codeVersion: started.codeVersion, startUs: cfg.startUs, runId, session: cfg.session ?? {} });
  // The session's kernel had the operator's desk as its last strategy: so does the replay's.
  const { kernel: kernelConfig, desk } = withOperatorDesk(run.kernel);
  const kernel = new Kernel(kernelConfig);
  let pending = snapshot;
  const scheduleSnapshot = (): void => { const sn = pending!; pending = undefined; kernel.schedule(sn.afterRows, sn.atUs, (api) => sn.take(kernel, api)); };
  for (const c of commands) {
    if (pending && (pending.afterRows < c.afterRows || (pending.afterRows === c.afterRows && pending.atUs < c.atUs))) scheduleSnapshot();
    kernel.schedule(c.afterRows, c.atUs, desk.intervention(c.command));
  }
  if (pending) scheduleSnapshot();
  const replayed: NewEvent[] = [];
  replayed.push(...kernel.record('run.started', run.started, 0, 0));
  // A session that started holding positions recorded them (position.adopted, one call, before any
  // market event): the replay seeds them the same way, at the same time.
  const adopted = parts.prefix.filter((e) => e.type === 'position.adopted') as EventEnvelope<'position.adopted'>[];
  if (adopted.length > 0) replayed.push(...kernel.adopt(adopted.map((e) => e.data), adopted[0]!.tsRecv));
  for await (const b of source) replayed.push(...kernel.step(receiptVenueTime(b)));
  replayed.push(...kernel.advance(inputs.stopUs));

  const prefix = crashed ? parts.prefix.slice(0, replayed.length) : parts.prefix;
  const cmp = compareRuns(prefix, replayed);
  const end = cmp.divergence?.index ?? prefix.length;
  const recordedDO = prefix.filter((e) => isDecisionOrOrder(e.type)).length;
  const matchedDO = prefix.slice(0, end).filter((e) => isDecisionOrOrder(e.type)).length;
  const fillsOf = (es: readonly (EventEnvelope | NewEvent)[]) => es.filter((e) => e.type === 'order.filled').map((e) => e.data as EventData<'order.filled'>);
  const pf = fillsOf(prefix); const rf = fillsOf(replayed);
  const key = (f: EventData<'order.filled'>): string => `${f.clientOrderId}|${f.venueTradeId}|${f.priceTicks}|${f.sizeLots}`;
  return {
    ok: cmp.ok && prefix.length === replayed.length,
    runId, strategyHash: run.strategyHash, configHash: started.configHash,
    compared: cmp.compared, recorded: prefix.length, replayed: replayed.length,
    decisionsAndOrders: { recorded: recordedDO, matched: matchedDO },
    matchRate: recordedDO === 0 ? (cmp.ok ? 1 : 0) : matchedDO / recordedDO,
    ...(cmp.divergence ? { divergence: cmp.divergence } : {}),
    fills: {
      paper: pf.length, replayed: rf.length, paperLots: pf.reduce((s, f) => s + f.sizeLots, 0), replayedLots: rf.reduce((s, f) => s + f.sizeLots, 0),
      identical: pf.length === rf.length && pf.every((f, i) => key(f) === key(rf[i]!)),
    },
    riskLimits: scenario.risk as Record<string, unknown>,
    operatorCommands: commands.length,
    ...(crashed ? { crashed: { ...crashed, eventsAfterCut: parts.prefix.length - prefix.length } } : {}),
  };
}
