/**
 * Built-in OKX instrument specs for the instruments of the cryptofeed OKX capture (data/cryptofeed/OKX.ws.1.0,
 * 2022-05-13): what `hft paper` uses without an `--instruments` file, the way captureInstruments serves
 * the Binance venues.
 *
 * Copied from that capture's own instrument list (data/cryptofeed/OKX.0, `GET /api/v5/public/instruments`
 * as okxInstruments reads it), not from today's OKX: tick and lot sizes change over time (a test compares
 * this table with OKX.0). For other instruments, or today's sizes, save the venue's answer and pass it:
 * `curl 'https://www.okx.com/api/v5/public/instruments?instType=SPOT' > okx-spot.json`, then
 * `hft paper ... --instruments okx-spot.json`.
 */
import type { InstrumentSpec } from '../../model/instrument.ts';

export const okxCaptureInstruments: readonly InstrumentSpec[] = Object.freeze([
  {
    id: 'okx:BTC-USDT', venue: 'okx', symbol: 'BTC-USDT', kind: 'spot', base: 'BTC', quote: 'USDT', settle: 'USDT',
    tickSize: '0.1', lotSize: '0.00000001', contractMultiplier: '1', makerFeeRate: '0.0008', takerFeeRate: '0.001',
  },
  {
    id: 'okx:BTC-USD-220527', venue: 'okx', symbol: 'BTC-USD-220527', kind: 'inverse_future', base: 'BTC', quote: 'USD', settle: 'BTC',
    tickSize: '0.1', lotSize: '1', contractMultiplier: '100', makerFeeRate: '0.0002', takerFeeRate: '0.0005',
  },
  {
    id: 'okx:UNI-USD-SWAP', venue: 'okx', symbol: 'UNI-USD-SWAP', kind: 'inverse_perp', base: 'UNI', quote: 'USD', settle: 'UNI',
    tickSize: '0.001', lotSize: '1', contractMultiplier: '10', makerFeeRate: '0.0002', takerFeeRate: '0.0005',
  },
] satisfies InstrumentSpec[]);
