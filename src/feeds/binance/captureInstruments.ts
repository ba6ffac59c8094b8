/**
 * Built-in instrument specs for the 2024-08-08/09 binance-capture files (hftbacktest examples).
 *
 * Why a table instead of exchangeInfo: the only exchangeInfo captures we have (cryptofeed, 2021) are
 * three years older than these files and do not fit them, checked against every price and size in the
 * captures:
 * - spot BTCUSDT/ETHUSDT: LOT_SIZE.stepSize is 0.00001 / 0.0001, but the depth stream carries far-level
 *   aggregates with 8 decimals (e.g. `["200000.00000000","25.42618900"]`), so the lot is the feed's
 *   quantity precision, 1e-8, not the order step size.
 * - USDⓈ-M BTCUSDT: tick 0.01 in 2021, 0.10 in these files (every price has at most one decimal).
 * COIN-M contracts: 100 USD (BTC) and 10 USD (ETH) per contract, inverse, settled in the coin.
 * Fees are the VIP 0 base rates (not in exchangeInfo either).
 */
import type { InstrumentSpec } from '../../model/instrument.ts';

const spot = (symbol: string, base: string): InstrumentSpec => ({
  id: `binance-spot:${symbol}`, venue: 'binance-spot', symbol, kind: 'spot', base, quote: 'USDT', settle: 'USDT',
  tickSize: '0.01', lotSize: '0.00000001', contractMultiplier: '1', makerFeeRate: '0.001', takerFeeRate: '0.001',
});
const usdm = (symbol: string, base: string, tickSize: string): InstrumentSpec => ({
  id: `binance-usdm:${symbol}`, venue: 'binance-usdm', symbol, kind: 'linear_perp', base, quote: 'USDT', settle: 'USDT',
  tickSize, lotSize: '0.001', contractMultiplier: '1', makerFeeRate: '0.0002', takerFeeRate: '0.0005',
});
const coinm = (symbol: string, base: string, tickSize: string, contractUsd: string): InstrumentSpec => ({
  id: `binance-coinm:${symbol}`, venue: 'binance-coinm', symbol, kind: 'inverse_perp', base, quote: 'USD', settle: base,
  tickSize, lotSize: '1', contractMultiplier: contractUsd, makerFeeRate: '0.0002', takerFeeRate: '0.0005',
});

export const captureInstruments: readonly InstrumentSpec[] = Object.freeze([
  spot('BTCUSDT', 'BTC'),
  spot('ETHUSDT', 'ETH'),
  usdm('BTCUSDT', 'BTC', '0.1'),
  usdm('ETHUSDT', 'ETH', '0.01'),
  coinm('BTCUSD_PERP', 'BTC', '0.1', '100'),
  coinm('ETHUSD_PERP', 'ETH', '0.01', '10'),
]);
