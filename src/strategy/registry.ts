/** The strategies the product ships, by scenario `type`. */
import { marketMakerFactory } from './market-maker/MarketMaker.ts';
import type { StrategyFactory } from './Strategy.ts';

export const STRATEGY_FACTORIES: Readonly<Record<string, StrategyFactory>> = Object.freeze({
  [marketMakerFactory.type]: marketMakerFactory,
});
