/** Shared fixtures for the simulated-venue tests: instruments and a market-row builder. */
import { instrument, type Instrument } from '../../src/model/instrument.ts';
import { allocBatch, BookFlag, pushEvent, type MarketBatch, type MarketEvent, type Side } from '../../src/model/market.ts';

/** Linear perpetual with a maker rebate: tick 0.1, lot 0.001. */
export const PERP: Instrument = instrument({
  id: 'test:BTCUSDT', venue: 'test', symbol: 'BTCUSDT', kind: 'linear_perp', base: 'BTC', quote: 'USDT', settle: 'USDT',
  tickSize: '0.1', lotSize: '0.001', contractMultiplier: '1', makerFeeRate: '-0.0001', takerFeeRate: '0.0005',
});

/** Binance COIN-M style inverse perpetual: 100 USD contracts, settled in BTC. */
export const INVERSE: Instrument = instrument({
  id: 'test:BTCUSD_PERP', venue: 'test', symbol: 'BTCUSD_PERP', kind: 'inverse_perp', base: 'BTC', quote: 'USD', settle: 'BTC',
  tickSize: '0.1', lotSize: '1', contractMultiplier: '100', makerFeeRate: '0.0002', takerFeeRate: '0.0005',
});

export const SPOT: Instrument = instrument({
  id: 'test:ETHUSDT', venue: 'test', symbol: 'ETHUSDT', kind: 'spot', base: 'ETH', quote: 'USDT', settle: 'USDT',
  tickSize: '0.01', lotSize: '0.0001', contractMultiplier: '1', makerFeeRate: '0.001', takerFeeRate: '0.001',
});

const base = { instrument: 'x', tsRecv: 0 };
export const level = (tsEvent: number, side: Side, priceTicks: number, sizeLots: number, flags: number = BookFlag.EndOfMessage): MarketEvent =>
  ({ ...base, kind: 'book', tsEvent, side, priceTicks, sizeLots, flags, updateId: 0 });
export const trade = (tsEvent: number, aggressor: Side, priceTicks: number, sizeLots: number): MarketEvent =>
  ({ ...base, kind: 'trade', tsEvent, side: aggressor, priceTicks, sizeLots, tradeId: 0 });
export const funding = (tsEvent: number, rate: number, markPriceTicks: number, fundingTimeUs = tsEvent): MarketEvent =>
  ({ ...base, kind: 'funding', tsEvent, rate, intervalUs: 8 * 3_600_000_000, fundingTimeUs, markPriceTicks });

export function batchOf(events: readonly MarketEvent[]): MarketBatch {
  const b = allocBatch(Math.max(1, events.length));
  for (const e of events) pushEvent(b, e, 0);
  return b;
}
