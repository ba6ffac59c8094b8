/**
 * Fat-finger band: a limit price more than priceBandBps away from the mid is refused. Compared in
 * integers: |price − mid| / mid × 10⁴ > bps  ⇔  |2·price − (bid + ask)| × 10⁴ > bps × (bid + ask).
 */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';

export const priceBand: RiskRule = {
  name: 'priceBand',
  check(o, ctx): RiskDenial | undefined {
    const bps = ctx.limits.priceBandBps;
    if (bps === Infinity || o.type !== 'limit') return undefined;
    if (!Number.isFinite(ctx.bidTicks) || !Number.isFinite(ctx.askTicks)) {
      return { rule: 'priceBand', reason: 'no-mid', values: { bidTicks: String(ctx.bidTicks), askTicks: String(ctx.askTicks) } };
    }
    const mid2 = ctx.bidTicks + ctx.askTicks;
    const dev2 = Math.abs(2 * o.priceTicks - mid2);
    if (dev2 * 10_000 > bps * mid2) {
      return { rule: 'priceBand', reason: 'outside-price-band', values: { priceTicks: o.priceTicks, midTicks: mid2 / 2, deviationBps: Number(((dev2 * 10_000) / mid2).toFixed(4)), priceBandBps: bps } };
    }
    return undefined;
  },
};
