/**
 * The normalized market vocabulary. Written once, here, so every venue means the same thing:
 *
 * - Every event carries `tsEvent` (exchange time, µs) and `tsRecv` (local receive time, µs).
 * - `side`: +1 = bid / buy, -1 = ask / sell. For a trade it is the AGGRESSOR's side (Binance `m: true`
 *   means the buyer was the maker, so the aggressor sold: side -1).
 * - Book deltas carry the NEW absolute size at a price level (0 deletes the level), not a change.
 * - A snapshot is a run of deltas whose first row has the `Clear` flag (drop the whole book first) and
 *   every row the `Snapshot` flag. `EndOfMessage` marks the last row of one venue message: the book is
 *   only consistent (and comparable with the venue's own truth) after such a row.
 * - `updateId` is the venue's sequence id after the message (Binance `u`, OKX `seqId`), `tradeId` the
 *   venue trade id.
 * - A gap (sequence break, bad checksum, disconnect) is an in-band event, not an exception. After a gap
 *   the book is unusable until the next snapshot.
 */
export const Side = { Bid: 1, Ask: -1 } as const;
export type Side = 1 | -1;

export const BookFlag = { Snapshot: 1, Clear: 2, EndOfMessage: 4 } as const;

export interface BookDelta {
  readonly kind: 'book';
  readonly instrument: string;
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly flags: number;
  readonly updateId: number;
}

export interface Trade {
  readonly kind: 'trade';
  readonly instrument: string;
  readonly tsEvent: number;
  readonly tsRecv: number;
  /** Aggressor side. */
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly tradeId: number;
}

export interface Bbo {
  readonly kind: 'bbo';
  readonly instrument: string;
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly bidPriceTicks: number;
  readonly bidSizeLots: number;
  readonly askPriceTicks: number;
  readonly askSizeLots: number;
  readonly updateId: number;
}

export interface FundingRate {
  readonly kind: 'funding';
  readonly instrument: string;
  readonly tsEvent: number;
  readonly tsRecv: number;
  /** Rate per interval as a decimal number (0.0001 = 1 bp). */
  readonly rate: number;
  readonly intervalUs: number;
  /** When this rate is settled (µs); for historical settlement rows = tsEvent. */
  readonly fundingTimeUs: number;
  /** Mark price in ticks when the source has it, else 0. */
  readonly markPriceTicks: number;
}

export interface MarkPrice {
  readonly kind: 'mark';
  readonly instrument: string;
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly markPriceTicks: number;
  readonly indexPriceTicks: number;
}

export interface Gap {
  readonly kind: 'gap';
  readonly instrument: string;
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly reason: 'sequence' | 'checksum' | 'disconnect' | 'stale';
  readonly detail: string;
}

export type MarketEvent = BookDelta | Trade | Bbo | FundingRate | MarkPrice | Gap;
export type MarketKind = MarketEvent['kind'];

/**
 * Columnar form of market events: the hot-path batch, the Arrow IPC replay cache layout and the
 * Parquet schema (one row per event). `kind` codes below; `instrument` indexes a per-batch or
 * per-run instrument table. Columns unused by a kind are 0.
 *
 * | kind  | side | price   | size    | price2  | size2   | id       | flags | rate |
 * |-------|------|---------|---------|---------|---------|----------|-------|------|
 * | book  | ±1   | px tick | sz lots |         |         | updateId | flags |      |
 * | trade | ±1   | px tick | sz lots |         |         | tradeId  |       |      |
 * | bbo   |      | bid px  | bid sz  | ask px  | ask sz  | updateId |       |      |
 * | funding |    | mark px |         |         | interval| fundTime |       | rate |
 * | mark  |      | mark px |         | index px|         |          |       |      |
 * | gap   |      |         |         |         |         |          | reason|      |
 */
export const KindCode = { book: 1, trade: 2, bbo: 3, funding: 4, mark: 5, gap: 6 } as const;
export const GapReasonCode = { sequence: 1, checksum: 2, disconnect: 3, stale: 4 } as const;

export interface MarketBatch {
  length: number;
  readonly kind: Uint8Array;
  readonly instrument: Uint16Array;
  readonly tsEvent: Float64Array;
  readonly tsRecv: Float64Array;
  readonly side: Int8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly price2: Float64Array;
  readonly size2: Float64Array;
  readonly id: Float64Array;
  readonly flags: Uint8Array;
  readonly rate: Float64Array;
}

export function allocBatch(capacity: number): MarketBatch {
  return {
    length: 0,
    kind: new Uint8Array(capacity),
    instrument: new Uint16Array(capacity),
    tsEvent: new Float64Array(capacity),
    tsRecv: new Float64Array(capacity),
    side: new Int8Array(capacity),
    price: new Float64Array(capacity),
    size: new Float64Array(capacity),
    price2: new Float64Array(capacity),
    size2: new Float64Array(capacity),
    id: new Float64Array(capacity),
    flags: new Uint8Array(capacity),
    rate: new Float64Array(capacity),
  };
}

/** Appends one market event to a batch (caller checks capacity). */
export function pushEvent(b: MarketBatch, e: MarketEvent, instrumentIndex: number): void {
  const i = b.length++;
  b.instrument[i] = instrumentIndex;
  b.tsEvent[i] = e.tsEvent;
  b.tsRecv[i] = e.tsRecv;
  b.kind[i] = KindCode[e.kind];
  b.side[i] = 0; b.price[i] = 0; b.size[i] = 0; b.price2[i] = 0; b.size2[i] = 0; b.id[i] = 0; b.flags[i] = 0; b.rate[i] = 0;
  switch (e.kind) {
    case 'book': b.side[i] = e.side; b.price[i] = e.priceTicks; b.size[i] = e.sizeLots; b.id[i] = e.updateId; b.flags[i] = e.flags; break;
    case 'trade': b.side[i] = e.side; b.price[i] = e.priceTicks; b.size[i] = e.sizeLots; b.id[i] = e.tradeId; break;
    case 'bbo': b.price[i] = e.bidPriceTicks; b.size[i] = e.bidSizeLots; b.price2[i] = e.askPriceTicks; b.size2[i] = e.askSizeLots; b.id[i] = e.updateId; break;
    case 'funding': b.price[i] = e.markPriceTicks; b.size2[i] = e.intervalUs; b.id[i] = e.fundingTimeUs; b.rate[i] = e.rate; break;
    case 'mark': b.price[i] = e.markPriceTicks; b.price2[i] = e.indexPriceTicks; break;
    case 'gap': b.flags[i] = GapReasonCode[e.reason]; break;
  }
}

const GAP_REASONS = ['sequence', 'sequence', 'checksum', 'disconnect', 'stale'] as const;

/** Reads row i of a batch back into an object (tests, tools; not the hot path). */
export function eventAt(b: MarketBatch, i: number, instruments: readonly string[]): MarketEvent {
  const base = { instrument: instruments[b.instrument[i]!] ?? String(b.instrument[i]), tsEvent: b.tsEvent[i]!, tsRecv: b.tsRecv[i]! };
  switch (b.kind[i]) {
    case 1: return { kind: 'book', ...base, side: b.side[i] as Side, priceTicks: b.price[i]!, sizeLots: b.size[i]!, flags: b.flags[i]!, updateId: b.id[i]! };
    case 2: return { kind: 'trade', ...base, side: b.side[i] as Side, priceTicks: b.price[i]!, sizeLots: b.size[i]!, tradeId: b.id[i]! };
    case 3: return { kind: 'bbo', ...base, bidPriceTicks: b.price[i]!, bidSizeLots: b.size[i]!, askPriceTicks: b.price2[i]!, askSizeLots: b.size2[i]!, updateId: b.id[i]! };
    case 4: return { kind: 'funding', ...base, rate: b.rate[i]!, intervalUs: b.size2[i]!, fundingTimeUs: b.id[i]!, markPriceTicks: b.price[i]! };
    case 5: return { kind: 'mark', ...base, markPriceTicks: b.price[i]!, indexPriceTicks: b.price2[i]! };
    case 6: return { kind: 'gap', ...base, reason: GAP_REASONS[b.flags[i]!] ?? 'sequence', detail: '' };
    default: throw new RangeError(`unknown market kind code ${b.kind[i]} at row ${i}`);
  }
}
