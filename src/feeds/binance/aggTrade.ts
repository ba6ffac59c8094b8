/**
 * Binance `aggTrade` stream (what the cryptofeed captures record): one print per aggressor order and
 * price. Same side rule as `trade` (`m: true` = buyer was maker = aggressor sold); the trade id is the
 * aggregate id `a`. tsEvent = trade time `T`.
 */
import type { InstrumentLookup, Normalizer, VenueId } from '../normalizer.ts';
import { binanceTradeLike } from './trade.ts';

export function binanceAggTrade(venue: VenueId, lookup: InstrumentLookup): Normalizer {
  return binanceTradeLike(venue, lookup, 'aggTrade', 'a', false);
}
