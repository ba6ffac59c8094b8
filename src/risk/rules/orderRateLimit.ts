/**
 * Order rate limit: a token bucket refilled in event time (see TokenBucket.ts); each place or modify
 * needs a whole token. Venues count requests the same way (Binance: 1,200 orders/minute on COIN-M).
 */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';

export const orderRateLimit: RiskRule = {
  name: 'orderRateLimit',
  check(_o, ctx): RiskDenial | undefined {
    if (ctx.rateTokens < 1) return { rule: 'orderRateLimit', reason: 'rate-limited', values: { tokens: Number(ctx.rateTokens.toFixed(6)), nowUs: ctx.nowUs } };
    return undefined;
  },
};
