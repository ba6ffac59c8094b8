/** The strategies the product ships, by scenario `type`. */
import { cashAndCarryFactory } from './cash-and-carry/CashAndCarry.ts';
import { crossMarketArbFactory } from './cross-arb/CrossMarketArb.ts';
import { gridFactory } from './grid/GridTrading.ts';
import { marketMakerFactory } from './market-maker/MarketMaker.ts';
import { pairTradingFactory } from './pair-trading/PairTrading.ts';
import type { StrategyFactory } from './Strategy.ts';
import { triangularArbFactory } from './triangular-arb/TriangularArb.ts';

export const STRATEGY_FACTORIES: Readonly<Record<string, StrategyFactory>> = Object.freeze({
  [marketMakerFactory.type]: marketMakerFactory,
  [crossMarketArbFactory.type]: crossMarketArbFactory,
  [cashAndCarryFactory.type]: cashAndCarryFactory,
  [triangularArbFactory.type]: triangularArbFactory,
  [gridFactory.type]: gridFactory,
  [pairTradingFactory.type]: pairTradingFactory,
});
