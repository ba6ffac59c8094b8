/**
 * The contract of a pre-trade rule: `check(order, ctx)` is pure and returns undefined (approved) or a
 * denial naming the rule, a reason code and the numbers that tripped it.
 *
 * The context is plain data the kernel assembles from its peers (book, OMS open orders, ledger
 * positions): risk never imports the OMS or a strategy.
 */
import type { OrderIntentData, TradingState } from '../model/events.ts';
import type { Instrument } from '../model/instrument.ts';
import type { CompiledLimits } from './compileLimits.ts';

export interface RiskDenial { readonly rule: string; readonly reason: string; readonly values: Record<string, number | string> }

/** The order as it would be after the intent: a new order, or a working order with its amended price/size. */
export type RiskOrder = Pick<OrderIntentData, 'instrument' | 'side' | 'type' | 'priceTicks' | 'sizeLots' | 'reduceOnly'> & {
  /** True for an amendment of a working order (it does not add an open order). */
  readonly amend?: boolean;
};

export interface RiskContext {
  readonly nowUs: number;
  readonly tradingState: TradingState;
  readonly instrument: Instrument;
  readonly limits: CompiledLimits;
  /** Best bid / ask in ticks; NaN when the book has no such side. */
  readonly bidTicks: number;
  readonly askTicks: number;
  /** Event time of the last book update of this instrument, NaN when none yet. */
  readonly lastBookUpdateUs: number;
  /** Net position on this instrument, signed lots (long > 0). */
  readonly positionLots: number;
  /** Open orders on this instrument. */
  readonly openOrders: number;
  /** Gross notional of the positions on every other instrument, in quote units (float; account-level limit). */
  readonly otherPositionsNotional: number;
  /** Tokens in the order-rate bucket at nowUs (Infinity when no rate limit). */
  readonly rateTokens: number;
}

export interface RiskRule {
  readonly name: string;
  check(order: RiskOrder, ctx: RiskContext): RiskDenial | undefined;
}
