/**
 * Linear vs inverse contract arithmetic, converted from ticks/lots once per fill.
 *
 * - linear (spot, USDⓈ-M): quantity in base units = lots × lotSize; notional and P&L in quote:
 *   qty × price × multiplier.
 * - inverse (Binance COIN-M, 100 USD per BTC contract): quantity in contracts = lots × lotSize;
 *   notional and P&L in coin: qty × contractValue / price
 *   (https://www.binance.com/en/support/faq/how-to-calculate-profit-and-loss-for-futures-contracts-3a55a23768cb416fb404f06ffedde4b2).
 */
import type { Instrument } from '../instrument.ts';
import type { Liquidity } from '../events.ts';
import { Money } from './Money.ts';

export const isInverse = (inst: Instrument): boolean => inst.kind === 'inverse_perp' || inst.kind === 'inverse_future';

/** Price in ticks to an exact decimal. */
export const priceOf = (inst: Instrument, priceTicks: number): Money => new Money(inst.tick.toDecimal(priceTicks));
/** Size in lots to an exact decimal quantity (base units or contracts). */
export const qtyOf = (inst: Instrument, sizeLots: number): Money => new Money(inst.lot.toDecimal(sizeLots));

/** Notional of |qty| at `price` in the settle currency (quote for linear, coin for inverse). */
export function notional(inst: Instrument, price: Money, qty: Money): Money {
  const mult = new Money(inst.contractMultiplier);
  return isInverse(inst) ? qty.abs().mul(mult).div(price) : qty.abs().mul(price).mul(mult);
}

/** Fee of a fill in the settle currency at the instrument's maker/taker rate (negative = rebate). */
export function fillFee(inst: Instrument, price: Money, qty: Money, liquidity: Liquidity): Money {
  return notional(inst, price, qty).mul(liquidity === 'maker' ? inst.makerFeeRate : inst.takerFeeRate);
}

/**
 * Funding for a signed position at `markPrice` and `rate`: longs pay shorts when the rate is positive.
 * Returns the amount received (> 0) or paid (< 0) in the settle currency.
 * Binance: funding = position notional at mark × rate.
 */
export function fundingAmount(inst: Instrument, qty: Money, markPrice: Money, rate: Money): Money {
  const n = notional(inst, markPrice, qty).mul(rate);
  return qty.isNegative() ? n : n.neg();
}
