/**
 * Rebuilds Binance books from diff depth + REST snapshots and checks them against the venue's own
 * truth: a bookTicker carries the update id `u` it reflects, so whenever `u` equals the final `u` of a
 * diff (or a snapshot's lastUpdateId), the rebuilt best bid and ask, price AND size, must equal it.
 * Diffs are batched (100 ms on spot), so only those bookTickers are checkable; the rest are counted.
 *
 * The bookTicker and depth streams are separate, so a ticker may arrive before or after the diff with
 * its `u`: tickers ahead of the book wait in `pending`, and the BBO after each recent diff is kept in a
 * small history for tickers that arrive late. Pure: no I/O; the caller feeds messages in capture order.
 */
import { L2Book } from '../../model/book/L2Book.ts';
import { BookFlag, type MarketEvent } from '../../model/market.ts';
import { BinanceBookSync } from '../binance/BinanceBookSync.ts';
import { binanceBookTicker, isBinanceBookTicker } from '../binance/bookTicker.ts';
import type { InstrumentLookup, VenueId } from '../normalizer.ts';

export interface BookCheckInstrument {
  readonly instrument: string;
  /** Truth records seen (bookTickers; OKX: book messages with a checksum). */
  total: number;
  /** Truth records that could be compared with the rebuilt book. */
  checked: number;
  matched: number;
  gaps: number;
  readonly gapDetails: string[];
  /** The first few mismatches, human-readable. */
  readonly mismatches: string[];
}

interface Bbo { bidPx: number; bidSz: number; askPx: number; askSz: number }
interface PendingTicker extends Bbo { tsRecv: number }

const HISTORY = 4096;
const MAX_REPORTED = 5;

class SymbolCheck {
  readonly book: L2Book;
  readonly result: BookCheckInstrument;
  /** BBO after each applied diff, keyed by its final update id (bounded, oldest evicted). */
  readonly history = new Map<number, Bbo>();
  readonly pending = new Map<number, PendingTicker>();
  constructor(instrumentId: string) {
    this.book = new L2Book(instrumentId);
    this.result = { instrument: instrumentId, total: 0, checked: 0, matched: 0, gaps: 0, gapDetails: [], mismatches: [] };
  }
  compare(u: number, truth: Bbo, rebuilt: Bbo): void {
    this.result.checked++;
    if (truth.bidPx === rebuilt.bidPx && truth.bidSz === rebuilt.bidSz && truth.askPx === rebuilt.askPx && truth.askSz === rebuilt.askSz) {
      this.result.matched++;
    } else if (this.result.mismatches.length < MAX_REPORTED) {
      this.result.mismatches.push(`u=${u}: bookTicker ${fmt(truth)} vs rebuilt ${fmt(rebuilt)}`);
    }
  }
}

const fmt = (b: Bbo): string => `${b.bidSz}@${b.bidPx} / ${b.askSz}@${b.askPx}`;

export class BinanceBookCheck {
  private readonly sync: BinanceBookSync;
  private readonly ticker;
  private readonly lookup: InstrumentLookup;
  private readonly symbols = new Map<string, SymbolCheck>();

  constructor(venue: VenueId, lookup: InstrumentLookup) {
    this.lookup = lookup;
    this.sync = new BinanceBookSync(venue, lookup);
    this.ticker = binanceBookTicker(venue, lookup);
  }

  private symbol(symbol: string): SymbolCheck {
    let s = this.symbols.get(symbol);
    if (!s) { s = new SymbolCheck(this.lookup(symbol).id); this.symbols.set(symbol, s); }
    return s;
  }

  /** A WebSocket message: diff depth and bookTicker are used, everything else ignored. */
  onMessage(msg: unknown, tsRecv: number): void {
    if (this.sync.canHandle(msg)) {
      const symbol = String((msg as { data?: { s?: unknown }; s?: unknown }).data?.s ?? (msg as { s?: unknown }).s);
      this.afterBook(symbol, this.sync.map(msg, tsRecv));
    } else if (isBinanceBookTicker(msg)) {
      for (const e of this.ticker.map(msg, tsRecv)) {
        if (e.kind !== 'bbo') continue;
        const s = this.symbol(e.instrument.slice(e.instrument.indexOf(':') + 1));
        s.result.total++;
        const truth = { bidPx: e.bidPriceTicks, bidSz: e.bidSizeLots, askPx: e.askPriceTicks, askSz: e.askSizeLots };
        const seen = s.history.get(e.updateId);
        if (seen) s.compare(e.updateId, truth, seen);
        else if (e.updateId > this.sync.lastUpdateId(this.symbolOf(s))) s.pending.set(e.updateId, { ...truth, tsRecv });
      }
    }
  }

  /** A REST depth snapshot body for `symbol`. */
  onSnapshot(symbol: string, body: unknown, tsRecv: number): void {
    this.afterBook(symbol, this.sync.snapshot(symbol, body, tsRecv));
  }

  private symbolOf(s: SymbolCheck): string {
    return s.result.instrument.slice(s.result.instrument.indexOf(':') + 1);
  }

  private afterBook(symbol: string, events: Iterable<MarketEvent>): void {
    const s = this.symbol(symbol);
    for (const e of events) {
      if (e.kind === 'book') {
        s.book.apply(e);
        if ((e.flags & BookFlag.EndOfMessage) !== 0) this.record(s, e.updateId);
      } else if (e.kind === 'gap') {
        s.result.gaps++;
        s.result.gapDetails.push(e.detail);
        s.book.clear();
        s.history.clear();
        s.pending.clear();
      }
    }
    // A diff without levels still moves the book to its final id.
    const u = this.sync.lastUpdateId(symbol);
    if (u >= 0 && !s.history.has(u)) this.record(s, u);
  }

  private record(s: SymbolCheck, u: number): void {
    const b = s.book;
    const bbo = { bidPx: b.bestBid(), bidSz: b.bestBidSize(), askPx: b.bestAsk(), askSz: b.bestAskSize() };
    s.history.set(u, bbo);
    if (s.history.size > HISTORY) s.history.delete(s.history.keys().next().value!);
    const p = s.pending.get(u);
    if (p) { s.pending.delete(u); s.compare(u, p, bbo); }
    // Pending tickers below the book's id never matched a diff boundary: not checkable.
    if (s.pending.size > 0) for (const k of s.pending.keys()) if (k < u) s.pending.delete(k);
  }

  results(): BookCheckInstrument[] {
    return [...this.symbols.values()].map((s) => s.result);
  }

  get stats() { return this.sync.stats; }
}
