/**
 * Instrument specification. Prices are integers in ticks and sizes integers in lots on the hot path;
 * the increments convert exchange strings once at the edge.
 */
import { Increment } from '../core/fixed.ts';

export type InstrumentKind = 'spot' | 'linear_perp' | 'inverse_perp' | 'linear_future' | 'inverse_future';

export interface InstrumentSpec {
  /** `<venue>:<symbol>`, e.g. `binance-spot:BTCUSDT`, `binance-usdm:BTCUSDT`, `okx:BTC-USDT-SWAP`. */
  readonly id: string;
  readonly venue: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly base: string;
  readonly quote: string;
  /** Currency P&L and fees settle in: quote for spot/linear, base (coin) for inverse. */
  readonly settle: string;
  readonly tickSize: string;
  readonly lotSize: string;
  /** Contract value: 1 (base units per lot unit) for spot/linear; USD per contract for inverse. */
  readonly contractMultiplier: string;
  /** Fee rates as decimal strings; negative = rebate. */
  readonly makerFeeRate: string;
  readonly takerFeeRate: string;
  /**
   * The venue's order-entry increments when they are coarser than the feed grain above (a multiple of
   * tickSize / lotSize); absent = same as tickSize / lotSize. Binance books carry quantities finer than
   * LOT_SIZE.stepSize (spot) and levels at a pre-change finer tick (futures), so the book grain and the
   * order grain differ there.
   */
  readonly orderTickSize?: string;
  readonly orderLotSize?: string;
}

export interface Instrument extends InstrumentSpec {
  readonly tick: Increment;
  readonly lot: Increment;
}

export function instrument(spec: InstrumentSpec): Instrument {
  return Object.freeze({ ...spec, tick: new Increment(spec.tickSize), lot: new Increment(spec.lotSize) });
}

export const instrumentId = (venue: string, symbol: string): string => `${venue}:${symbol}`;
