/** ACTIVE: anything; REDUCING: only orders that shrink the position; HALTED: nothing (cancels are never checked). */
import type { RiskDenial, RiskRule } from '../RiskRule.ts';
import { reducesPosition } from '../riskInternals.ts';

export const tradingState: RiskRule = {
  name: 'tradingState',
  check(o, ctx): RiskDenial | undefined {
    if (ctx.tradingState === 'HALTED') return { rule: 'tradingState', reason: 'halted', values: { tradingState: 'HALTED' } };
    if (ctx.tradingState === 'REDUCING' && !reducesPosition(o, ctx.positionLots)) {
      return { rule: 'tradingState', reason: 'reducing-only', values: { tradingState: 'REDUCING', positionLots: ctx.positionLots, side: o.side, sizeLots: o.sizeLots } };
    }
    return undefined;
  },
};
