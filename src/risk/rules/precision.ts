/**
 * Tick/lot precision: price (limit orders) and size must be positive integers of ticks and lots (a
 * fraction means a strategy computed in floats and skipped the instrument's increments), size at least
 * the venue minimum.
 */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';

export const precision: RiskRule = {
  name: 'precision',
  check(o, ctx): RiskDenial | undefined {
    if (o.type === 'limit' && !(Number.isSafeInteger(o.priceTicks) && o.priceTicks > 0)) {
      return { rule: 'precision', reason: 'price-not-positive-integer-ticks', values: { priceTicks: o.priceTicks, tickSize: ctx.instrument.tickSize } };
    }
    if (!(Number.isSafeInteger(o.sizeLots) && o.sizeLots > 0)) {
      return { rule: 'precision', reason: 'size-not-positive-integer-lots', values: { sizeLots: o.sizeLots, lotSize: ctx.instrument.lotSize } };
    }
    if (o.sizeLots < ctx.limits.minSizeLots) {
      return { rule: 'precision', reason: 'size-below-min', values: { sizeLots: o.sizeLots, minSizeLots: ctx.limits.minSizeLots } };
    }
    return undefined;
  },
};
