import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { BookFlag, Side } from '../../src/model/market.ts';
import { ConstantLatency } from '../../src/sim/ConstantLatency.ts';
import { InterpolatedLatency } from '../../src/sim/InterpolatedLatency.ts';
import { ProbQueue } from '../../src/sim/ProbQueue.ts';
import { RiskAverseQueue } from '../../src/sim/RiskAverseQueue.ts';
import { SimVenue, type FillMode, type SubmitRequest } from '../../src/sim/SimVenue.ts';
import type { LatencyModel } from '../../src/sim/LatencyModel.ts';
import type { QueueModel } from '../../src/sim/QueueModel.ts';
import type { VenueResponse } from '../../src/sim/VenueResponse.ts';
import { power2Prob } from '../../src/sim/probFunctions.ts';
import { batchOf, funding, INVERSE, level, PERP, SPOT, trade } from './simFixtures.ts';
import type { Instrument } from '../../src/model/instrument.ts';
import type { MarketEvent } from '../../src/model/market.ts';

const { Bid, Ask } = Side;

/** bid 1000 x 5, 999 x 7 | ask 1001 x 4, 1002 x 6 (ticks x lots) at t = 0 */
const BOOK: MarketEvent[] = [level(0, Bid, 1000, 5), level(0, Bid, 999, 7), level(0, Ask, 1001, 4), level(0, Ask, 1002, 6)];

function venue(opts: { fillMode?: FillMode; latency?: LatencyModel; queue?: QueueModel; instrument?: Instrument } = {}): SimVenue {
  const v = new SimVenue({
    instrument: opts.instrument ?? PERP, latency: opts.latency ?? new ConstantLatency(100, 50),
    queue: opts.queue ?? new RiskAverseQueue(), fillMode: opts.fillMode ?? 'no-partial',
  });
  v.onMarketBatch(batchOf(BOOK));
  return v;
}
const feed = (v: SimVenue, ...events: MarketEvent[]): void => v.onMarketBatch(batchOf(events));
const drain = (v: SimVenue, t: number): VenueResponse[] => { v.advanceTo(t); return v.drainResponses(t); };
const limit = (clientOrderId: string, side: 'buy' | 'sell', priceTicks: number, sizeLots: number, timeInForce: SubmitRequest['timeInForce'] = 'GTC'): SubmitRequest =>
  ({ clientOrderId, side, type: 'limit', timeInForce, priceTicks, sizeLots });
const kinds = (rs: VenueResponse[]): string[] => rs.map((r) => r.kind);
const fills = (rs: VenueResponse[]): Array<[number, number, string]> =>
  rs.flatMap((r) => (r.kind === 'filled' ? [[r.priceTicks, r.sizeLots, r.liquidity] as [number, number, string]] : []));

describe('SimVenue: two clocks', () => {
  it('accepts at send + entry latency (venue time) and shows it at + response latency (local time)', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 1_000);
    expect(drain(v, 1_149)).toEqual([]);
    const [ack] = drain(v, 1_150);
    expect(ack).toMatchObject({ kind: 'accepted', clientOrderId: 'a', tsVenue: 1_100, tsLocal: 1_150, venueOrderId: 'simo1' });
  });

  it('keeps requests FIFO: a later request with a shorter latency does not overtake', () => {
    // entry latency 1000 µs at t=0, 10 µs at t=10 (linear between): the second would arrive at 20
    const v = venue({ latency: new InterpolatedLatency([{ requestUs: 0, venueUs: 1000, responseUs: 1000 }, { requestUs: 10, venueUs: 20, responseUs: 20 }]) });
    v.submit(limit('a', 'buy', 1000, 1), 0);
    v.submit(limit('b', 'buy', 999, 1), 10);
    const rs = drain(v, 5_000);
    expect(rs.map((r) => [r.kind, r.kind === 'funding' ? '' : r.clientOrderId, r.tsVenue])).toEqual([['accepted', 'a', 1000], ['accepted', 'b', 1000]]);
  });

  it('a negative entry latency rejects without the venue seeing the order, |latency| after sending', () => {
    const v = venue({ latency: new ConstantLatency(-300, 50) });
    v.submit(limit('a', 'buy', 1000, 1), 1_000);
    const rs = drain(v, 1_300);
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ kind: 'rejected', clientOrderId: 'a', tsLocal: 1_300 });
    expect(v.openOrders()).toHaveLength(0);
  });

  it('throws HFT_ERR_IN_FLIGHT for a second request before the first is answered, and allows it after', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    try { v.cancel('a', 10); expect.unreachable(); } catch (e) { expect(isHftError(e, 'HFT_ERR_IN_FLIGHT')).toBe(true); }
    expect(kinds(drain(v, 150))).toEqual(['accepted']);
    v.cancel('a', 200);
    expect(drain(v, 350)).toMatchObject([{ kind: 'canceled', clientOrderId: 'a', leavesLots: 3, tsVenue: 300, tsLocal: 350 }]);
  });
});

describe('SimVenue: resting orders and the queue', () => {
  it('fills a resting bid only after the quantity ahead has traded (risk-averse), at its price as maker', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    expect(v.openOrders()[0]).toMatchObject({ frontLots: 5, leavesLots: 3 });
    feed(v, trade(200, Ask, 1000, 5));
    expect(drain(v, 10_000)).toEqual([]);
    feed(v, trade(300, Ask, 1000, 2));
    const rs = drain(v, 10_000);
    // 2 lots (0.002) at 100.0 = 0.2 USDT notional; maker rate -0.0001: a rebate of 0.00002
    expect(rs).toMatchObject([{ kind: 'filled', priceTicks: 1000, sizeLots: 2, leavesLots: 1, liquidity: 'maker', price: '100', size: '0.002', fee: '-0.00002', feeCurrency: 'USDT', tsVenue: 300, tsLocal: 350 }]);
    expect(v.positionLots).toBe(2);
  });

  it('ignores trades whose aggressor is on our side', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    feed(v, trade(200, Bid, 1000, 50));
    expect(drain(v, 10_000)).toEqual([]);
  });

  it('fills a resting bid whole when a trade prints strictly through its price', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    feed(v, trade(200, Ask, 999, 1));
    expect(fills(drain(v, 10_000))).toEqual([[1000, 3, 'maker']]);
  });

  it('fills a resting ask whole when the best bid moves up to its price', () => {
    const v = venue();
    v.submit(limit('s', 'sell', 1002, 4), 0);
    drain(v, 150);
    feed(v, level(200, Bid, 1001, 1));
    expect(drain(v, 10_000)).toEqual([]);
    feed(v, level(300, Bid, 1002, 1));
    expect(fills(drain(v, 10_000))).toEqual([[1002, 4, 'maker']]);
    expect(v.positionLots).toBe(-4);
  });

  it('fills on a depth drop under a probabilistic model when the drop cannot all be behind us', () => {
    const v = venue({ queue: new ProbQueue(power2Prob(2)) });
    feed(v, level(1, Bid, 998, 1));
    v.submit(limit('a', 'buy', 998, 5), 0);
    drain(v, 150);
    feed(v, level(200, Bid, 998, 10)); // 9 joined behind us
    feed(v, level(300, Bid, 998, 0)); // F = 1 - 0.19·10 + min(9 - 8.1, 0) = -0.9 -> 1 lot
    expect(fills(drain(v, 10_000))).toEqual([[998, 1, 'maker']]);
  });

  it('re-estimates the queue from the new level once a snapshot (Clear) is complete', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    feed(v,
      level(200, Bid, 1000, 2, BookFlag.Clear | BookFlag.Snapshot),
      level(200, Ask, 1001, 4, BookFlag.Snapshot | BookFlag.EndOfMessage));
    expect(v.openOrders()[0]!.frontLots).toBe(2);
    expect(v.book.bestBid()).toBe(1000);
    expect(v.book.sizeAt(Bid, 999)).toBe(0);
  });
});

describe('SimVenue: taking liquidity', () => {
  it('rejects a post-only order that would take', () => {
    const v = venue();
    v.submit(limit('p', 'buy', 1001, 1, 'POST_ONLY'), 0);
    expect(drain(v, 150)).toMatchObject([{ kind: 'rejected', reason: 'post-only order would take liquidity' }]);
  });

  it('no-partial mode: a marketable limit fills whole at the touch as taker', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1002, 12), 0);
    const rs = drain(v, 150);
    expect(kinds(rs)).toEqual(['accepted', 'filled']);
    // 12 lots (0.012) at 100.1 = 1.2012 USDT; taker 0.0005 -> 0.0006006
    expect(rs[1]).toMatchObject({ priceTicks: 1001, sizeLots: 12, leavesLots: 0, liquidity: 'taker', price: '100.1', fee: '0.0006006' });
  });

  it('partial mode: walks the levels up to the limit and rests the remainder of a GTC order', () => {
    const v = venue({ fillMode: 'partial' });
    v.submit(limit('a', 'buy', 1001, 6), 0);
    const rs = drain(v, 150);
    expect(fills(rs)).toEqual([[1001, 4, 'taker']]);
    expect(v.openOrders()).toMatchObject([{ clientOrderId: 'a', priceTicks: 1001, leavesLots: 2 }]);
  });

  it('partial mode: IOC takes what the levels within its limit hold and expires the rest', () => {
    const v = venue({ fillMode: 'partial' });
    v.submit(limit('a', 'buy', 1002, 12, 'IOC'), 0);
    const rs = drain(v, 150);
    expect(fills(rs)).toEqual([[1001, 4, 'taker'], [1002, 6, 'taker']]);
    expect(rs.at(-1)).toMatchObject({ kind: 'expired', leavesLots: 2 });
    expect(v.openOrders()).toHaveLength(0);
  });

  it('partial mode: FOK expires untouched when the book cannot fill it whole, and fills when it can', () => {
    const v = venue({ fillMode: 'partial' });
    v.submit(limit('a', 'buy', 1002, 11, 'FOK'), 0);
    expect(kinds(drain(v, 150))).toEqual(['accepted', 'expired']);
    v.submit(limit('b', 'buy', 1002, 10, 'FOK'), 200);
    expect(fills(drain(v, 400))).toEqual([[1001, 4, 'taker'], [1002, 6, 'taker']]);
  });

  it('a non-marketable IOC expires without a fill', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 1, 'IOC'), 0);
    expect(kinds(drain(v, 150))).toEqual(['accepted', 'expired']);
  });

  it('partial mode: a market sell walks the bids; fees are per fill at each price', () => {
    const v = venue({ fillMode: 'partial' });
    v.submit({ clientOrderId: 'm', side: 'sell', type: 'market', timeInForce: 'IOC', priceTicks: 0, sizeLots: 10 }, 0);
    const rs = drain(v, 150);
    expect(fills(rs)).toEqual([[1000, 5, 'taker'], [999, 5, 'taker']]);
    // 0.005 * 100.0 * 0.0005 = 0.00025; 0.005 * 99.9 * 0.0005 = 0.00024975
    expect(rs.filter((r) => r.kind === 'filled').map((r) => (r.kind === 'filled' ? r.fee : ''))).toEqual(['0.00025', '0.00024975']);
    expect(v.positionLots).toBe(-10);
  });

  it('a market order on an empty side expires', () => {
    const v = new SimVenue({ instrument: PERP, latency: new ConstantLatency(0, 0), queue: new RiskAverseQueue(), fillMode: 'partial' });
    v.submit({ clientOrderId: 'm', side: 'buy', type: 'market', timeInForce: 'IOC', priceTicks: 0, sizeLots: 1 }, 0);
    expect(kinds(drain(v, 0))).toEqual(['accepted', 'expired']);
  });

  it('rejects a duplicate client order id and a non-integer size, naming the problem', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 1), 0);
    drain(v, 150);
    v.submit(limit('a', 'buy', 1000, 1), 200);
    v.submit(limit('b', 'buy', 1000, 1.5), 200);
    expect(drain(v, 1_000)).toMatchObject([
      { kind: 'rejected', clientOrderId: 'a', reason: "duplicate clientOrderId 'a'" },
      { kind: 'rejected', clientOrderId: 'b', reason: 'sizeLots must be a positive integer, got 1.5' },
    ]);
  });
});

describe('SimVenue: cancel and modify', () => {
  it('rejects a cancel that arrives after the fill (sent before it: the race)', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    v.cancel('a', 160); // arrives at 260
    feed(v, trade(250, Ask, 999, 1)); // trade-through at 250 fills it first
    expect(drain(v, 10_000)).toMatchObject([
      { kind: 'filled', sizeLots: 3, tsVenue: 250 },
      { kind: 'cancel-rejected', reason: 'order already filled', tsVenue: 260 },
    ]);
  });

  it('cancels the open remainder of a partially filled order', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    feed(v, trade(200, Ask, 1000, 6));
    v.cancel('a', 300);
    expect(drain(v, 10_000)).toMatchObject([{ kind: 'filled', sizeLots: 1 }, { kind: 'canceled', leavesLots: 2 }]);
  });

  it('a size cut keeps the queue position', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    feed(v, trade(200, Ask, 1000, 4)); // F 5 -> 1
    v.modify('a', { priceTicks: 1000, sizeLots: 2 }, 300);
    expect(drain(v, 1_000)).toMatchObject([{ kind: 'updated', sizeLots: 2, leavesLots: 2, keptQueue: true }]);
    expect(v.openOrders()[0]).toMatchObject({ frontLots: 1, leavesLots: 2 });
  });

  it('raising the size or changing the price is cancel + new: back of the queue', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    drain(v, 150);
    feed(v, trade(200, Ask, 1000, 4)); // F 5 -> 1
    v.modify('a', { priceTicks: 1000, sizeLots: 4 }, 300);
    expect(drain(v, 1_000)).toMatchObject([{ kind: 'updated', keptQueue: false }]);
    expect(v.openOrders()[0]).toMatchObject({ frontLots: 5, leavesLots: 4 });
    v.modify('a', { priceTicks: 999, sizeLots: 4 }, 1_000);
    drain(v, 2_000);
    expect(v.openOrders()[0]).toMatchObject({ priceTicks: 999, frontLots: 7 });
  });

  it('a modify to a marketable price takes liquidity; post-only instead rejects the modify and keeps the order', () => {
    const v = venue();
    v.submit(limit('a', 'buy', 1000, 3), 0);
    v.submit(limit('p', 'buy', 1000, 3, 'POST_ONLY'), 0);
    drain(v, 150);
    v.modify('a', { priceTicks: 1001, sizeLots: 3 }, 200);
    v.modify('p', { priceTicks: 1001, sizeLots: 3 }, 200);
    expect(drain(v, 1_000)).toMatchObject([
      { kind: 'updated', clientOrderId: 'a' }, { kind: 'filled', clientOrderId: 'a', priceTicks: 1001, liquidity: 'taker' },
      { kind: 'update-rejected', clientOrderId: 'p', reason: 'post-only order would take liquidity' },
    ]);
    expect(v.openOrders()).toMatchObject([{ clientOrderId: 'p', priceTicks: 1000 }]);
  });

  it('rejects a cancel for an unknown order', () => {
    const v = venue();
    v.cancel('nope', 0);
    expect(drain(v, 150)).toMatchObject([{ kind: 'cancel-rejected', reason: 'unknown order' }]);
  });
});

describe('SimVenue: funding', () => {
  const longThenFund = (inst: Instrument, buyLots: number, ev: MarketEvent[]): VenueResponse[] => {
    const v = new SimVenue({ instrument: inst, latency: new ConstantLatency(0, 0), queue: new RiskAverseQueue(), fillMode: 'no-partial' });
    feed(v, ...BOOK);
    v.submit(buyLots > 0 ? limit('a', 'buy', 1001, buyLots) : limit('a', 'sell', 1000, -buyLots), 0);
    drain(v, 0);
    feed(v, ...ev);
    return drain(v, Number.MAX_SAFE_INTEGER);
  };

  it('linear: a long pays position × mark × rate in quote', () => {
    // 5 lots = 0.005 BTC, mark 60000.0, rate 0.0001: pays 0.03 USDT
    const [s] = longThenFund(PERP, 5, [funding(1_000, 0.0001, 600_000)]);
    expect(s).toMatchObject({ kind: 'funding', positionLots: 5, position: '0.005', markPrice: '60000', rate: '0.0001', amount: '-0.03', currency: 'USDT', fundingTimeUs: 1_000 });
  });

  it('inverse: a short of 3 × 100 USD contracts receives 300 / mark × rate in coin', () => {
    // 300 / 50000.0 = 0.006 BTC; × 0.0001 = 0.0000006 received
    const [s] = longThenFund(INVERSE, -3, [funding(1_000, 0.0001, 500_000)]);
    expect(s).toMatchObject({ kind: 'funding', positionLots: -3, amount: '0.0000006', currency: 'BTC' });
  });

  it('settles a predicted rate at its funding time (the latest rate wins) and only once', () => {
    const rs = longThenFund(PERP, 5, [
      funding(1_000, 0.0002, 600_000, 5_000), funding(2_000, 0.0001, 600_000, 5_000),
      trade(6_000, Ask, 900, 1), funding(7_000, 0.0003, 600_000, 5_000),
    ]).filter((r) => r.kind === 'funding');
    expect(rs).toMatchObject([{ tsVenue: 5_000, rate: '0.0001', amount: '-0.03' }]);
  });

  it('refuses a funding row on a spot instrument', () => {
    const v = new SimVenue({ instrument: SPOT, latency: new ConstantLatency(0, 0), queue: new RiskAverseQueue(), fillMode: 'partial' });
    expect(() => feed(v, funding(1, 0.0001, 1))).toThrow(/funding row 0 for a spot instrument/);
  });
});
