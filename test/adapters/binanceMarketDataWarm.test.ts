/**
 * BinanceMarketData.warm: synthetic bookTicker, trade and depth messages at the venue's top of book,
 * parsed by the feed's normalizers and a throwaway depth synchronizer, with the feed's own book state
 * untouched (its first real snapshot and diffs sync as without the warm-up).
 */
import { describe, expect, it } from 'vitest';
import { BinanceMarketData, binanceDecimal } from '../../src/adapters/binance/BinanceMarketData.ts';
import { Increment } from '../../src/core/fixed.ts';
import { BUILTIN_SESSION_INSTRUMENTS } from '../../src/cli/commands/paper.ts';
import { BookFlag, type BookDelta, type MarketEvent } from '../../src/model/market.ts';

const spec = (venue: string) => {
  const s = BUILTIN_SESSION_INSTRUMENTS.find((x) => x.venue === venue && x.symbol === 'BTCUSDT');
  if (!s) throw new Error(`no built-in BTCUSDT spec for ${venue}`);
  return s;
};

class Probe extends BinanceMarketData {
  /** The feed's own message path (protected in the class). */
  feed(text: string, tsRecv: number): MarketEvent[] { return this.handle(text, tsRecv); }
  /** What `start` does to the depth state before connecting. */
  reset(): void { this.resetSync(); }
  /** LiveWsFeed's warm-up of the socket's message path, with a message of the caller's choice. */
  warmWith(quiet: string): void { this.warmMessagePath(quiet); }
}

describe('binanceDecimal', () => {
  const d = (units: number, step: string): string => binanceDecimal(new Increment(step), units);
  it('writes units of a step with 8 decimals, exactly', () => {
    expect(d(9_123_456, '0.01')).toBe('91234.56000000');
    expect(d(123, '0.00001')).toBe('0.00123000');
    expect(d(0, '0.1')).toBe('0.00000000');
    expect(d(7, '1')).toBe('7.00000000');
    expect(d(3, '0.000000001')).toBe('0.000000003');
    expect(d(12, '1e-2')).toBe('0.12000000');
    expect(() => d(1.5, '0.01')).toThrow();
  });
});

describe.each(['binance-spot', 'binance-usdm'] as const)('BinanceMarketData.warm (%s)', (venue) => {
  const s = spec(venue);
  const tick = Number(s.tickSize); const lot = Number(s.lotSize);
  const top = { bidTicks: Math.round(91_234.5 / tick), bidLots: Math.round(0.75 / lot), askTicks: Math.round(91_234.5 / tick) + 1, askLots: Math.round(1.25 / lot) };
  const make = () => new Probe({ venue, restUrl: 'http://127.0.0.1:1', wsUrl: 'ws://127.0.0.1:1', instruments: [s], clockUs: () => 1_765_000_000_000_000, onEvents: () => {} });

  it('parses bookTicker, trade, a depth snapshot and a diff at the given top, in ticks and lots', () => {
    const events = make().warm(20, [top]);
    const bbo = events.filter((e) => e.kind === 'bbo');
    const trades = events.filter((e) => e.kind === 'trade');
    expect(bbo).toHaveLength(1);
    expect(trades).toHaveLength(1);
    expect(bbo[0]).toMatchObject({ bidPriceTicks: top.bidTicks - 1, askPriceTicks: top.askTicks + 1, bidSizeLots: top.bidLots, askSizeLots: top.askLots });
    // The last round (19) is no snapshot round: the one-level diff only, as the real feed sends it.
    const book = events.filter((e): e is BookDelta => e.kind === 'book');
    // Round 19 moves the top one tick out (bid - 1, ask + 1): a level set two ticks further out a side,
    // one deleted.
    expect(book.map((b) => [b.side, b.priceTicks, b.sizeLots])).toEqual([[1, top.bidTicks - 3, Math.round(top.bidLots * 0.5)], [1, top.bidTicks - 4, 0], [-1, top.askTicks + 3, Math.round(top.askLots * 0.5)]]);
    expect(book.at(-1)!.flags & BookFlag.EndOfMessage).toBe(BookFlag.EndOfMessage);
    // A snapshot round: 100 levels a side, Clear on the first row, then the diff.
    const snap = make().warm(1, [top]).filter((e): e is BookDelta => e.kind === 'book');
    expect(snap).toHaveLength(203);
    expect(snap[0]!.flags).toBe(BookFlag.Snapshot | BookFlag.Clear);
    expect(snap.slice(0, 100).map((b) => b.priceTicks)).toEqual(Array.from({ length: 100 }, (_, i) => top.bidTicks - i));
    expect(snap.slice(100, 200).map((b) => b.priceTicks)).toEqual(Array.from({ length: 100 }, (_, i) => top.askTicks + i));
  });

  it("leaves the feed's own depth sync as it was: a diff before any real snapshot is held, not applied", () => {
    const md = make();
    md.reset();
    md.warm(30, [top]);
    expect(md.isSynced('BTCUSDT')).toBe(false);
    const pu = venue === 'binance-spot' ? '' : '"pu":4,';
    const out = md.feed(`{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1765000000000,"s":"BTCUSDT","U":5,"u":6,${pu}"b":[["91000.00","0.5"]],"a":[]}}`, 1_765_000_000_000_000);
    expect(out).toEqual([]);
    expect(md.isSynced('BTCUSDT')).toBe(false);
  });

  it('runs the socket message path on a subscription answer: nothing reaches the session, no message counted', () => {
    const seen: MarketEvent[][] = [];
    const md = new Probe({ venue, restUrl: 'http://127.0.0.1:1', wsUrl: 'ws://127.0.0.1:1', instruments: [s], clockUs: () => 1_765_000_000_000_000, onEvents: (e) => seen.push(e) });
    md.warm(5, [top]);
    expect(seen).toEqual([]);
    expect(md.stats.messages).toBe(0);
    // A "quiet" message that carries market events would have reached the session: refused, nothing sent.
    const bbo = `{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"91234.50","B":"1.0","a":"91234.60","A":"1.0"}}`;
    expect(() => md.warmWith(bbo)).toThrow(/yields market events/);
    expect(seen).toEqual([]);
    expect(md.stats.messages).toBe(0);
  });

  it('without tops, one tick and one lot as before', () => {
    const bbo = make().warm(2).filter((e) => e.kind === 'bbo');
    expect(bbo[0]).toMatchObject({ bidPriceTicks: 1, askPriceTicks: 1, bidSizeLots: 1, askSizeLots: 1 });
  });
});
