/**
 * Test helper: rebuilds the book from a live feed's normalized events and checks it against the
 * venue's own top-of-book messages (Binance bookTicker `u` = the diff's final update id, so a ticker
 * is checkable only when its `u` is the final id of some diff: data/README "the data is its own oracle").
 */
import { L2Book } from '../../src/model/book/L2Book.ts';
import { BookFlag, type Gap, type MarketEvent } from '../../src/model/market.ts';

export interface BookOracle {
  readonly book: L2Book;
  readonly gaps: Gap[];
  readonly oracle: { checked: number; mismatched: number };
  readonly counts: { book: number; trade: number; bbo: number };
  onEvents(events: MarketEvent[]): void;
}

export function bookOracle(instrumentId: string): BookOracle {
  const book = new L2Book(instrumentId);
  const gaps: Gap[] = [];
  const oracle = { checked: 0, mismatched: 0 };
  const counts = { book: 0, trade: 0, bbo: 0 };
  let lastU = -1; let synced = false;
  const pending = new Map<number, Extract<MarketEvent, { kind: 'bbo' }>>();
  const check = (q: Extract<MarketEvent, { kind: 'bbo' }>): void => {
    oracle.checked++;
    if (book.bestBid() !== q.bidPriceTicks || book.bestAsk() !== q.askPriceTicks || book.bestBidSize() !== q.bidSizeLots || book.bestAskSize() !== q.askSizeLots) oracle.mismatched++;
  };
  return {
    book, gaps, oracle, counts,
    onEvents(events) {
      for (const e of events) {
        if (e.instrument !== instrumentId) continue;
        if (e.kind === 'gap') { gaps.push(e); book.clear(); synced = false; pending.clear(); continue; }
        if (e.kind === 'book') {
          counts.book++;
          book.applyRow(e.side, e.priceTicks, e.sizeLots, e.flags);
          if ((e.flags & BookFlag.EndOfMessage) !== 0) {
            lastU = e.updateId; synced = true;
            const q = pending.get(lastU);
            if (q) check(q);
            for (const k of pending.keys()) if (k <= lastU) pending.delete(k);
          }
        } else if (e.kind === 'bbo') {
          counts.bbo++;
          if (synced && e.updateId === lastU) check(e);
          else if (e.updateId > lastU) pending.set(e.updateId, e);
        } else if (e.kind === 'trade') counts.trade++;
      }
    },
  };
}

export { waitFor } from '../core/waitFor.ts';
