/**
 * The pre-trade gate: composes the rules (one per file in rules/) in a fixed order and answers a
 * requested order with `order.submitted` or `order.denied` (rule, reason code, the numbers). The first
 * denial wins; the order of the list puts the cheap, most fundamental checks first.
 *
 * Kernel sequence for a place: OMS decides `order.requested` → evolve → riskDecide → evolve.
 * For an amendment: OMS decides `order.update-requested` → riskDecide (before evolving it: the
 * amendment's rate token is taken when it is folded) → evolve both. An approved amendment needs no
 * event; a refused one is `order.denied` (the OMS returns the order to its working status). A refused
 * amendment has still used its token: it was a request the strategy made.
 */
import { HftError } from '../core/errors.ts';
import type { DomainEvent } from '../model/orders.ts';
import type { RiskContext, RiskDenial, RiskOrder, RiskRule } from './RiskRule.ts';
import type { RiskState } from './RiskState.ts';
import { tokensAt } from './TokenBucket.ts';
import { tradingState } from './rules/tradingState.ts';
import { precision } from './rules/precision.ts';
import { staleMarketData } from './rules/staleMarketData.ts';
import { priceBand } from './rules/priceBand.ts';
import { maxOrderSize } from './rules/maxOrderSize.ts';
import { maxOrderNotional } from './rules/maxOrderNotional.ts';
import { reduceOnly } from './rules/reduceOnly.ts';
import { maxPosition } from './rules/maxPosition.ts';
import { maxTotalPosition } from './rules/maxTotalPosition.ts';
import { maxOpenOrders } from './rules/maxOpenOrders.ts';
import { orderRateLimit } from './rules/orderRateLimit.ts';

export const PRE_TRADE_RULES: readonly RiskRule[] = Object.freeze([
  tradingState, precision, staleMarketData, priceBand, maxOrderSize, maxOrderNotional, reduceOnly,
  maxPosition, maxTotalPosition, maxOpenOrders, orderRateLimit,
]);

/** What the kernel knows from the book, the OMS and the ledger at the time of the check. */
export type RiskInputs = Omit<RiskContext, 'tradingState' | 'instrument' | 'limits' | 'rateTokens'>;

export function riskContext(state: RiskState, instrumentId: string, inputs: RiskInputs): RiskContext {
  const instrument = state.instruments.get(instrumentId);
  const limits = state.limits.get(instrumentId);
  if (!instrument || !limits) throw new HftError('HFT_ERR_CONFIG', `risk: instrument '${instrumentId}' is not configured (known: ${[...state.instruments.keys()].join(', ')})`);
  const rl = state.config.rateLimit;
  const rateTokens = rl === undefined ? Infinity : state.bucket === undefined ? rl.burst : tokensAt(state.bucket, rl, inputs.nowUs);
  // A literal, not a spread: object spread measured ~1.7 µs per call on this Node build.
  return {
    nowUs: inputs.nowUs, bidTicks: inputs.bidTicks, askTicks: inputs.askTicks, lastBookUpdateUs: inputs.lastBookUpdateUs,
    positionLots: inputs.positionLots, openOrders: inputs.openOrders, otherPositionsNotional: inputs.otherPositionsNotional,
    tradingState: state.tradingState, instrument, limits, rateTokens,
  };
}

/** First denial of the rules, or undefined when every rule approves. */
export function checkOrder(state: RiskState, order: RiskOrder, inputs: RiskInputs, rules: readonly RiskRule[] = PRE_TRADE_RULES): RiskDenial | undefined {
  const ctx = riskContext(state, order.instrument, inputs);
  // Indexed, not for-of: the iterator and its result objects were not optimized away (~0.5 KB per order).
  for (let k = 0; k < rules.length; k++) {
    const d = rules[k]!.check(order, ctx);
    if (d) return d;
  }
  return undefined;
}

/** The gate's answer as events: see the module comment for the kernel sequence. */
export function riskDecide(
  state: RiskState, clientOrderId: string, order: RiskOrder, inputs: RiskInputs, rules: readonly RiskRule[] = PRE_TRADE_RULES,
): DomainEvent<'order.submitted' | 'order.denied'>[] {
  const d = checkOrder(state, order, inputs, rules);
  if (d) return [{ type: 'order.denied', data: { clientOrderId, rule: d.rule, reason: d.reason, values: d.values } }];
  return order.amend ? [] : [{ type: 'order.submitted', data: { clientOrderId } }];
}
