/** Refuses orders while the instrument's book is older than maxBookAgeUs (or was never seen): quoting on a stale book is how market makers get picked off. */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';

export const staleMarketData: RiskRule = {
  name: 'staleMarketData',
  check(_o, ctx): RiskDenial | undefined {
    const max = ctx.limits.maxBookAgeUs;
    if (max === Infinity) return undefined;
    if (Number.isNaN(ctx.lastBookUpdateUs)) return { rule: 'staleMarketData', reason: 'no-market-data', values: { nowUs: ctx.nowUs, maxBookAgeUs: max } };
    const ageUs = ctx.nowUs - ctx.lastBookUpdateUs;
    if (ageUs > max) return { rule: 'staleMarketData', reason: 'stale-book', values: { ageUs, maxBookAgeUs: max, lastBookUpdateUs: ctx.lastBookUpdateUs } };
    return undefined;
  },
};
