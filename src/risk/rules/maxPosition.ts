/**
 * Max position per instrument, in lots and in notional (quote), for the position the order would
 * leave if it filled completely. An order that shrinks the position is always allowed (it lowers risk).
 */
import { notionalText, notionalUnits } from '../compileLimits.ts';
import type { RiskDenial, RiskRule } from '../RiskRule.ts';
import { referencePriceTicks, signedLots } from '../riskInternals.ts';

export const maxPosition: RiskRule = {
  name: 'maxPosition',
  check(o, ctx): RiskDenial | undefined {
    const l = ctx.limits;
    const resultingLots = ctx.positionLots + signedLots(o);
    if (Math.abs(resultingLots) <= Math.abs(ctx.positionLots)) return undefined;
    if (Math.abs(resultingLots) > l.maxPositionLots) {
      return { rule: 'maxPosition', reason: 'position-above-max', values: { positionLots: ctx.positionLots, resultingLots, maxPositionLots: l.maxPositionLots } };
    }
    if (l.maxPositionNotional !== undefined) {
      const px = referencePriceTicks(o, ctx);
      if (Number.isNaN(px) && !l.inverse) return { rule: 'maxPosition', reason: 'no-reference-price', values: { side: o.side, type: o.type } };
      const units = notionalUnits(l.inverse, px, Math.abs(resultingLots));
      if (units > l.maxPositionNotionalUnits) {
        return { rule: 'maxPosition', reason: 'position-notional-above-max', values: { resultingLots, priceTicks: px, notional: notionalText(ctx.instrument, units), maxPositionNotional: l.maxPositionNotional } };
      }
    }
    return undefined;
  },
};
