/**
 * Grid trading: resting post-only orders on a fixed price grid (every `levelSpacingTicks`, absolute
 * multiples, so the grid does not drift with the mid): buys on the `levelsEachSide` grid levels below
 * the best bid, sells on those above the best ask. A buy filled at one level is taken out at the next
 * level up when the price comes back, one spacing of profit per round trip (less fees).
 *
 * Inventory: no more buy levels than (maxPosition − position) / orderSize allows, likewise for sells,
 * so the book of resting orders can never carry the position past ±maxPosition. Orders are only
 * canceled when their level leaves the window (queue position is kept), never while in flight, and
 * no new level is placed while a placement is still unacknowledged.
 *
 * Risk: a trend walks the grid into a full position against it (bounded by maxPosition, not stopped).
 */
import { HftError } from '../../core/errors.ts';
import { ConfigReader } from '../../core/validate.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketKind } from '../../model/market.ts';
import type { Intent, Order } from '../../model/orders.ts';
import type { Decision, Strategy, StrategyContext, StrategyFactory } from '../Strategy.ts';
import { orderTickStep, touchOf } from '../cross-arb/crossArbInternals.ts';

export interface GridParams {
  readonly levelSpacingTicks: number;
  readonly levelsEachSide: number;
  /** Base units per grid order (decimal string). */
  readonly orderSize: string;
  readonly maxPosition: string;
}

export function parseGridParams(params: Readonly<Record<string, unknown>>, source: string): GridParams {
  const r = new ConfigReader(source);
  r.noUnknownKeys(params, '', ['levelSpacingTicks', 'levelsEachSide', 'orderSize', 'maxPosition']);
  const p: GridParams = {
    levelSpacingTicks: r.number(params, 'levelSpacingTicks', { min: 1, integer: true }),
    levelsEachSide: r.number(params, 'levelsEachSide', { min: 1, max: 50, integer: true }),
    orderSize: r.decimal(params, 'orderSize'),
    maxPosition: r.decimal(params, 'maxPosition'),
  };
  if (Number(p.orderSize) <= 0) r.problems.push(`orderSize: must be > 0, got '${p.orderSize}'`);
  r.done();
  return p;
}

export class GridTrading implements Strategy {
  readonly instruments: readonly string[];
  readonly timerIntervalUs = 0;
  private readonly sizeLots: number;
  private readonly maxLots: number;
  private readonly spacing: number;

  constructor(readonly id: string, private readonly inst: Instrument, private readonly p: GridParams) {
    this.instruments = [inst.id];
    this.sizeLots = inst.lot.toUnits(p.orderSize);
    this.maxLots = inst.lot.toUnits(p.maxPosition);
    const step = orderTickStep(inst);
    if (p.levelSpacingTicks % step !== 0) throw new HftError('HFT_ERR_CONFIG', `grid ${id}: levelSpacingTicks ${p.levelSpacingTicks} is not a multiple of the order tick (${step} ticks)`);
    this.spacing = p.levelSpacingTicks;
  }

  onMarket(instrument: string, kind: MarketKind, ctx: StrategyContext): Decision | undefined {
    if (instrument !== this.inst.id || (kind !== 'bbo' && kind !== 'book')) return undefined;
    return this.reconcile(kind, ctx);
  }

  onTimer(): Decision | undefined { return undefined; }

  onOrder(order: Order, ctx: StrategyContext): Decision | undefined {
    if (order.status === 'filled' || order.status === 'canceled' || order.status === 'rejected') return this.reconcile('order', ctx);
    return undefined;
  }

  /** The grid levels wanted now: [priceTicks, side] pairs, nearest first. */
  targets(ctx: StrategyContext): { priceTicks: number; side: 'buy' | 'sell' }[] {
    const t = touchOf(ctx, this.inst.id);
    if (!t || ctx.tradingState !== 'ACTIVE') return [];
    const q = ctx.positionLots(this.inst.id);
    const buys = Math.min(this.p.levelsEachSide, Math.floor((this.maxLots - q) / this.sizeLots));
    const sells = Math.min(this.p.levelsEachSide, Math.floor((this.maxLots + q) / this.sizeLots));
    const out: { priceTicks: number; side: 'buy' | 'sell' }[] = [];
    const firstBuy = Math.floor(t.bidTicks / this.spacing) * this.spacing;
    const firstSell = Math.ceil(t.askTicks / this.spacing) * this.spacing;
    for (let i = 0; i < buys; i++) out.push({ priceTicks: firstBuy - i * this.spacing, side: 'buy' });
    for (let i = 0; i < sells; i++) out.push({ priceTicks: firstSell + i * this.spacing, side: 'sell' });
    return out;
  }

  private reconcile(trigger: string, ctx: StrategyContext): Decision | undefined {
    const wanted = this.targets(ctx);
    const open = ctx.openOrders(this.inst.id);
    const key = (side: string, px: number): string => `${side}@${px}`;
    const have = new Set(open.map((o) => key(o.side, o.priceTicks)));
    const want = new Set(wanted.map((w) => key(w.side, w.priceTicks)));
    const intents: Intent[] = [];
    for (const o of open) {
      if (want.has(key(o.side, o.priceTicks)) || o.status === 'submitted' || o.status === 'pending-cancel' || o.status === 'pending-update') continue;
      intents.push({ kind: 'cancel', strategyId: this.id, clientOrderId: o.clientOrderId });
    }
    // While a placement is in flight the book we see is older than our own orders: a fast move would
    // otherwise stack a new ladder on every BBO before the previous one is acknowledged.
    const placing = open.some((o) => o.status === 'submitted');
    for (const w of wanted) {
      if (placing) break;
      if (have.has(key(w.side, w.priceTicks))) continue;
      intents.push({ kind: 'place', strategyId: this.id, instrument: this.inst.id, side: w.side, type: 'limit', timeInForce: 'POST_ONLY', priceTicks: w.priceTicks, sizeLots: this.sizeLots, reduceOnly: false, tag: `grid-${w.side}-${w.priceTicks}` });
    }
    if (intents.length === 0) return undefined;
    const t = ctx.bbo(this.inst.id);
    return { trigger, inputs: { bidTicks: t.bidTicks, askTicks: t.askTicks, positionLots: ctx.positionLots(this.inst.id), levels: wanted.length, openOrders: open.length }, intents };
  }
}

export const gridFactory: StrategyFactory = {
  type: 'grid',
  summary: 'post-only orders on a fixed price grid around the touch, inventory-capped',
  create(id, instruments, params, source) {
    const p = parseGridParams(params, source);
    if (instruments.length !== 1) throw new HftError('HFT_ERR_CONFIG', `${source}: grid trades exactly one instrument, got ${instruments.length}`);
    return new GridTrading(id, instruments[0]!, p);
  },
};
