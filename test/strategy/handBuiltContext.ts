/**
 * A StrategyContext over hand-built books, for given/when/then tests of strategy decisions. Books are
 * real L2Books; BBO is their top; positions and open orders are whatever the test states.
 */
import { SeededRandom } from '../../src/core/random.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { L2Book } from '../../src/model/book/L2Book.ts';
import { instrument, type Instrument, type InstrumentSpec } from '../../src/model/instrument.ts';
import type { Order, TradingState } from '../../src/model/orders.ts';
import type { StrategyContext } from '../../src/strategy/Strategy.ts';

export const spec = (id: string, fees?: { maker: string; taker: string }): Instrument => {
  const s = captureInstruments.find((x) => x.id === id);
  if (!s) throw new Error(`no capture instrument ${id}`);
  return instrument(fees ? { ...s, makerFeeRate: fees.maker, takerFeeRate: fees.taker } : s);
};

/** A pair the captures do not have (ETHBTC), with Binance's 2024 filters. */
export const ethbtc = (taker: string): Instrument => instrument({
  id: 'binance-spot:ETHBTC', venue: 'binance-spot', symbol: 'ETHBTC', kind: 'spot', base: 'ETH', quote: 'BTC', settle: 'BTC',
  tickSize: '0.00001', lotSize: '0.0001', contractMultiplier: '1', makerFeeRate: taker, takerFeeRate: taker,
} satisfies InstrumentSpec);

export interface BookSpec { bids: [string, string][]; asks: [string, string][] }

export class HandBuiltContext implements StrategyContext {
  nowUs = 1_723_161_600_000_000;
  tradingState: TradingState = 'ACTIVE';
  readonly random = new SeededRandom(1);
  readonly positions = new Map<string, number>();
  readonly open = new Map<string, Order[]>();
  private readonly books = new Map<string, L2Book>();
  private readonly insts = new Map<string, Instrument>();

  constructor(instruments: readonly Instrument[]) { for (const i of instruments) this.insts.set(i.id, i); }

  /** Sets a book from decimal price/size strings (converted with the instrument's increments). */
  setBook(id: string, b: BookSpec): this {
    const inst = this.instrument(id);
    const book = new L2Book(id);
    for (const [p, s] of b.bids) book.applyRow(1, inst.tick.toUnits(p), inst.lot.toUnits(s), 0);
    for (const [p, s] of b.asks) book.applyRow(-1, inst.tick.toUnits(p), inst.lot.toUnits(s), 0);
    this.books.set(id, book);
    return this;
  }

  book(id: string): L2Book { const b = this.books.get(id); if (!b) throw new Error(`no book ${id}`); return b; }
  instrument(id: string): Instrument { const i = this.insts.get(id); if (!i) throw new Error(`no instrument ${id}`); return i; }
  positionLots(id: string): number { return this.positions.get(id) ?? 0; }
  openOrders(id: string): readonly Order[] { return this.open.get(id) ?? []; }
  bbo(id: string): { bidTicks: number; bidLots: number; askTicks: number; askLots: number } {
    const b = this.books.get(id);
    if (!b) return { bidTicks: Number.NEGATIVE_INFINITY, bidLots: 0, askTicks: Number.POSITIVE_INFINITY, askLots: 0 };
    return { bidTicks: b.bestBid(), bidLots: b.bestBidSize(), askTicks: b.bestAsk(), askLots: b.bestAskSize() };
  }
  lastTrade(): undefined { return undefined; }
  funding(): undefined { return undefined; }
}

/** An open order as the OMS would hold it after acceptance. */
export function restingOrder(o: { id: string; strategyId: string; instrument: string; side: 'buy' | 'sell'; priceTicks: number; sizeLots: number; tag: string; status?: Order['status'] }): Order {
  return {
    clientOrderId: o.id, strategyId: o.strategyId, instrument: o.instrument, side: o.side, type: 'limit', timeInForce: 'POST_ONLY',
    priceTicks: o.priceTicks, sizeLots: o.sizeLots, reduceOnly: false, tag: o.tag, status: o.status ?? 'accepted', previousStatus: undefined,
    venueOrderId: `v-${o.id}`, filledLots: 0, leavesLots: o.sizeLots, fillNotionalTicksLots: 0, venueTradeIds: new Set(), pendingPriceTicks: 0, pendingSizeLots: 0,
  };
}
