/**
 * evolve for the risk engine: trading state from `risk.state-changed`, rate tokens taken by
 * `order.submitted` and `order.update-requested` at their event time. Other events change nothing.
 */
import type { DomainEvent } from '../model/orders.ts';
import type { RiskState } from './RiskState.ts';
import { fullBucket, takeToken } from './TokenBucket.ts';

export function evolveRisk(state: RiskState, event: DomainEvent | { readonly type: string; readonly data: unknown }, tsUs: number): RiskState {
  switch (event.type) {
    case 'risk.state-changed':
      state.tradingState = (event as DomainEvent<'risk.state-changed'>).data.to;
      return state;
    case 'order.submitted':
    case 'order.update-requested': {
      const rl = state.config.rateLimit;
      if (rl) state.bucket = takeToken(state.bucket ?? fullBucket(rl, tsUs), rl, tsUs);
      return state;
    }
    default:
      return state;
  }
}
