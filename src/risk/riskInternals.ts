/** Shared by the rules: direction of an order against the position, reference price. */
import type { RiskContext, RiskOrder } from './RiskRule.ts';

export const signedLots = (o: RiskOrder): number => (o.side === 'buy' ? o.sizeLots : -o.sizeLots);

/** True when the order can only shrink the position toward zero (opposite side, no larger than it). */
export const reducesPosition = (o: RiskOrder, positionLots: number): boolean =>
  positionLots !== 0 && Math.sign(signedLots(o)) === -Math.sign(positionLots) && o.sizeLots <= Math.abs(positionLots);

/** Price the order is valued at: its limit price, or the far touch for a market order (NaN if none). */
export function referencePriceTicks(o: RiskOrder, ctx: RiskContext): number {
  if (o.type === 'limit') return o.priceTicks;
  const p = o.side === 'buy' ? ctx.askTicks : ctx.bidTicks;
  return Number.isFinite(p) ? p : Number.NaN;
}
