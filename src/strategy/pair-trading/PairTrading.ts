/**
 * Pair trading on the log-price spread s = ln(midA) − β·ln(midB) (e.g. ETHUSDT vs BTCUSDT), sampled
 * every `sampleIntervalUs`. Mean and variance are EWMAs with half-life `halfLifeSec`; the z-score of
 * a sample uses the estimates from BEFORE that sample (no look-ahead). After `warmupSamples`:
 *
 *   flat  → short the spread (sell A, buy B) when z ≥ entryZ; long it when z ≤ −entryZ
 *   long  → flat when z ≥ −exitZ (reverted) or z ≤ −stopZ (stop, then no entry until |z| < max(exitZ, entryZ/2))
 *   short → mirror image
 *
 * Legs are sized to `legNotional` quote units on A and β·legNotional on B and sent as IOC limits
 * `slippageTicks` through the touch. Each leg is driven to its own target position, so a leg that
 * missed is retried at the next sample (leg risk bounded by one sample interval).
 * Risks: the spread may not mean-revert (a regime change); the stop caps that loss per episode.
 */
import { HftError } from '../../core/errors.ts';
import { ConfigReader } from '../../core/validate.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketKind } from '../../model/market.ts';
import type { Intent, Order } from '../../model/orders.ts';
import type { Decision, Strategy, StrategyContext, StrategyFactory } from '../Strategy.ts';
import { iocAtTouch, lotsForBase, priceOf, round6, touchOf } from '../cross-arb/crossArbInternals.ts';

export interface PairTradingParams {
  readonly sampleIntervalUs: number;
  readonly halfLifeSec: number;
  readonly warmupSamples: number;
  readonly entryZ: number;
  readonly exitZ: number;
  readonly stopZ: number;
  readonly beta: number;
  readonly legNotional: string;
  readonly slippageTicks: number;
}

export function parsePairTradingParams(params: Readonly<Record<string, unknown>>, source: string): PairTradingParams {
  const r = new ConfigReader(source);
  r.noUnknownKeys(params, '', ['sampleIntervalUs', 'halfLifeSec', 'warmupSamples', 'entryZ', 'exitZ', 'stopZ', 'beta', 'legNotional', 'slippageTicks']);
  const p: PairTradingParams = {
    sampleIntervalUs: r.number(params, 'sampleIntervalUs', { fallback: 1_000_000, min: 1, integer: true }),
    halfLifeSec: r.number(params, 'halfLifeSec', { min: 0.001 }),
    warmupSamples: r.number(params, 'warmupSamples', { fallback: 30, min: 2, integer: true }),
    entryZ: r.number(params, 'entryZ', { min: 0 }),
    exitZ: r.number(params, 'exitZ', { fallback: 0, min: 0 }),
    stopZ: r.number(params, 'stopZ', { min: 0 }),
    beta: r.number(params, 'beta', { fallback: 1 }),
    legNotional: r.decimal(params, 'legNotional'),
    slippageTicks: r.number(params, 'slippageTicks', { fallback: 0, min: 0, integer: true }),
  };
  if (!(p.exitZ < p.entryZ && p.entryZ < p.stopZ)) r.problems.push(`entryZ: need exitZ < entryZ < stopZ, got ${p.exitZ} / ${p.entryZ} / ${p.stopZ}`);
  r.done();
  return p;
}

export type PairState = 'flat' | 'long' | 'short' | 'stopped';

export class PairTrading implements Strategy {
  readonly instruments: readonly string[];
  readonly timerIntervalUs: number;
  private mean = 0;
  private variance = 0;
  private samples = 0;
  private lastSampleUs = 0;
  private state: PairState = 'flat';
  private targetA = 0;
  private targetB = 0;

  constructor(readonly id: string, private readonly a: Instrument, private readonly b: Instrument, private readonly p: PairTradingParams) {
    this.instruments = [a.id, b.id];
    this.timerIntervalUs = p.sampleIntervalUs;
  }

  get currentState(): PairState { return this.state; }

  onMarket(_i: string, _k: MarketKind, _ctx: StrategyContext): Decision | undefined { return undefined; }
  onOrder(_o: Order, _ctx: StrategyContext): Decision | undefined { return undefined; }

  onTimer(ctx: StrategyContext): Decision | undefined {
    const ta = touchOf(ctx, this.a.id); const tb = touchOf(ctx, this.b.id);
    if (!ta || !tb) return undefined;
    const pA = priceOf(this.a, (ta.bidTicks + ta.askTicks) / 2); const pB = priceOf(this.b, (tb.bidTicks + tb.askTicks) / 2);
    const s = Math.log(pA) - this.p.beta * Math.log(pB);
    const sd = Math.sqrt(this.variance);
    const z = this.samples >= this.p.warmupSamples && sd > 0 ? (s - this.mean) / sd : Number.NaN;
    this.update(s, ctx.nowUs);
    const before = this.state;
    if (!Number.isNaN(z)) this.transition(z, pA, pB, ta.askTicks, tb.askTicks);
    const intents: Intent[] = [];
    if (ctx.openOrders(this.a.id).length === 0 && ctx.openOrders(this.b.id).length === 0 && ctx.tradingState === 'ACTIVE') {
      const dA = this.targetA - ctx.positionLots(this.a.id); const dB = this.targetB - ctx.positionLots(this.b.id);
      if (dA !== 0) intents.push(iocAtTouch(this.id, this.a, dA > 0 ? 'buy' : 'sell', ta, Math.abs(dA), this.p.slippageTicks, `pair-a-${this.state}`));
      if (dB !== 0) intents.push(iocAtTouch(this.id, this.b, dB > 0 ? 'buy' : 'sell', tb, Math.abs(dB), this.p.slippageTicks, `pair-b-${this.state}`));
    }
    return {
      trigger: 'timer',
      inputs: { spread: round6(s), mean: round6(this.mean), sd: round6(sd), z: Number.isNaN(z) ? 'warmup' : round6(z), state: this.state, from: before, targetALots: this.targetA, targetBLots: this.targetB },
      intents,
    };
  }

  private update(s: number, nowUs: number): void {
    if (this.samples === 0) { this.mean = s; this.variance = 0; }
    else {
      const dtSec = Math.max((nowUs - this.lastSampleUs) / 1e6, 0);
      const alpha = 1 - Math.pow(0.5, dtSec / this.p.halfLifeSec);
      const d = s - this.mean;
      this.mean += alpha * d;
      // EW variance (West 1979 incremental form)
      this.variance = (1 - alpha) * (this.variance + alpha * d * d);
    }
    this.samples++;
    this.lastSampleUs = nowUs;
  }

  private transition(z: number, pA: number, pB: number, askA: number, askB: number): void {
    const p = this.p;
    const enter = (dir: 1 | -1): void => {
      const notional = Number(p.legNotional);
      this.targetA = dir * lotsForBase(this.a, notional / pA, askA);
      this.targetB = -dir * lotsForBase(this.b, (Math.abs(p.beta) * notional) / pB, askB);
      this.state = dir === 1 ? 'long' : 'short';
    };
    const flat = (next: PairState): void => { this.targetA = 0; this.targetB = 0; this.state = next; };
    switch (this.state) {
      case 'flat': if (z >= p.entryZ) enter(-1); else if (z <= -p.entryZ) enter(1); break;
      case 'long': if (z <= -p.stopZ) flat('stopped'); else if (z >= -p.exitZ) flat('flat'); break;
      case 'short': if (z >= p.stopZ) flat('stopped'); else if (z <= p.exitZ) flat('flat'); break;
      case 'stopped': if (Math.abs(z) < Math.max(p.exitZ, p.entryZ / 2)) this.state = 'flat'; break;
    }
  }
}

export const pairTradingFactory: StrategyFactory = {
  type: 'pair-trading',
  summary: 'z-score of the log-price spread of two instruments: entry/exit/stop thresholds, IOC legs',
  create(id, instruments, params, source) {
    const p = parsePairTradingParams(params, source);
    if (instruments.length !== 2) throw new HftError('HFT_ERR_CONFIG', `${source}: pair-trading takes two instruments [A, B], got ${instruments.length}`);
    return new PairTrading(id, instruments[0]!, instruments[1]!, p);
  },
};
