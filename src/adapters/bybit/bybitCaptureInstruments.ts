/**
 * Built-in Bybit specs for the USDT perpetuals of the legacy cryptofeed capture (data/cryptofeed/BYBIT.ws.25.0,
 * 2021-04-17): what a session uses without an `--instruments` file, the way okxCaptureInstruments serves OKX.
 *
 * Copied from that capture's own instrument list (BYBIT.0, `GET /v2/public/symbols`: tick_size, qty_step,
 * maker_fee, taker_fee), not from today's Bybit: tick and lot sizes change over time, and a test compares
 * this table with BYBIT.0. BybitExecution checks every spec against the venue's
 * `/v5/market/instruments-info` before trading and refuses a mismatch, so a stale spec cannot trade on the
 * real venue. For today's sizes, pass an --instruments file.
 */
import type { InstrumentSpec } from '../../model/instrument.ts';

export const bybitCaptureInstruments: readonly InstrumentSpec[] = Object.freeze([
  {
    id: 'bybit-linear:ADAUSDT', venue: 'bybit-linear', symbol: 'ADAUSDT', kind: 'linear_perp', base: 'ADA', quote: 'USDT', settle: 'USDT',
    tickSize: '0.0001', lotSize: '1', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:BCHUSDT', venue: 'bybit-linear', symbol: 'BCHUSDT', kind: 'linear_perp', base: 'BCH', quote: 'USDT', settle: 'USDT',
    tickSize: '0.05', lotSize: '0.01', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:DOTUSDT', venue: 'bybit-linear', symbol: 'DOTUSDT', kind: 'linear_perp', base: 'DOT', quote: 'USDT', settle: 'USDT',
    tickSize: '0.005', lotSize: '0.1', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:ETHUSDT', venue: 'bybit-linear', symbol: 'ETHUSDT', kind: 'linear_perp', base: 'ETH', quote: 'USDT', settle: 'USDT',
    tickSize: '0.05', lotSize: '0.01', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:LINKUSDT', venue: 'bybit-linear', symbol: 'LINKUSDT', kind: 'linear_perp', base: 'LINK', quote: 'USDT', settle: 'USDT',
    tickSize: '0.001', lotSize: '0.1', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:LTCUSDT', venue: 'bybit-linear', symbol: 'LTCUSDT', kind: 'linear_perp', base: 'LTC', quote: 'USDT', settle: 'USDT',
    tickSize: '0.01', lotSize: '0.1', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:UNIUSDT', venue: 'bybit-linear', symbol: 'UNIUSDT', kind: 'linear_perp', base: 'UNI', quote: 'USDT', settle: 'USDT',
    tickSize: '0.0001', lotSize: '0.1', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
  {
    id: 'bybit-linear:XTZUSDT', venue: 'bybit-linear', symbol: 'XTZUSDT', kind: 'linear_perp', base: 'XTZ', quote: 'USDT', settle: 'USDT',
    tickSize: '0.001', lotSize: '0.1', contractMultiplier: '1', makerFeeRate: '-0.00025', takerFeeRate: '0.00075',
  },
] satisfies InstrumentSpec[]);
