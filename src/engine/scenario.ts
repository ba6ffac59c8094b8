/**
 * Scenario file format (JSON), validated once at start-up; every bad field is listed with its path.
 * A scenario is everything that defines a run besides the code: data, instruments, venue model,
 * strategies and their parameters, risk limits, accounting, seed. Documented in README "Scenarios".
 */
import { ConfigReader } from '../core/validate.ts';

export type LatencyConfig =
  | { model: 'constant'; entryUs: number; responseUs: number }
  | { model: 'lognormal'; entryMedianUs: number; responseMedianUs: number; sigma: number }
  | { model: 'recorded'; file: string };

export type QueueConfig =
  | { model: 'risk-averse' }
  | { model: 'probabilistic'; prob: 'power' | 'power2' | 'power3' | 'log' | 'log2'; n: number };

export interface DataSourceConfig {
  /**
   * `binance-capture`: raw `<ns> <json>` gz captures; `cryptofeed`: cryptofeed recorder captures (Binance,
   * OKX; the instrument list `<EXCHANGE>.0` beside them): both imported into the tick store on first use.
   * `tickstore`: an existing tick store directory.
   */
  readonly format: 'binance-capture' | 'cryptofeed' | 'tickstore';
  /** Files, relative to the working directory, the scenario's folder or its parent (resolved by the CLI). */
  readonly files: readonly string[];
  /** Instrument id `<venue>:<symbol>`. */
  readonly instrument: string;
}

export interface StrategyConfig {
  readonly id: string;
  readonly type: string;
  readonly instruments: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly data: {
    readonly sources: readonly DataSourceConfig[];
    /**
     * Added to every tsRecv: a recorder whose clock ran behind the venue (the shipped Binance captures:
     * ~1.27 s) would otherwise see the market before the exchange made it.
     */
    readonly localClockOffsetUs: number;
    /** Local time is clamped to at least tsEvent + this (counted in the summary as clampedRows). */
    readonly minFeedLatencyUs: number;
    /** Optional window, ISO-8601 or µs. */
    readonly from?: string;
    readonly to?: string;
  };
  readonly fees: Readonly<Record<string, { makerFeeRate: string; takerFeeRate: string }>>;
  readonly venue: { readonly latency: LatencyConfig; readonly queue: QueueConfig; readonly fillMode: 'partial' | 'no-partial' };
  readonly strategies: readonly StrategyConfig[];
  readonly risk: Readonly<Record<string, unknown>>;
  readonly accounting: { readonly equityIntervalUs: number; readonly initialBalances: Readonly<Record<string, string>> };
}

const TOP = ['name', 'description', 'seed', 'data', 'fees', 'venue', 'strategies', 'risk', 'accounting', '$schema'];

/** Validates a parsed scenario; `source` names the file in error messages. */
export function parseScenario(json: unknown, source: string): Scenario {
  const r = new ConfigReader(source);
  r.object(json, '');
  r.noUnknownKeys(json, '', TOP);
  const name = r.string(json, 'name');
  const description = r.string(json, 'description', '');
  const seed = r.number(json, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 });

  r.object(json, 'data');
  r.noUnknownKeys(json, 'data', ['sources', 'localClockOffsetUs', 'minFeedLatencyUs', 'from', 'to']);
  const rawSources = (json as { data?: { sources?: unknown } }).data?.sources;
  const sources: DataSourceConfig[] = [];
  if (!Array.isArray(rawSources) || rawSources.length === 0) r.problems.push('data.sources: expected a non-empty array of sources');
  else rawSources.forEach((s, i) => {
    const p = `data.sources.${i}`;
    r.noUnknownKeys(json, p, ['format', 'files', 'instrument']);
    sources.push({
      format: r.oneOf(json, `${p}.format`, ['binance-capture', 'cryptofeed', 'tickstore'] as const),
      files: r.stringArray(json, `${p}.files`),
      instrument: r.string(json, `${p}.instrument`),
    });
    void s;
  });
  const localClockOffsetUs = r.number(json, 'data.localClockOffsetUs', { fallback: 0, integer: true });
  const minFeedLatencyUs = r.number(json, 'data.minFeedLatencyUs', { fallback: 0, min: 0, integer: true });
  const from = (json as { data?: { from?: string } }).data?.from;
  const to = (json as { data?: { to?: string } }).data?.to;

  const fees: Record<string, { makerFeeRate: string; takerFeeRate: string }> = {};
  const rawFees = r.object(json, 'fees', false) ?? {};
  for (const id of Object.keys(rawFees)) {
    r.noUnknownKeys(rawFees, id, ['makerFeeRate', 'takerFeeRate']);
    fees[id] = { makerFeeRate: r.decimal(rawFees, `${id}.makerFeeRate`), takerFeeRate: r.decimal(rawFees, `${id}.takerFeeRate`) };
  }

  r.object(json, 'venue');
  r.noUnknownKeys(json, 'venue', ['latency', 'queue', 'fillMode']);
  const latencyModel = r.oneOf(json, 'venue.latency.model', ['constant', 'lognormal', 'recorded'] as const);
  let latency: LatencyConfig;
  if (latencyModel === 'constant') latency = { model: 'constant', entryUs: r.number(json, 'venue.latency.entryUs', { min: 0 }), responseUs: r.number(json, 'venue.latency.responseUs', { min: 0 }) };
  else if (latencyModel === 'lognormal') latency = { model: 'lognormal', entryMedianUs: r.number(json, 'venue.latency.entryMedianUs', { min: 0 }), responseMedianUs: r.number(json, 'venue.latency.responseMedianUs', { min: 0 }), sigma: r.number(json, 'venue.latency.sigma', { min: 0 }) };
  else latency = { model: 'recorded', file: r.string(json, 'venue.latency.file') };
  const queueModel = r.oneOf(json, 'venue.queue.model', ['risk-averse', 'probabilistic'] as const);
  const queue: QueueConfig = queueModel === 'risk-averse'
    ? { model: 'risk-averse' }
    : { model: 'probabilistic', prob: r.oneOf(json, 'venue.queue.prob', ['power', 'power2', 'power3', 'log', 'log2'] as const), n: r.number(json, 'venue.queue.n', { fallback: 3, min: 0 }) };
  const fillMode = r.oneOf(json, 'venue.fillMode', ['partial', 'no-partial'] as const, 'partial');

  const rawStrategies = (json as { strategies?: unknown }).strategies;
  const strategies: StrategyConfig[] = [];
  if (!Array.isArray(rawStrategies) || rawStrategies.length === 0) r.problems.push('strategies: expected a non-empty array');
  else rawStrategies.forEach((_, i) => {
    const p = `strategies.${i}`;
    r.noUnknownKeys(json, p, ['id', 'type', 'instruments', 'params']);
    strategies.push({
      id: r.string(json, `${p}.id`),
      type: r.string(json, `${p}.type`),
      instruments: r.stringArray(json, `${p}.instruments`),
      params: r.object(json, `${p}.params`, false) ?? {},
    });
  });
  const ids = strategies.map((s) => s.id);
  for (const id of ids) if (ids.indexOf(id) !== ids.lastIndexOf(id)) r.problems.push(`strategies: duplicate id '${id}'`);
  const known = new Set(sources.map((s) => s.instrument));
  for (const [i, s] of strategies.entries()) for (const inst of s.instruments) if (!known.has(inst)) r.problems.push(`strategies.${i}.instruments: '${inst}' has no data source (known: ${[...known].join(', ')})`);

  const risk = r.object(json, 'risk', false) ?? {};
  r.object(json, 'accounting', false);
  r.noUnknownKeys(json, 'accounting', ['equityIntervalUs', 'initialBalances']);
  const equityIntervalUs = r.number(json, 'accounting.equityIntervalUs', { fallback: 1_000_000, min: 1, integer: true });
  const initialBalances: Record<string, string> = {};
  const rawBalances = r.object(json, 'accounting.initialBalances', false) ?? {};
  for (const ccy of Object.keys(rawBalances)) initialBalances[ccy] = r.decimal(rawBalances, ccy);

  r.done();
  return Object.freeze({
    name, description, seed,
    data: Object.freeze({ sources, localClockOffsetUs, minFeedLatencyUs, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }),
    fees, venue: Object.freeze({ latency, queue, fillMode }), strategies, risk,
    accounting: Object.freeze({ equityIntervalUs, initialBalances }),
  });
}
