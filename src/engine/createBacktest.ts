/**
 * Turns a validated scenario plus its resolved inputs (instruments, market source, store) into a
 * BacktestRun: the venue models, risk gate, ledger and strategies it names, and the deterministic run
 * id. Everything here is a pure function of its arguments, so the same scenario, data and seed give
 * the same run id and, through the kernel, the same event log byte for byte.
 */
import { HftError } from '../core/errors.ts';
import { canonicalJson, deriveRunId, sha256Hex } from '../core/ids.ts';
import { SeededRandom } from '../core/random.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { DatasetRef } from '../model/events.ts';
import { instrument as makeInstrument, type Instrument, type InstrumentSpec } from '../model/instrument.ts';
import type { MarketBatch } from '../model/market.ts';
import { parseRiskConfig } from '../risk/RiskConfig.ts';
import { ConstantLatency } from '../sim/ConstantLatency.ts';
import { InterpolatedLatency, type LatencyRow } from '../sim/InterpolatedLatency.ts';
import type { LatencyModel } from '../sim/LatencyModel.ts';
import { LogNormalLatency } from '../sim/LogNormalLatency.ts';
import { ProbQueue } from '../sim/ProbQueue.ts';
import { log2Prob, logProb, power2Prob, power3Prob, powerProb } from '../sim/probFunctions.ts';
import type { QueueModel } from '../sim/QueueModel.ts';
import { RiskAverseQueue } from '../sim/RiskAverseQueue.ts';
import { SimVenue } from '../sim/SimVenue.ts';
import { STRATEGY_FACTORIES } from '../strategy/registry.ts';
import type { Strategy, StrategyFactory } from '../strategy/Strategy.ts';
import type { Kernel } from './Kernel.ts';
import { PortfolioLedger } from './PortfolioLedger.ts';
import { RiskAdapter } from './RiskAdapter.ts';
import type { BacktestRun, Progress } from './runBacktest.ts';
import type { LatencyConfig, QueueConfig, Scenario } from './scenario.ts';
import { SimExecutionVenue } from './SimExecutionVenue.ts';

export interface BacktestInputs {
  readonly scenario: Scenario;
  /** The scenario as written (canonical JSON of it is hashed and recorded). */
  readonly scenarioPath: string;
  /** Instruments in the order of the source's `instrument` column. */
  readonly instruments: readonly InstrumentSpec[];
  readonly source: AsyncIterable<MarketBatch>;
  readonly datasets: readonly DatasetRef[];
  readonly store: EventStore;
  readonly codeVersion: string;
  /** Recorded latency rows when the scenario's latency model is `recorded` (read by the CLI). */
  readonly latencyRows?: readonly LatencyRow[];
  /** User strategy factories (loaded by the CLI from `--strategy` modules), beside the shipped ones. */
  readonly extraFactories?: readonly StrategyFactory[];
  /** Existing runs with the same definition in this store: the n-th repeat gets suffix `-n`. */
  readonly attempt?: number;
  /** Replay: the id of the recorded run (its definition may carry a repeat suffix). */
  readonly runId?: string;
  readonly onProgress?: (p: Progress) => void;
  readonly wallMs: () => number;
}

export function configHash(scenario: Scenario): string { return sha256Hex(canonicalJson(scenario)); }

export function createBacktest(inp: BacktestInputs): BacktestRun & { runId: string; instruments: Instrument[] } {
  const sc = inp.scenario;
  const instruments = inp.instruments.map((spec) => {
    const fee = sc.fees[spec.id];
    return makeInstrument(fee ? { ...spec, makerFeeRate: fee.makerFeeRate, takerFeeRate: fee.takerFeeRate } : spec);
  });
  const hash = configHash(sc);
  const base = deriveRunId({ configHash: hash, seed: sc.seed, datasets: inp.datasets.map((d) => [d.sha256, d.rowFrom, d.rowTo]) });
  const runId = inp.runId ?? (inp.attempt ? `${base}x${inp.attempt}` : base);
  const random = new SeededRandom(sc.seed);

  const venues = instruments.map((inst, i) => new SimVenue({
    instrument: inst,
    latency: latencyModel(sc.venue.latency, sc.seed + i, inp.latencyRows),
    queue: queueModel(sc.venue.queue),
    fillMode: sc.venue.fillMode,
    instrumentIndex: i,
    idPrefix: `s${i}`,
  }));
  const factories = new Map<string, StrategyFactory>(Object.entries(STRATEGY_FACTORIES));
  for (const f of inp.extraFactories ?? []) factories.set(f.type, f);
  const strategies: Strategy[] = sc.strategies.map((s, i) => {
    const f = factories.get(s.type);
    if (!f) throw new HftError('HFT_ERR_CONFIG', `${inp.scenarioPath}: strategies.${i}.type: unknown strategy '${s.type}' (valid: ${[...factories.keys()].join(', ')})`);
    const insts = s.instruments.map((id) => {
      const x = instruments.find((k) => k.id === id);
      if (!x) throw new HftError('HFT_ERR_CONFIG', `${inp.scenarioPath}: strategies.${i}.instruments: '${id}' not in the data`);
      return x;
    });
    return f.create(s.id, insts, s.params, `${inp.scenarioPath}: strategies.${i}.params`);
  });
  const risk = new RiskAdapter(parseRiskConfig(sc.risk, `${inp.scenarioPath}: risk`), instruments);
  const firstInstrument = instruments.find((x) => x.id === sc.strategies[0]?.instruments[0]) ?? instruments[0]!;
  const ledger = new PortfolioLedger(instruments, sc.accounting.initialBalances, firstInstrument.settle);

  return {
    runId,
    instruments,
    kernel: {
      runId, instruments, strategies, venue: new SimExecutionVenue(venues), risk, ledger, random,
      localClockOffsetUs: sc.data.localClockOffsetUs, minFeedLatencyUs: sc.data.minFeedLatencyUs,
      equityIntervalUs: sc.accounting.equityIntervalUs, firstSeq: 0,
    },
    source: inp.source,
    store: inp.store,
    streamId: `run-${runId}`,
    started: {
      mode: 'backtest', scenario: sc.name, configHash: hash, seed: sc.seed, codeVersion: inp.codeVersion,
      datasets: inp.datasets, config: { scenario: sc, scenarioPath: inp.scenarioPath, instruments: inp.instruments },
    },
    summarize: (k: Kernel) => summarize(k, ledger),
    ...(inp.onProgress ? { onProgress: inp.onProgress } : {}),
    wallMs: inp.wallMs,
  };
}

function summarize(k: Kernel, ledger: PortfolioLedger): Record<string, unknown> {
  const c = k.counters;
  const positions: Record<string, number> = {};
  for (const [key, lots] of k.positionsLots()) positions[key] = lots;
  return {
    marketRows: c.marketRows, decisions: c.decisions, ordersRequested: c.ordersRequested, ordersDenied: c.ordersDenied,
    fills: c.fills, filledLots: c.filledLots, cancels: c.cancels, rejects: c.rejects, invalidTransitions: c.invalidTransitions,
    fillRatio: c.ordersRequested === 0 ? 0 : Math.round((c.fills / c.ordersRequested) * 1e6) / 1e6,
    maxDrawdown: c.maxDrawdown, reportingCurrency: ledger.reportingCurrency, equity: ledger.equity(),
    positionsLots: positions, clampedRows: c.clampedRows, lateResponses: c.lateResponses,
    equityByCurrency: ledger.summary().equity, byStrategy: ledger.summary().byStrategy,
  };
}

export function latencyModel(cfg: LatencyConfig, seed: number, rows?: readonly LatencyRow[]): LatencyModel {
  switch (cfg.model) {
    case 'constant': return new ConstantLatency(cfg.entryUs, cfg.responseUs);
    case 'lognormal': return new LogNormalLatency({ seed, entry: { medianUs: cfg.entryMedianUs, sigma: cfg.sigma }, response: { medianUs: cfg.responseMedianUs, sigma: cfg.sigma } });
    case 'recorded':
      if (!rows || rows.length === 0) throw new HftError('HFT_ERR_CONFIG', `venue.latency: recorded latency file '${cfg.file}' has no rows`);
      return new InterpolatedLatency(rows);
  }
}

export function queueModel(cfg: QueueConfig): QueueModel {
  if (cfg.model === 'risk-averse') return new RiskAverseQueue();
  const prob = { power: powerProb(cfg.n), power2: power2Prob(cfg.n), power3: power3Prob(cfg.n), log: logProb, log2: log2Prob }[cfg.prob];
  return new ProbQueue(prob, `${cfg.prob}${cfg.prob.startsWith('log') ? '' : `(${cfg.n})`}`);
}
