/** Max open orders per instrument; an amendment does not add one. */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';

export const maxOpenOrders: RiskRule = {
  name: 'maxOpenOrders',
  check(o, ctx): RiskDenial | undefined {
    if (!o.amend && ctx.openOrders >= ctx.limits.maxOpenOrders) {
      return { rule: 'maxOpenOrders', reason: 'open-orders-at-max', values: { openOrders: ctx.openOrders, maxOpenOrders: ctx.limits.maxOpenOrders } };
    }
    return undefined;
  },
};
