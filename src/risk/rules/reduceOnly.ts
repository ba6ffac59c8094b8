/** A reduce-only order must shrink the current position (opposite side, no larger than it). */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';
import { reducesPosition } from '../riskInternals.ts';

export const reduceOnly: RiskRule = {
  name: 'reduceOnly',
  check(o, ctx): RiskDenial | undefined {
    if (o.reduceOnly && !reducesPosition(o, ctx.positionLots)) {
      return { rule: 'reduceOnly', reason: 'would-increase-position', values: { positionLots: ctx.positionLots, side: o.side, sizeLots: o.sizeLots } };
    }
    return undefined;
  },
};
