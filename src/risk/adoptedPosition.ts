/**
 * A position the run starts holding (`position.adopted`) against the position limits. A run that
 * adopts a position above a limit cannot undo it by refusing orders: what a desk's engine does is to
 * trade on in REDUCING (only orders that shrink a position pass, tradingState rule) until every such
 * position is back within its limits, then return to ACTIVE — each change a `risk.state-changed`
 * naming the instrument, the position and the limit.
 *
 * The limit in lots (`allowedLots`) is fixed at adoption: `maxPositionLots`, and for a notional limit
 * the most lots whose notional at the adopted entry price stays within `maxPositionNotional` (linear:
 * lots × lotSize × entry × multiplier in the quote currency; inverse: lots × lotSize × contract value,
 * independent of price, as compileLimits counts it). The entry price is the only price a run knows
 * before its first market event; the pre-trade rules value every later order at its own price.
 */
import { Money } from '../model/accounting/Money.ts';
import type { Instrument } from '../model/instrument.ts';
import type { CompiledLimits } from './compileLimits.ts';

export interface AdoptedLimit {
  /** Largest |position| in lots within the instrument's position limits (Infinity: no limit). */
  readonly allowedLots: number;
  /** The limit that sets allowedLots, for the event's values. */
  readonly limit: 'maxPositionLots' | 'maxPositionNotional' | 'none';
}

export function adoptedLimit(inst: Instrument, limits: CompiledLimits, entryPrice: string): AdoptedLimit {
  let allowedLots = limits.maxPositionLots;
  let limit: AdoptedLimit['limit'] = Number.isFinite(allowedLots) ? 'maxPositionLots' : 'none';
  if (limits.maxPositionNotional !== undefined) {
    const perLot = limits.inverse
      ? new Money(inst.lotSize).mul(inst.contractMultiplier)
      : new Money(inst.lotSize).mul(entryPrice).mul(inst.contractMultiplier);
    const byNotional = new Money(limits.maxPositionNotional).div(perLot).floor().toNumber();
    if (byNotional < allowedLots) { allowedLots = byNotional; limit = 'maxPositionNotional'; }
  }
  return { allowedLots, limit };
}

/** The event values of an adopted position above its limit (or back within it). */
export function adoptedLimitValues(inst: Instrument, limits: CompiledLimits, entryPrice: string, positionLots: number, l: AdoptedLimit): Record<string, number | string> {
  const qty = inst.lot.toDecimal(positionLots);
  const values: Record<string, number | string> = { instrument: inst.id, positionLots, quantity: qty, allowedLots: l.allowedLots, limit: l.limit, entryPrice };
  if (l.limit === 'maxPositionNotional') {
    const notional = limits.inverse
      ? new Money(qty).abs().mul(inst.contractMultiplier)
      : new Money(qty).abs().mul(entryPrice).mul(inst.contractMultiplier);
    values.notional = notional.toString();
    values.maxPositionNotional = limits.maxPositionNotional!;
  } else if (l.limit === 'maxPositionLots') values.maxPositionLots = limits.maxPositionLots;
  return values;
}
