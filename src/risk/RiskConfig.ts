/**
 * Risk limits, validated once (every bad field listed with its path) and frozen. A limit left out is
 * not checked. Notional limits are decimal strings in the instrument's quote currency (USDT for
 * USDⓈ-M, USD for COIN-M, whose notional is contracts × contract value).
 *
 * ```json
 * { "tradingState": "ACTIVE",
 *   "maxOrderLots": 1000, "maxOrderNotional": "50000", "minSizeLots": 1,
 *   "maxPositionLots": 5000, "maxPositionNotional": "250000", "maxTotalNotional": "500000",
 *   "maxOpenOrders": 20, "rateLimit": { "ordersPerSecond": 50, "burst": 100 },
 *   "priceBandBps": 50, "maxBookAgeUs": 2000000,
 *   "dailyLossLimit": "1000", "maxDrawdown": "2000",
 *   "instruments": { "binance-usdm:BTCUSDT": { "maxOrderLots": 500 } } }
 * ```
 */
import { ConfigReader } from '../core/validate.ts';
import type { TradingState } from '../model/events.ts';

/** Limits that can be set per instrument (overriding the top-level value). */
export interface InstrumentRiskLimits {
  readonly maxOrderLots?: number;
  readonly maxOrderNotional?: string;
  readonly minSizeLots?: number;
  readonly maxPositionLots?: number;
  readonly maxPositionNotional?: string;
  readonly maxOpenOrders?: number;
  readonly priceBandBps?: number;
  readonly maxBookAgeUs?: number;
}

export interface RiskConfig extends InstrumentRiskLimits {
  readonly tradingState: TradingState;
  readonly maxTotalNotional?: string;
  /** Token bucket in event time: `ordersPerSecond` refill, `burst` capacity; place and modify take a token. */
  readonly rateLimit?: { readonly ordersPerSecond: number; readonly burst: number };
  /** Loss from the equity at the start of the UTC day, in the reporting currency, that halts trading. */
  readonly dailyLossLimit?: string;
  /** Fall from the equity peak, in the reporting currency, that halts trading. */
  readonly maxDrawdown?: string;
  readonly instruments: Readonly<Record<string, InstrumentRiskLimits>>;
}

export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];
const INSTRUMENT_KEYS = ['maxOrderLots', 'maxOrderNotional', 'minSizeLots', 'maxPositionLots', 'maxPositionNotional', 'maxOpenOrders', 'priceBandBps', 'maxBookAgeUs'] as const;
const TOP_KEYS = [...INSTRUMENT_KEYS, 'tradingState', 'maxTotalNotional', 'rateLimit', 'dailyLossLimit', 'maxDrawdown', 'instruments'];

function instrumentLimits(r: ConfigReader, raw: unknown, prefix: string): InstrumentRiskLimits {
  const p = (k: string): string => (prefix ? `${prefix}.${k}` : k);
  const has = (k: string): boolean => raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>)[k] !== undefined;
  const positiveInt = (k: string): number | undefined => (has(k) ? r.number(raw, k, { min: 1, integer: true }) : undefined);
  const positiveDecimal = (k: string): string | undefined => {
    if (!has(k)) return undefined;
    const v = r.decimal(raw, k);
    if (Number(v) <= 0) r.problems.push(`${p(k)}: must be > 0, got '${v}'`);
    return v;
  };
  const out: Record<string, unknown> = {
    maxOrderLots: positiveInt('maxOrderLots'), maxOrderNotional: positiveDecimal('maxOrderNotional'), minSizeLots: positiveInt('minSizeLots'),
    maxPositionLots: positiveInt('maxPositionLots'), maxPositionNotional: positiveDecimal('maxPositionNotional'),
    maxOpenOrders: positiveInt('maxOpenOrders'),
    priceBandBps: has('priceBandBps') ? r.number(raw, 'priceBandBps', { min: 1, integer: true }) : undefined,
    maxBookAgeUs: positiveInt('maxBookAgeUs'),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as InstrumentRiskLimits;
}

/** Validates a raw risk section (from a scenario file); `source` names it in the error. */
export function parseRiskConfig(raw: unknown, source = 'risk'): RiskConfig {
  const r = new ConfigReader(source);
  const obj = r.object(raw, '') ?? {};
  r.noUnknownKeys(obj, '', TOP_KEYS);
  const base = instrumentLimits(r, obj, '');
  const tradingState = r.oneOf(obj, 'tradingState', TRADING_STATES, 'ACTIVE');
  const opt = (k: string): string | undefined => {
    if (obj[k] === undefined) return undefined;
    const v = r.decimal(obj, k);
    if (Number(v) <= 0) r.problems.push(`${k}: must be > 0, got '${v}'`);
    return v;
  };
  let rateLimit: RiskConfig['rateLimit'];
  if (obj.rateLimit !== undefined) {
    r.object(obj, 'rateLimit');
    r.noUnknownKeys(obj, 'rateLimit', ['ordersPerSecond', 'burst']);
    rateLimit = Object.freeze({
      ordersPerSecond: r.number(obj, 'rateLimit.ordersPerSecond', { min: Number.MIN_VALUE }),
      burst: r.number(obj, 'rateLimit.burst', { min: 1, integer: true }),
    });
  }
  const instruments: Record<string, InstrumentRiskLimits> = {};
  const rawInst = r.object(obj, 'instruments', false) ?? {};
  for (const id of Object.keys(rawInst)) {
    r.object(rawInst, id);
    r.noUnknownKeys(rawInst, id, INSTRUMENT_KEYS);
    const sub = new ConfigReader(source);
    instruments[id] = Object.freeze(instrumentLimits(sub, rawInst[id], ""));
    for (const pr of sub.problems) r.problems.push(`instruments.${id}.${pr}`);
  }
  const cfg: Record<string, unknown> = {
    ...base, tradingState, maxTotalNotional: opt('maxTotalNotional'), rateLimit,
    dailyLossLimit: opt('dailyLossLimit'), maxDrawdown: opt('maxDrawdown'), instruments: Object.freeze(instruments),
  };
  for (const k of Object.keys(cfg)) if (cfg[k] === undefined) delete cfg[k];
  r.done();
  return Object.freeze(cfg) as unknown as RiskConfig;
}
