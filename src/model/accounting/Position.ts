/**
 * One netting position (one net quantity per instrument, or per strategy and instrument), in exact
 * decimals. Quantity is signed (long > 0) in base units for linear instruments and in contracts for
 * inverse ones.
 *
 * - Adding to a position moves the average entry: weighted by quantity for linear, by coin value
 *   (harmonic mean of prices) for inverse, so that P&L = qty × cv × (1/entry − 1/exit) holds.
 * - Reducing realizes P&L on the closed quantity at the average entry, which does not move.
 * - A fill larger than the position closes it and opens the remainder on the other side at the
 *   fill price (reversal through zero).
 * Fees (positive = paid, negative = rebate) and funding (positive = received) accumulate beside
 * realized P&L; net = realized − fees + funding.
 */
import type { Instrument } from '../instrument.ts';
import { isInverse } from './contractMath.ts';
import { Money, ZERO } from './Money.ts';

export interface Position {
  readonly qty: Money;
  /** 0 when flat. */
  readonly avgEntryPrice: Money;
  readonly realizedPnl: Money;
  readonly fees: Money;
  readonly funding: Money;
}

export const FLAT: Position = Object.freeze({ qty: ZERO, avgEntryPrice: ZERO, realizedPnl: ZERO, fees: ZERO, funding: ZERO });

/** P&L of closing `closedQty` (signed like the position) from `entry` at `exit`. */
const multipliers = new WeakMap<Instrument, Money>();
/** The contract multiplier as Money, parsed once per instrument. */
function multiplierOf(inst: Instrument): Money {
  let m = multipliers.get(inst);
  if (m === undefined) { m = new Money(inst.contractMultiplier); multipliers.set(inst, m); }
  return m;
}

function pnl(inst: Instrument, closedQty: Money, entry: Money, exit: Money): Money {
  const mult = multiplierOf(inst);
  return isInverse(inst)
    ? closedQty.mul(mult).mul(new Money(1).div(entry).minus(new Money(1).div(exit)))
    : closedQty.mul(exit.minus(entry)).mul(mult);
}

function blendEntry(inst: Instrument, q: Money, e: Money, s: Money, p: Money): Money {
  const a = q.abs(); const b = s.abs();
  if (isInverse(inst)) return a.plus(b).div(a.div(e).plus(b.div(p)));
  return a.mul(e).plus(b.mul(p)).div(a.plus(b));
}

/** Applies a fill of signed quantity `fillQty` (buy > 0) at `price` with `fee` in the settle currency. */
export function applyFill(pos: Position, inst: Instrument, fillQty: Money, price: Money, fee: Money): Position {
  const q = pos.qty;
  const fees = pos.fees.plus(fee);
  if (q.isZero() || q.isNegative() === fillQty.isNegative()) {
    const avgEntryPrice = q.isZero() ? price : blendEntry(inst, q, pos.avgEntryPrice, fillQty, price);
    return { qty: q.plus(fillQty), avgEntryPrice, realizedPnl: pos.realizedPnl, fees, funding: pos.funding };
  }
  const closing = Money.min(q.abs(), fillQty.abs());
  const closedSigned = q.isNegative() ? closing.neg() : closing;
  const realizedPnl = pos.realizedPnl.plus(pnl(inst, closedSigned, pos.avgEntryPrice, price));
  const qty = q.plus(fillQty);
  const avgEntryPrice = qty.isZero() ? ZERO : qty.isNegative() === q.isNegative() ? pos.avgEntryPrice : price;
  return { qty, avgEntryPrice, realizedPnl, fees, funding: pos.funding };
}

export const applyFunding = (pos: Position, amount: Money): Position =>
  ({ qty: pos.qty, avgEntryPrice: pos.avgEntryPrice, realizedPnl: pos.realizedPnl, fees: pos.fees, funding: pos.funding.plus(amount) });

/** Unrealized P&L at `mark` in the settle currency (0 when flat). */
export const unrealizedPnl = (pos: Position, inst: Instrument, mark: Money): Money => (pos.qty.isZero() ? ZERO : pnl(inst, pos.qty, pos.avgEntryPrice, mark));

/** realized − fees + funding (+ unrealized when a mark is given). */
export const netPnl = (pos: Position, inst: Instrument, mark?: Money): Money =>
  pos.realizedPnl.minus(pos.fees).plus(pos.funding).plus(mark === undefined ? ZERO : unrealizedPnl(pos, inst, mark));
