import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../../src/model/book/L2Book.ts';
import { NO_ASK, NO_BID } from '../../../src/model/book/BookView.ts';
import { BookFlag, Side } from '../../../src/model/market.ts';

/** The naive reference: a Map per side, sorted on read. */
class MapBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  apply(side: number, px: number, sz: number, flags: number): void {
    if (flags & BookFlag.Clear) { this.bids.clear(); this.asks.clear(); }
    const m = side === 1 ? this.bids : this.asks;
    if (sz === 0) m.delete(px); else m.set(px, sz);
  }
  levels(side: number): Array<[number, number]> {
    const m = side === 1 ? this.bids : this.asks;
    return [...m].sort((a, b) => (side === 1 ? b[0] - a[0] : a[0] - b[0]));
  }
}

const op = fc.record({
  side: fc.constantFrom(1, -1),
  // Clustered prices with occasional far jumps, so windows, far levels and re-centring are all exercised.
  px: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 990, max: 1010 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 5000 }) }),
  sz: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
  clear: fc.integer({ min: 0, max: 49 }).map((n) => n === 0),
});

describe('L2Book against a Map-based model', () => {
  it('agrees on best bid/ask, sizes, every level and crossedness after any update sequence', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(4, 16, 64, 65536), (ops, windowTicks) => {
      const book = new L2Book('t', { windowTicks });
      const ref = new MapBook();
      for (const o of ops) {
        const flags = o.clear ? BookFlag.Clear : 0;
        book.applyRow(o.side, o.px, o.sz, flags);
        ref.apply(o.side, o.px, o.sz, flags);
        const b = ref.levels(1); const a = ref.levels(-1);
        expect(book.bestBid()).toBe(b[0]?.[0] ?? NO_BID);
        expect(book.bestAsk()).toBe(a[0]?.[0] ?? NO_ASK);
        expect(book.bestBidSize()).toBe(b[0]?.[1] ?? 0);
        expect(book.bestAskSize()).toBe(a[0]?.[1] ?? 0);
      }
      expect(book.depth(Side.Bid, 10_000)).toEqual(ref.levels(1));
      expect(book.depth(Side.Ask, 10_000)).toEqual(ref.levels(-1));
      expect(book.depth(Side.Ask, 3)).toEqual(ref.levels(-1).slice(0, 3));
      for (const o of ops) expect(book.sizeAt(o.side as Side, o.px)).toBe((o.side === 1 ? ref.bids : ref.asks).get(o.px) ?? 0);
      const bb = ref.levels(1)[0]; const ba = ref.levels(-1)[0];
      expect(book.isCrossed()).toBe(bb !== undefined && ba !== undefined && bb[0] >= ba[0]);
    }), { numRuns: 300, seed: 42 });
  });
});

describe('L2Book queries', () => {
  const book = new L2Book('t', { windowTicks: 8 });
  // asks 101x5, 102x3, 110x10 (110 is beyond the 8-tick window: a far level)
  book.applyRow(Side.Ask, 101, 5, BookFlag.Clear | BookFlag.Snapshot);
  book.applyRow(Side.Ask, 102, 3, BookFlag.Snapshot);
  book.applyRow(Side.Ask, 110, 10, BookFlag.Snapshot);
  book.applyRow(Side.Bid, 100, 7, BookFlag.Snapshot | BookFlag.EndOfMessage);

  it('computes VWAP across levels, including a far one', () => {
    expect(book.vwap(Side.Ask, 5)).toBe(101);
    expect(book.vwap(Side.Ask, 8)).toBe((5 * 101 + 3 * 102) / 8);
    expect(book.vwap(Side.Ask, 10)).toBe((5 * 101 + 3 * 102 + 2 * 110) / 10);
  });
  it('gives the worst price reached as the impact price', () => {
    expect(book.impactPrice(Side.Ask, 5)).toBe(101);
    expect(book.impactPrice(Side.Ask, 6)).toBe(102);
    expect(book.impactPrice(Side.Ask, 18)).toBe(110);
  });
  it('returns NaN when the side is too thin', () => {
    expect(book.vwap(Side.Ask, 19)).toBeNaN();
    expect(book.impactPrice(Side.Bid, 8)).toBeNaN();
  });
  it('detects a crossed book and clears it', () => {
    const b = new L2Book('x');
    b.applyRow(Side.Ask, 100, 1, 0);
    b.applyRow(Side.Bid, 99, 1, 0);
    expect(b.isCrossed()).toBe(false);
    b.applyRow(Side.Bid, 100, 1, 0);
    expect(b.isCrossed()).toBe(true);
    b.clear();
    expect([b.bestBid(), b.bestAsk(), b.isCrossed()]).toEqual([NO_BID, NO_ASK, false]);
  });
});
