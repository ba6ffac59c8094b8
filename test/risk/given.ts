/**
 * Risk test context. Market numbers are a real Binance USDⓈ-M BTCUSDT bookTicker
 * (binance-capture/usdm/btcusdt_20240808.gz, u=5123107839020): bid 61800.20, ask 61800.30, T=1723161256313 ms.
 */
import { parseRiskConfig } from '../../src/risk/RiskConfig.ts';
import type { RiskOrder } from '../../src/risk/RiskRule.ts';
import { createRiskState, type RiskState } from '../../src/risk/RiskState.ts';
import type { RiskInputs } from '../../src/risk/riskGate.ts';
import { BTCUSDT, BTCUSD_PERP } from '../model/accounting/instruments.ts';

export const BOOK_US = 1_723_161_256_313_000;

export const inputs = (over: Partial<RiskInputs> = {}): RiskInputs => ({
  nowUs: BOOK_US + 1_000, bidTicks: 618002, askTicks: 618003, lastBookUpdateUs: BOOK_US,
  positionLots: 0, openOrders: 0, otherPositionsNotional: 0, ...over,
});

export const buy = (sizeLots: number, priceTicks = 618003, over: Partial<RiskOrder> = {}): RiskOrder =>
  ({ instrument: BTCUSDT.id, side: 'buy', type: 'limit', priceTicks, sizeLots, reduceOnly: false, ...over });
export const sell = (sizeLots: number, priceTicks = 618002, over: Partial<RiskOrder> = {}): RiskOrder =>
  ({ instrument: BTCUSDT.id, side: 'sell', type: 'limit', priceTicks, sizeLots, reduceOnly: false, ...over });

export const riskState = (raw: Record<string, unknown>): RiskState => createRiskState(parseRiskConfig(raw), [BTCUSDT, BTCUSD_PERP]);
