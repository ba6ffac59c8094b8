/**
 * The live feed for a set of instruments of one venue, chosen by the venue of their ids: what a
 * session runner calls instead of naming a venue class.
 */
import { HftError } from '../../core/errors.ts';
import { BinanceMarketData } from '../binance/BinanceMarketData.ts';
import { BybitMarketData } from '../bybit/BybitMarketData.ts';
import { OkxMarketData } from '../okx/OkxMarketData.ts';
import type { LiveFeedOptions, LiveMarketData } from './LiveWsFeed.ts';

export interface MarketDataOptions extends LiveFeedOptions {
  /** REST base (Binance depth snapshots); unused by venues that snapshot over the socket. */
  readonly restUrl: string;
  /** WebSocket base (Binance: host; OKX: the full `/ws/v5/public` URL; Bybit: the full `/v5/public/<category>` URL). */
  readonly wsUrl: string;
}

export const LIVE_FEED_VENUES = ['binance-spot', 'binance-usdm', 'binance-coinm', 'okx', 'bybit-spot', 'bybit-linear', 'bybit-inverse'] as const;

export function createMarketData(o: MarketDataOptions): LiveMarketData {
  const venues = [...new Set(o.instruments.map((s) => s.venue))];
  if (venues.length !== 1) throw new HftError('HFT_ERR_CONFIG', `live feed: one venue per feed, got ${venues.join(', ') || 'no instrument'}`);
  const venue = venues[0]!;
  switch (venue) {
    case 'binance-spot': case 'binance-usdm': case 'binance-coinm':
      return new BinanceMarketData({ ...o, venue });
    case 'okx':
      return new OkxMarketData(o);
    case 'bybit-spot': case 'bybit-linear': case 'bybit-inverse':
      return new BybitMarketData(o);
    default:
      throw new HftError('HFT_ERR_CONFIG', `live feed: venue '${venue}' is not supported (supported: ${LIVE_FEED_VENUES.join(', ')})`);
  }
}
