/**
 * Read-only view of an L2 order book in integer ticks and lots: what the simulated venue, strategies
 * and checks consume. `L2Book` (same folder) implements it.
 */
import type { Side } from '../market.ts';

/** Best bid of an empty bid side. */
export const NO_BID = Number.NEGATIVE_INFINITY;
/** Best ask of an empty ask side. */
export const NO_ASK = Number.POSITIVE_INFINITY;

export interface BookView {
  readonly instrument: string;
  /** Best bid price in ticks, NO_BID when the bid side is empty. */
  bestBid(): number;
  /** Best ask price in ticks, NO_ASK when the ask side is empty. */
  bestAsk(): number;
  bestBidSize(): number;
  bestAskSize(): number;
  /** Size in lots resting at a price on a side, 0 when no level. */
  sizeAt(side: Side, priceTicks: number): number;
  /**
   * Visits levels from the best outward until `visit` returns false or `maxLevels` are seen.
   * Returns the number of levels visited.
   */
  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, sizeLots: number) => boolean | void): number;
  /** True when best bid >= best ask (both sides present). */
  isCrossed(): boolean;
}
