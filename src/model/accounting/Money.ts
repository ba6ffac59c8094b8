/**
 * Exact decimal money (decimal.js). Sums and products of exchange decimals are exact; divisions
 * (average entry price, inverse contracts' 1/price) are rounded half-even at the 40th significant
 * digit, far below any venue's settlement precision (8 decimals).
 */
import { Decimal } from 'decimal.js';

export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Money = Decimal;

export const ZERO: Money = new Money(0);
