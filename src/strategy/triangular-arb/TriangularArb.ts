/**
 * Triangular and graph arbitrage across the spot pairs of one venue (e.g. BTCUSDT, ETHUSDT, ETHBTC).
 *
 * Each pair gives two edges between its currencies, priced at the touch and net of the taker fee:
 * sell base → quote at bid·(1−f), buy quote → base at (1−f)/ask. With weights −ln(rate) a profitable
 * loop is a negative cycle, found by Bellman–Ford (findNegativeCycle.ts): three legs in a triangle,
 * more in a larger graph. The loop is sized by the sizes at the touch (and `maxLegSize` per pair, in
 * base units), rounded down to lots, re-checked for `minProfitBps` after rounding, and sent as one
 * IOC limit per leg at the touch, all at once. Nothing new goes out while a leg is working.
 *
 * Risks: the legs are not atomic; an IOC that misses leaves an open currency exposure (left to the
 * operator here: the strategy reports it in its inputs). Touch sizes are a snapshot: other takers race.
 */
import { HftError } from '../../core/errors.ts';
import { ConfigReader } from '../../core/validate.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketKind } from '../../model/market.ts';
import type { Intent, Order } from '../../model/orders.ts';
import type { Decision, Strategy, StrategyContext, StrategyFactory } from '../Strategy.ts';
import { feeRate, iocAtTouch, lotsForBase, priceOf, round6, touchOf, type Touch } from '../cross-arb/crossArbInternals.ts';
import { findNegativeCycle, type WeightedEdge } from './findNegativeCycle.ts';

export interface TriangularArbParams {
  readonly minProfitBps: number;
  /** Largest leg per pair, base units (decimal string). */
  readonly maxLegSize: string;
  readonly minIntervalUs: number;
  /** Period of the detector record (a decision without intents), µs; 0 = none. */
  readonly scanRecordUs: number;
}

export function parseTriangularArbParams(params: Readonly<Record<string, unknown>>, source: string): TriangularArbParams {
  const r = new ConfigReader(source);
  r.noUnknownKeys(params, '', ['minProfitBps', 'maxLegSize', 'minIntervalUs', 'scanRecordUs']);
  const p: TriangularArbParams = {
    minProfitBps: r.number(params, 'minProfitBps', { fallback: 0, min: 0 }),
    maxLegSize: r.decimal(params, 'maxLegSize'),
    minIntervalUs: r.number(params, 'minIntervalUs', { fallback: 0, min: 0, integer: true }),
    scanRecordUs: r.number(params, 'scanRecordUs', { fallback: 0, min: 0, integer: true }),
  };
  if (Number(p.maxLegSize) <= 0) r.problems.push(`maxLegSize: must be > 0, got '${p.maxLegSize}'`);
  r.done();
  return p;
}

interface Edge extends WeightedEdge { readonly inst: Instrument; readonly side: 'buy' | 'sell'; readonly rate: number; readonly capIn: number; readonly touch: Touch; readonly priceIn: number }

/** One executable loop: legs in order with the amount of the leg's input currency. */
export interface CycleTrade { readonly legs: readonly { readonly inst: Instrument; readonly side: 'buy' | 'sell'; readonly sizeLots: number; readonly touch: Touch }[]; readonly profitBps: number; readonly path: string }

export class TriangularArb implements Strategy {
  readonly instruments: readonly string[];
  readonly timerIntervalUs: number;
  private readonly currencies: string[];
  private readonly maxLegBase: number;
  private lastTradeUs = Number.NEGATIVE_INFINITY;
  private cyclesSeen = 0;

  constructor(readonly id: string, private readonly pairs: readonly Instrument[], private readonly p: TriangularArbParams) {
    this.instruments = pairs.map((x) => x.id);
    this.timerIntervalUs = p.scanRecordUs;
    this.currencies = [...new Set(pairs.flatMap((x) => [x.base, x.quote]))];
    this.maxLegBase = Number(p.maxLegSize);
  }

  onMarket(_instrument: string, kind: MarketKind, ctx: StrategyContext): Decision | undefined {
    if (kind !== 'bbo' && kind !== 'book') return undefined;
    return this.evaluate(kind, ctx, false);
  }

  onTimer(ctx: StrategyContext): Decision | undefined { return this.evaluate('timer', ctx, true); }

  onOrder(order: Order, ctx: StrategyContext): Decision | undefined {
    if (order.status === 'filled' || order.status === 'canceled' || order.status === 'expired' || order.status === 'rejected') return this.evaluate('order', ctx, false);
    return undefined;
  }

  /** The best loop the detector finds in the current books, sized and rounded; undefined when none. */
  scan(ctx: StrategyContext): { trade: CycleTrade | undefined; edges: number } {
    const edges: Edge[] = [];
    for (const inst of this.pairs) {
      const t = touchOf(ctx, inst.id);
      if (!t) continue;
      const f = feeRate(inst, 'taker');
      const bid = priceOf(inst, t.bidTicks); const ask = priceOf(inst, t.askTicks);
      const b = this.currencies.indexOf(inst.base); const q = this.currencies.indexOf(inst.quote);
      const sellRate = bid * (1 - f); const buyRate = (1 - f) / ask;
      // capacity in the edge's input currency: base for a sell, quote for a buy
      const sellCap = Math.min(inst.lot.toNumber(t.bidLots), this.maxLegBase);
      const buyCap = Math.min(inst.lot.toNumber(t.askLots), this.maxLegBase) * ask;
      edges.push({ from: b, to: q, weight: -Math.log(sellRate), inst, side: 'sell', rate: sellRate, capIn: sellCap, touch: t, priceIn: bid });
      edges.push({ from: q, to: b, weight: -Math.log(buyRate), inst, side: 'buy', rate: buyRate, capIn: buyCap, touch: t, priceIn: ask });
    }
    const cycle = findNegativeCycle(this.currencies.length, edges);
    if (!cycle) return { trade: undefined, edges: edges.length };
    // Largest start amount every leg can absorb: cap_k / (product of the rates before leg k).
    let start = Number.POSITIVE_INFINITY; let gain = 1;
    for (const e of cycle) { start = Math.min(start, edges[e]!.capIn / gain); gain *= edges[e]!.rate; }
    let amount = start;
    const legs: CycleTrade['legs'][number][] = [];
    for (const e of cycle) {
      const edge = edges[e]!;
      const baseAmount = edge.side === 'sell' ? amount : amount / edge.priceIn;
      const sizeLots = lotsForBase(edge.inst, baseAmount, edge.touch.bidTicks);
      legs.push({ inst: edge.inst, side: edge.side, sizeLots, touch: edge.touch });
      amount *= edge.rate;
    }
    // Per-unit profit is the rate product (fees in); rounding only trims sizes, leaving dust balances.
    const profitBps = (gain - 1) * 1e4;
    const path = cycle.map((e) => `${this.currencies[edges[e]!.from]}>${this.currencies[edges[e]!.to]}`).join(' ');
    return { trade: legs.every((l) => l.sizeLots > 0) ? { legs, profitBps, path } : undefined, edges: edges.length };
  }

  private evaluate(trigger: string, ctx: StrategyContext, record: boolean): Decision | undefined {
    for (const inst of this.pairs) if (ctx.openOrders(inst.id).length > 0) return record ? { trigger, inputs: { state: 'waiting', cyclesSeen: this.cyclesSeen }, intents: [] } : undefined;
    const { trade, edges } = this.scan(ctx);
    const inputs = { edges, currencies: this.currencies.length, cycleFound: trade !== undefined, cycleBps: round6(trade?.profitBps ?? 0), path: trade?.path ?? '', cyclesSeen: this.cyclesSeen };
    if (!trade || trade.profitBps < this.p.minProfitBps || ctx.tradingState !== 'ACTIVE' || ctx.nowUs - this.lastTradeUs < this.p.minIntervalUs) {
      return record ? { trigger, inputs: { state: 'scan', ...inputs }, intents: [] } : undefined;
    }
    this.cyclesSeen++;
    this.lastTradeUs = ctx.nowUs;
    const intents: Intent[] = trade.legs.map((l, k) => iocAtTouch(this.id, l.inst, l.side, l.touch, l.sizeLots, 0, `leg${k + 1}`));
    return { trigger, inputs: { state: 'trade', ...inputs, cyclesSeen: this.cyclesSeen }, intents };
  }
}

export const triangularArbFactory: StrategyFactory = {
  type: 'triangular-arb',
  summary: 'profitable loops across one venue\'s pairs (negative cycle of −ln rate, Bellman–Ford), net of fees and touch sizes, IOC legs',
  create(id, instruments, params, source) {
    const p = parseTriangularArbParams(params, source);
    if (instruments.length < 2) throw new HftError('HFT_ERR_CONFIG', `${source}: triangular-arb needs at least two pairs, got ${instruments.length}`);
    for (const x of instruments) if (x.kind !== 'spot') throw new HftError('HFT_ERR_CONFIG', `${source}: triangular-arb converts currencies through spot pairs; ${x.id} is ${x.kind}`);
    return new TriangularArb(id, instruments, p);
  },
};
