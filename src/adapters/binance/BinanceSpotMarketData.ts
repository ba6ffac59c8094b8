/**
 * Live Binance spot market data: BinanceMarketData on venue 'binance-spot' (combined streams
 * `<sym>@depth@100ms/<sym>@trade/<sym>@bookTicker`, diff depth synced with `/api/v3/depth`).
 * Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 */
import { BinanceMarketData, type BinanceMarketDataOptions } from './BinanceMarketData.ts';

export type { BinanceStream } from './BinanceMarketData.ts';
export type { MarketDataStats } from '../feed/LiveWsFeed.ts';

export type BinanceSpotMarketDataOptions = Omit<BinanceMarketDataOptions, 'venue'>;

export class BinanceSpotMarketData extends BinanceMarketData {
  constructor(o: BinanceSpotMarketDataOptions) {
    super({ ...o, venue: 'binance-spot' });
  }
}
