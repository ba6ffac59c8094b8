/**
 * The venue's touch follows the BBO stream when it is newer than the depth diffs (Binance streams
 * bookTicker in real time and depth in 100 ms batches, both numbered with the same update ids).
 */
import { describe, expect, it } from 'vitest';
import { ConstantLatency } from '../../src/sim/ConstantLatency.ts';
import { RiskAverseQueue } from '../../src/sim/RiskAverseQueue.ts';
import { SimVenue } from '../../src/sim/SimVenue.ts';
import type { VenueResponse } from '../../src/sim/VenueResponse.ts';
import { BookFlag, Side, type MarketEvent } from '../../src/model/market.ts';
import { batchOf, PERP } from './simFixtures.ts';

const book = (tsEvent: number, side: 1 | -1, priceTicks: number, sizeLots: number, updateId: number, flags: number = BookFlag.EndOfMessage): MarketEvent =>
  ({ kind: 'book', instrument: 'x', tsEvent, tsRecv: tsEvent, side, priceTicks, sizeLots, flags, updateId });
const bbo = (tsEvent: number, bid: number, bidLots: number, ask: number, askLots: number, updateId: number): MarketEvent =>
  ({ kind: 'bbo', instrument: 'x', tsEvent, tsRecv: tsEvent, bidPriceTicks: bid, bidSizeLots: bidLots, askPriceTicks: ask, askSizeLots: askLots, updateId });

function venue(): SimVenue {
  const v = new SimVenue({ instrument: PERP, latency: new ConstantLatency(10, 10), queue: new RiskAverseQueue(), fillMode: 'partial' });
  // snapshot: bids 999, 998; asks 1001, 1002 (update id 100)
  v.onMarketBatch(batchOf([
    book(0, Side.Bid, 999, 5, 100, BookFlag.Clear | BookFlag.Snapshot),
    book(0, Side.Bid, 998, 5, 100, BookFlag.Snapshot),
    book(0, Side.Ask, 1001, 5, 100, BookFlag.Snapshot),
    book(0, Side.Ask, 1002, 5, 100, BookFlag.Snapshot | BookFlag.EndOfMessage),
  ]));
  return v;
}
const drain = (v: SimVenue, t: number): VenueResponse[] => { v.advanceTo(t); return v.drainResponses(t); };

describe('BBO overlay on the venue book', () => {
  it('removes levels better than a newer BBO and sets the touch size', () => {
    const v = venue();
    v.onMarketBatch(batchOf([bbo(10, 998, 7, 1001, 3, 105)]));
    expect(v.book.bestBid()).toBe(998);
    expect(v.book.bestBidSize()).toBe(7);
    expect(v.book.sizeAt(Side.Bid, 999)).toBe(0);
    expect(v.book.bestAskSize()).toBe(3);
  });

  it('ignores a BBO older than the depth it would overwrite', () => {
    const v = venue();
    v.onMarketBatch(batchOf([bbo(10, 998, 7, 1001, 3, 99)]));
    expect(v.book.bestBid()).toBe(999);
    expect(v.book.bestAskSize()).toBe(5);
  });

  it('re-applies the BBO after an older depth message brings back a stale level', () => {
    const v = venue();
    v.onMarketBatch(batchOf([bbo(10, 998, 7, 1001, 3, 105), book(20, Side.Bid, 999, 4, 103)]));
    expect(v.book.bestBid()).toBe(998);
    v.onMarketBatch(batchOf([book(30, Side.Bid, 999, 4, 106)]));
    expect(v.book.bestBid()).toBe(999); // a newer diff is the truth again
  });

  it('rejects a post-only bid that the newer BBO shows would take', () => {
    const v = venue();
    // the ask dropped to 999 according to the BBO (update 105), depth still shows 1001
    v.onMarketBatch(batchOf([bbo(10, 998, 7, 999, 2, 105)]));
    v.submit({ clientOrderId: 'p', side: 'buy', type: 'limit', timeInForce: 'POST_ONLY', priceTicks: 999, sizeLots: 1 }, 20);
    const [r] = drain(v, 100);
    expect(r).toMatchObject({ kind: 'rejected', clientOrderId: 'p' });
  });
});
