/** Max size of one order, in lots. */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';

export const maxOrderSize: RiskRule = {
  name: 'maxOrderSize',
  check(o, ctx): RiskDenial | undefined {
    if (o.sizeLots > ctx.limits.maxOrderLots) return { rule: 'maxOrderSize', reason: 'size-above-max', values: { sizeLots: o.sizeLots, maxOrderLots: ctx.limits.maxOrderLots } };
    return undefined;
  },
};
