/**
 * The normalizer contract (tardis-node style): one tiny pure object per venue and channel.
 *
 * - `canHandle(msg)` says whether this normalizer understands a parsed venue message (as received,
 *   e.g. Binance's combined-stream envelope `{stream, data}` or its bare `data`).
 * - `map(msg, tsRecv)` yields 0..n normalized events (src/model/market.ts), `tsRecv` being the local
 *   receive time in µs supplied by the caller (capture line, socket clock). Exchange time becomes `tsEvent`.
 * - Raw venue message types stay private to the venue's file. Bad input throws HftError
 *   ('HFT_ERR_BAD_INPUT' naming the field); callers add file and line.
 *
 * Stateless normalizers (trades, BBO) are pure functions of the message. Book channels that need a
 * sequence or a checksum (Binance diff depth + REST snapshot, OKX `books`) are small stateful
 * synchronizers with the same `map` shape and no I/O: see binance/BinanceBookSync.ts and
 * okx/OkxBookSync.ts.
 */
import type { MarketEvent } from '../model/market.ts';
import type { Instrument } from '../model/instrument.ts';

/** Venue ids used in instrument ids (`<venue>:<symbol>`). */
export type VenueId = 'binance-spot' | 'binance-usdm' | 'binance-coinm' | 'okx' | 'bybit-spot' | 'bybit-linear' | 'bybit-inverse';
export const VENUES: readonly VenueId[] = ['binance-spot', 'binance-usdm', 'binance-coinm', 'okx', 'bybit-spot', 'bybit-linear', 'bybit-inverse'];

export interface Normalizer {
  readonly venue: VenueId;
  /** Channel name as the venue spells it: 'depthUpdate', 'trade', 'bookTicker', 'books', ... */
  readonly channel: string;
  canHandle(msg: unknown): boolean;
  map(msg: unknown, tsRecv: number): Generator<MarketEvent, void, undefined>;
}

/**
 * Resolves a venue symbol (as it appears in the venue's messages, e.g. 'BTCUSDT', 'BTC-USDT') to its
 * instrument. Throws HftError 'HFT_ERR_NOT_FOUND' for an unknown symbol: a message for an instrument
 * whose tick/lot we do not know cannot be converted to integers.
 */
export type InstrumentLookup = (symbol: string) => Instrument;
