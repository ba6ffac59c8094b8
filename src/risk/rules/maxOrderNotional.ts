/** Max notional of one order in quote currency, valued at the limit price (market: the far touch). */
import { notionalText, notionalUnits } from '../compileLimits.ts';
import type { RiskDenial, RiskRule } from '../RiskRule.ts';
import { referencePriceTicks } from '../riskInternals.ts';

export const maxOrderNotional: RiskRule = {
  name: 'maxOrderNotional',
  check(o, ctx): RiskDenial | undefined {
    const l = ctx.limits;
    if (l.maxOrderNotional === undefined) return undefined;
    const px = referencePriceTicks(o, ctx);
    if (Number.isNaN(px) && !l.inverse) return { rule: 'maxOrderNotional', reason: 'no-reference-price', values: { side: o.side, type: o.type } };
    const units = notionalUnits(l.inverse, px, o.sizeLots);
    if (units > l.maxOrderNotionalUnits) {
      return { rule: 'maxOrderNotional', reason: 'notional-above-max', values: { notional: notionalText(ctx.instrument, units), maxOrderNotional: l.maxOrderNotional, priceTicks: px, sizeLots: o.sizeLots } };
    }
    return undefined;
  },
};
