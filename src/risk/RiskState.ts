/**
 * What the risk engine itself owns: the trading state, the order-rate bucket and the post-trade marks
 * (equity at the start of the UTC day, equity peak). Market data, positions and open orders belong to
 * the book, the ledger and the OMS; the kernel passes them in (RiskInputs).
 *
 * Ownership as in the OMS: evolveRisk updates the state in place and returns it.
 */
import { HftError } from '../core/errors.ts';
import type { TradingState } from '../model/events.ts';
import type { Instrument } from '../model/instrument.ts';
import type { Money } from '../model/accounting/Money.ts';
import { compileLimits, type CompiledLimits } from './compileLimits.ts';
import type { RiskConfig } from './RiskConfig.ts';
import type { TokenBucket } from './TokenBucket.ts';

export interface RiskState {
  readonly config: RiskConfig;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly limits: ReadonlyMap<string, CompiledLimits>;
  tradingState: TradingState;
  /** undefined until the first token is taken (the bucket starts full). */
  bucket: TokenBucket | undefined;
  /** UTC day (YYYY-MM-DD) of dayStartEquity. */
  day: string;
  dayStartEquity: Money | undefined;
  peakEquity: Money | undefined;
}

export function createRiskState(config: RiskConfig, instruments: readonly Instrument[]): RiskState {
  const byId = new Map(instruments.map((i) => [i.id, i] as const));
  for (const id of Object.keys(config.instruments)) {
    if (!byId.has(id)) throw new HftError('HFT_ERR_CONFIG', `risk.instruments.${id}: no such instrument (known: ${[...byId.keys()].join(', ')})`);
  }
  return {
    config, instruments: byId, limits: new Map(instruments.map((i) => [i.id, compileLimits(config, i)] as const)),
    tradingState: config.tradingState, bucket: undefined, day: '', dayStartEquity: undefined, peakEquity: undefined,
  };
}
