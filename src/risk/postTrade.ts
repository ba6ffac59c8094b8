/**
 * Post-trade kill switch. On each equity sample: a loss from the equity at the start of the UTC day
 * of at least dailyLossLimit, or a fall from the equity peak of at least maxDrawdown, switches the
 * trading state to HALTED and cancels every open order (a cancel-all for all strategies).
 *
 * `onEquity` rolls the day-start and peak marks forward (the only state it updates, in place) and
 * returns the decision; the trading state itself changes when the `risk.state-changed` it returns is
 * folded by evolveRisk. Once HALTED it stays HALTED until someone sets it back (setTradingState).
 */
import { dayOfUs } from '../core/time.ts';
import { Money } from '../model/accounting/Money.ts';
import type { TradingState } from '../model/events.ts';
import { ALL_STRATEGIES, type CancelAllIntent, type DomainEvent } from '../model/orders.ts';
import type { RiskState } from './RiskState.ts';

export interface RiskDecision {
  readonly events: DomainEvent<'risk.state-changed'>[];
  /** Commands for the OMS (the kill switch's cancel-all). */
  readonly intents: CancelAllIntent[];
}

const NONE: RiskDecision = Object.freeze({ events: [], intents: [] }) as RiskDecision;

export function onEquity(state: RiskState, equity: string | Money, nowUs: number): RiskDecision {
  const eq = new Money(equity);
  const day = dayOfUs(nowUs);
  if (day !== state.day || state.dayStartEquity === undefined) { state.day = day; state.dayStartEquity = eq; }
  if (state.peakEquity === undefined || eq.gt(state.peakEquity)) state.peakEquity = eq;
  if (state.tradingState === 'HALTED') return NONE;

  const { dailyLossLimit, maxDrawdown } = state.config;
  const dailyLoss = state.dayStartEquity.minus(eq);
  if (dailyLossLimit !== undefined && dailyLoss.gte(dailyLossLimit)) {
    return halt(state.tradingState, 'daily-loss-limit', { dailyLoss: dailyLoss.toString(), dailyLossLimit, dayStartEquity: state.dayStartEquity.toString(), equity: eq.toString(), day });
  }
  const drawdown = state.peakEquity.minus(eq);
  if (maxDrawdown !== undefined && drawdown.gte(maxDrawdown)) {
    return halt(state.tradingState, 'max-drawdown', { drawdown: drawdown.toString(), maxDrawdown, peakEquity: state.peakEquity.toString(), equity: eq.toString() });
  }
  return NONE;
}

function halt(from: TradingState, reason: string, values: Record<string, string>): RiskDecision {
  return {
    events: [{ type: 'risk.state-changed', data: { from, to: 'HALTED', reason, values } }],
    intents: [{ kind: 'cancel-all', strategyId: ALL_STRATEGIES, reason: `kill switch: ${reason}` }],
  };
}

/** An operator's (or scenario's) change of trading state; nothing when already there. */
export function setTradingState(state: RiskState, to: TradingState, reason: string): RiskDecision {
  if (state.tradingState === to) return NONE;
  return {
    events: [{ type: 'risk.state-changed', data: { from: state.tradingState, to, reason, values: {} } }],
    intents: to === 'HALTED' ? [{ kind: 'cancel-all', strategyId: ALL_STRATEGIES, reason: `halted: ${reason}` }] : [],
  };
}
