/**
 * Max gross notional over all instruments (quote units, USD ≈ USDT): this instrument's resulting
 * position plus what the kernel reports for the others. Float sum: an account-level guard, not money.
 */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';
import { notionalUnits } from '../compileLimits.ts';
import { referencePriceTicks, signedLots } from '../riskInternals.ts';

export const maxTotalPosition: RiskRule = {
  name: 'maxTotalPosition',
  check(o, ctx): RiskDenial | undefined {
    const l = ctx.limits;
    if (l.maxTotalNotional === undefined) return undefined;
    const resultingLots = ctx.positionLots + signedLots(o);
    if (Math.abs(resultingLots) <= Math.abs(ctx.positionLots)) return undefined;
    const px = referencePriceTicks(o, ctx);
    if (Number.isNaN(px) && !l.inverse) return { rule: 'maxTotalPosition', reason: 'no-reference-price', values: { side: o.side, type: o.type } };
    const total = ctx.otherPositionsNotional + notionalUnits(l.inverse, px, Math.abs(resultingLots)) * l.unitValue;
    if (total > l.maxTotalNotionalValue) {
      return { rule: 'maxTotalPosition', reason: 'total-notional-above-max', values: { totalNotional: Number(total.toFixed(8)), otherPositionsNotional: ctx.otherPositionsNotional, maxTotalNotional: l.maxTotalNotional } };
    }
    return undefined;
  },
};
