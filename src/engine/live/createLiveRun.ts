/**
 * Builds a paper or live run from a scenario: the same strategies, risk gate and ledger as a backtest
 * (createBacktest, so the reducers are the ones a backtest runs), with the wall-clock conventions of
 * live data (no recorder clock offset, no feed-latency clamp: receive stamps come from our own clock)
 * and, for paper, the simulated venue driven by market rows only (RowDrivenVenue). Live passes its
 * real ExecutionVenue in (the adapters sit above the engine).
 */
import { canonicalJson, sha256Hex } from '../../core/ids.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { EventData } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { configHash, createBacktest } from '../createBacktest.ts';
import type { Kernel, KernelConfig } from '../Kernel.ts';
import type { ExecutionVenue } from '../ports.ts';
import type { Scenario } from '../scenario.ts';
import { RowDrivenVenue } from './RowDrivenVenue.ts';

/** The scenario as a wall-clock run uses it (what its config hash covers). */
export function liveScenario(sc: Scenario): Scenario {
  return { ...sc, data: { ...sc.data, localClockOffsetUs: 0, minFeedLatencyUs: 0 } };
}

/** What a promotion is for: the strategies and the risk limits (the venue model does not go live). */
export function strategyHash(sc: Scenario): string {
  return sha256Hex(canonicalJson({ strategies: sc.strategies, risk: sc.risk, fees: sc.fees }));
}

export interface LiveRunInputs {
  readonly mode: 'paper' | 'live';
  readonly scenario: Scenario;
  readonly scenarioPath: string;
  readonly instruments: readonly InstrumentSpec[];
  readonly store: EventStore;
  readonly codeVersion: string;
  /** Wall-clock start, µs: part of the run id (a session is its own run). */
  readonly startUs: number;
  /** Replay of a recorded session: its id. */
  readonly runId?: string;
  /** Live: the real venue. Paper: omitted (the scenario's simulated venue). */
  readonly venue?: ExecutionVenue;
  /** Extra facts recorded in run.started config (venue URLs, feed). Never keys. */
  readonly session?: Record<string, unknown>;
}

export interface LiveRun {
  readonly runId: string;
  readonly streamId: string;
  readonly kernel: KernelConfig;
  readonly started: EventData<'run.started'>;
  readonly summarize: (k: Kernel) => Record<string, unknown>;
  readonly strategyHash: string;
  /** Paper: the row-driven simulated venue (released at shutdown). */
  readonly simVenue?: RowDrivenVenue;
}

export function createLiveRun(inp: LiveRunInputs): LiveRun {
  const sc = liveScenario(inp.scenario);
  const hash = configHash(sc);
  const runId = inp.runId ?? `${inp.mode === 'paper' ? 'p' : 'l'}${sha256Hex(`${hash}|${inp.startUs}`).slice(0, 12)}`;
  const bt = createBacktest({
    scenario: sc, scenarioPath: inp.scenarioPath, instruments: inp.instruments, source: (async function* () {})(), datasets: [], store: inp.store,
    codeVersion: inp.codeVersion, runId, wallMs: () => 0,
  });
  const simVenue = inp.venue ? undefined : new RowDrivenVenue(bt.kernel.venue);
  const sHash = strategyHash(sc);
  return {
    runId,
    streamId: bt.streamId,
    kernel: { ...bt.kernel, venue: inp.venue ?? simVenue! },
    started: {
      ...bt.started, mode: inp.mode,
      config: { ...(bt.started.config as Record<string, unknown>), strategyHash: sHash, startUs: inp.startUs, venueTime: 'receipt', clock: 'wall', session: inp.session ?? {} },
    },
    summarize: bt.summarize,
    strategyHash: sHash,
    ...(simVenue ? { simVenue } : {}),
  };
}
