/**
 * Real instrument specs for tests: Binance USDⓈ-M BTCUSDT (linear) and COIN-M BTCUSD_PERP (inverse,
 * contracts of 100 USD), from the venues' exchangeInfo in /work/shared/data/cryptofeed
 * (BINANCE_FUTURES.0, BINANCE_DELIVERY.0). USDⓈ-M tick is 0.10 in the 2024 captures
 * (binance-capture/usdm prices such as "61800.30"). Fee rates: Binance futures VIP 0 (0.02% maker,
 * 0.05% taker).
 */
import { instrument } from '../../../src/model/instrument.ts';

export const BTCUSDT = instrument({
  id: 'binance-usdm:BTCUSDT', venue: 'binance-usdm', symbol: 'BTCUSDT', kind: 'linear_perp',
  base: 'BTC', quote: 'USDT', settle: 'USDT', tickSize: '0.1', lotSize: '0.001', contractMultiplier: '1',
  makerFeeRate: '0.0002', takerFeeRate: '0.0005',
});

export const BTCUSD_PERP = instrument({
  id: 'binance-cm:BTCUSD_PERP', venue: 'binance-cm', symbol: 'BTCUSD_PERP', kind: 'inverse_perp',
  base: 'BTC', quote: 'USD', settle: 'BTC', tickSize: '0.1', lotSize: '1', contractMultiplier: '100',
  makerFeeRate: '0.0002', takerFeeRate: '0.0005',
});
