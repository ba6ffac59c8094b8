/**
 * Market making with inventory control.
 *
 * Two quoting models:
 * - `simple`: quotes `levels` levels each side at `halfSpreadTicks + i·levelSpacingTicks` around a
 *   reservation price skewed against inventory: r = mid − skewTicksAtMax · (position / maxPosition).
 * - `avellaneda-stoikov` (Avellaneda & Stoikov 2008, infinite-horizon form over `horizonSec`):
 *   r = mid − q·γ·σ²·T and half spread δ/2 = γσ²T/2 + (1/γ)·ln(1 + γ/κ), with σ (ticks/√s) estimated
 *   online as an EWMA of squared mid changes per second, q in lots, γ in 1/(tick·lot), κ in 1/tick.
 *
 * Quotes are post-only, clamped one tick inside the touch so they never take. A quote is canceled and
 * replaced only when its target moves by at least `requoteThresholdTicks` (queue position is worth
 * keeping), and never while a request for it is in flight. No bids at +maxPosition, no asks at −max.
 */
import { HftError } from '../../core/errors.ts';
import { ConfigReader } from '../../core/validate.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketKind } from '../../model/market.ts';
import type { Intent, Order } from '../../model/orders.ts';
import type { Decision, Strategy, StrategyContext, StrategyFactory } from '../Strategy.ts';

export interface MarketMakerParams {
  readonly model: 'simple' | 'avellaneda-stoikov';
  /** Order size per level, in base units (decimal string), converted to lots. */
  readonly orderSize: string;
  /** Maximum absolute position, in base units. */
  readonly maxPosition: string;
  readonly levels: number;
  readonly levelSpacingTicks: number;
  readonly halfSpreadTicks: number;
  readonly skewTicksAtMax: number;
  readonly requoteThresholdTicks: number;
  /** Timer refresh (µs); 0 = quote only on market events. */
  readonly refreshIntervalUs: number;
  readonly gamma: number;
  readonly kappa: number;
  readonly horizonSec: number;
  /** EWMA half-life of the volatility estimate, seconds. */
  readonly volHalfLifeSec: number;
}

export function parseMarketMakerParams(params: Readonly<Record<string, unknown>>, source: string): MarketMakerParams {
  const r = new ConfigReader(source);
  r.noUnknownKeys(params, '', ['model', 'orderSize', 'maxPosition', 'levels', 'levelSpacingTicks', 'halfSpreadTicks', 'skewTicksAtMax', 'requoteThresholdTicks', 'refreshIntervalUs', 'gamma', 'kappa', 'horizonSec', 'volHalfLifeSec']);
  const p: MarketMakerParams = {
    model: r.oneOf(params, 'model', ['simple', 'avellaneda-stoikov'] as const, 'simple'),
    orderSize: r.decimal(params, 'orderSize'),
    maxPosition: r.decimal(params, 'maxPosition'),
    levels: r.number(params, 'levels', { fallback: 1, min: 1, max: 20, integer: true }),
    levelSpacingTicks: r.number(params, 'levelSpacingTicks', { fallback: 1, min: 1, integer: true }),
    halfSpreadTicks: r.number(params, 'halfSpreadTicks', { fallback: 1, min: 0 }),
    skewTicksAtMax: r.number(params, 'skewTicksAtMax', { fallback: 0, min: 0 }),
    requoteThresholdTicks: r.number(params, 'requoteThresholdTicks', { fallback: 1, min: 1, integer: true }),
    refreshIntervalUs: r.number(params, 'refreshIntervalUs', { fallback: 0, min: 0, integer: true }),
    gamma: r.number(params, 'gamma', { fallback: 0.01, min: 0 }),
    kappa: r.number(params, 'kappa', { fallback: 1, min: 0 }),
    horizonSec: r.number(params, 'horizonSec', { fallback: 60, min: 0 }),
    volHalfLifeSec: r.number(params, 'volHalfLifeSec', { fallback: 30, min: 0.001 }),
  };
  r.done();
  return p;
}

interface Target { tag: string; side: 'buy' | 'sell'; priceTicks: number }

export class MarketMaker implements Strategy {
  readonly instruments: readonly string[];
  readonly timerIntervalUs: number;
  private readonly inst: Instrument;
  private readonly sizeLots: number;
  private readonly maxLots: number;
  // volatility estimate state
  private lastMid = Number.NaN;
  // last quoting inputs: a market event that changes none of them cannot change the quotes
  private lastBid = Number.NaN;
  private lastAsk = Number.NaN;
  private lastQ = Number.NaN;
  private ordersChanged = true;
  /** Price a post-only quote was just rejected at, per tag: not retried until the touch moves. */
  private readonly rejectedAt = new Map<string, number>();
  private lastMidUs = 0;
  private varPerSec = 0;
  private readonly bidTags: string[];
  private readonly askTags: string[];
  /** Scratch targets, two per level. */
  private readonly targets: Target[];

  constructor(readonly id: string, instrument: Instrument, private readonly p: MarketMakerParams) {
    this.inst = instrument;
    this.instruments = [instrument.id];
    this.timerIntervalUs = p.refreshIntervalUs;
    this.sizeLots = instrument.lot.toUnits(p.orderSize);
    this.maxLots = instrument.lot.toUnits(p.maxPosition);
    this.bidTags = Array.from({ length: p.levels }, (_, i) => `b${i}`);
    this.askTags = Array.from({ length: p.levels }, (_, i) => `a${i}`);
    this.targets = Array.from({ length: 2 * p.levels }, () => ({ tag: '', side: 'buy' as const, priceTicks: 0 }));
  }

  onMarket(instrument: string, kind: MarketKind, ctx: StrategyContext): Decision | undefined {
    if (instrument !== this.inst.id || (kind !== 'bbo' && kind !== 'book')) return undefined;
    if (this.p.model === 'simple' && !this.ordersChanged) {
      const top = ctx.bbo(this.inst.id);
      if (top.bidTicks === this.lastBid && top.askTicks === this.lastAsk && ctx.positionLots(this.inst.id) === this.lastQ) return undefined;
    }
    return this.quote(kind, ctx);
  }

  onTimer(ctx: StrategyContext): Decision | undefined { return this.quote('timer', ctx); }

  onOrder(order: Order, ctx: StrategyContext): Decision | undefined {
    this.ordersChanged = true;
    // A post-only reject means our view of the touch is behind the venue's: re-sending the same price
    // before the market data catches up would only be rejected again.
    if (order.status === 'rejected') this.rejectedAt.set(order.tag, order.priceTicks);
    // A fill changes inventory and so the reservation price; a closed order frees its level.
    if (order.status === 'filled' || order.status === 'partially-filled' || order.status === 'canceled' || order.status === 'rejected') return this.quote('order', ctx);
    return undefined;
  }

  private quote(trigger: string, ctx: StrategyContext): Decision | undefined {
    const top = ctx.bbo(this.inst.id);
    if (!Number.isFinite(top.bidTicks) || !Number.isFinite(top.askTicks) || top.bidTicks >= top.askTicks) return undefined;
    const mid = (top.bidTicks + top.askTicks) / 2;
    this.updateVol(mid, ctx.nowUs);
    const q = ctx.positionLots(this.inst.id);
    if (top.bidTicks !== this.lastBid || top.askTicks !== this.lastAsk) this.rejectedAt.clear();
    this.lastBid = top.bidTicks; this.lastAsk = top.askTicks; this.lastQ = q; this.ordersChanged = false;
    let reservation: number; let half: number;
    if (this.p.model === 'simple') {
      reservation = mid - this.p.skewTicksAtMax * (this.maxLots > 0 ? q / this.maxLots : 0);
      half = this.p.halfSpreadTicks;
    } else {
      const g = this.p.gamma; const s2T = this.varPerSec * this.p.horizonSec;
      reservation = mid - q * g * s2T;
      half = Math.max(this.p.halfSpreadTicks, (g * s2T) / 2 + (g > 0 ? Math.log(1 + g / this.p.kappa) / g : 0));
    }
    // Targets in a scratch list (b0, a0, b1, a1...): most calls end with no intent, and then nothing
    // here may allocate (this runs on every top-of-book change).
    const targets = this.targets;
    let n = 0;
    const canBuy = q + this.sizeLots <= this.maxLots && ctx.tradingState === 'ACTIVE';
    const canSell = q - this.sizeLots >= -this.maxLots && ctx.tradingState === 'ACTIVE';
    for (let i = 0; i < this.p.levels; i++) {
      const off = half + i * this.p.levelSpacingTicks;
      if (canBuy) { const t = targets[n++]!; t.tag = this.bidTags[i]!; t.side = 'buy'; t.priceTicks = Math.min(Math.floor(reservation - off), top.askTicks - 1); }
      if (canSell) { const t = targets[n++]!; t.tag = this.askTags[i]!; t.side = 'sell'; t.priceTicks = Math.max(Math.ceil(reservation + off), top.bidTicks + 1); }
    }
    const intents = this.reconcile(targets, n, ctx.openOrders(this.inst.id));
    if (intents === undefined) return undefined;
    return {
      trigger,
      inputs: { bidTicks: top.bidTicks, askTicks: top.askTicks, mid, positionLots: q, reservation: round6(reservation), halfSpreadTicks: round6(half), sigmaTicks: round6(Math.sqrt(this.varPerSec)) },
      intents,
    };
  }

  /**
   * Cancel quotes whose target moved or vanished; place missing ones. In-flight orders are left alone.
   * Order of the intents: targets in order (each one's working orders in request order), then the
   * orders of tags no longer wanted, tag by tag in order of first appearance. Linear scans over the
   * handful of open orders: no map or set per call. Undefined when there is nothing to do.
   */
  private reconcile(targets: readonly Target[], n: number, open: readonly Order[]): Intent[] | undefined {
    let intents: Intent[] | undefined;
    for (let k = 0; k < n; k++) {
      const t = targets[k]!;
      let working = 0;
      for (let j = 0; j < open.length; j++) {
        const o = open[j]!;
        if (o.tag !== t.tag || o.status === 'pending-cancel') continue;
        working++;
        if (o.status === 'submitted' || o.status === 'pending-update') continue; // one request in flight per order
        if (Math.abs(o.priceTicks - t.priceTicks) >= this.p.requoteThresholdTicks) {
          (intents ??= []).push({ kind: 'cancel', strategyId: this.id, clientOrderId: o.clientOrderId });
          intents.push({ kind: 'place', strategyId: this.id, instrument: this.inst.id, side: t.side, type: 'limit', timeInForce: 'POST_ONLY', priceTicks: t.priceTicks, sizeLots: this.sizeLots, reduceOnly: false, tag: t.tag });
        }
      }
      if (working === 0) {
        if (this.rejectedAt.get(t.tag) === t.priceTicks) continue;
        (intents ??= []).push({ kind: 'place', strategyId: this.id, instrument: this.inst.id, side: t.side, type: 'limit', timeInForce: 'POST_ONLY', priceTicks: t.priceTicks, sizeLots: this.sizeLots, reduceOnly: false, tag: t.tag });
      }
    }
    for (let j = 0; j < open.length; j++) {
      const tag = open[j]!.tag;
      if (isWanted(targets, n, tag) || seenBefore(open, j, tag)) continue;
      for (let m = j; m < open.length; m++) {
        const o = open[m]!;
        if (o.tag === tag && o.status !== 'pending-cancel' && o.status !== 'submitted') (intents ??= []).push({ kind: 'cancel', strategyId: this.id, clientOrderId: o.clientOrderId });
      }
    }
    return intents;
  }

  private updateVol(mid: number, nowUs: number): void {
    if (Number.isNaN(this.lastMid)) { this.lastMid = mid; this.lastMidUs = nowUs; return; }
    const dtSec = (nowUs - this.lastMidUs) / 1e6;
    if (dtSec <= 0 || mid === this.lastMid) return;
    const d = mid - this.lastMid;
    const alpha = 1 - Math.pow(0.5, dtSec / this.p.volHalfLifeSec);
    this.varPerSec += alpha * ((d * d) / Math.max(dtSec, 1e-3) - this.varPerSec);
    this.lastMid = mid; this.lastMidUs = nowUs;
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function isWanted(targets: readonly Target[], n: number, tag: string): boolean {
  for (let k = 0; k < n; k++) if (targets[k]!.tag === tag) return true;
  return false;
}

function seenBefore(open: readonly Order[], j: number, tag: string): boolean {
  for (let m = 0; m < j; m++) if (open[m]!.tag === tag) return true;
  return false;
}

export const marketMakerFactory: StrategyFactory = {
  type: 'market-maker',
  summary: 'inventory-skewed quoting (simple or Avellaneda–Stoikov), post-only, requotes only when the target moves',
  create(id, instruments, params, source) {
    const p = parseMarketMakerParams(params, source);
    if (instruments.length !== 1) throw new HftError('HFT_ERR_CONFIG', `${source}: market-maker trades exactly one instrument, got ${instruments.length}`);
    return new MarketMaker(id, instruments[0]!, p);
  },
};
