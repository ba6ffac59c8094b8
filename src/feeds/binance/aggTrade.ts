/**
 * Binance `aggTrade` stream (what the cryptofeed captures record): one print per aggressor order and
 * price. Same side rule as `trade` (`m: true` = buyer was maker = aggressor sold); the trade id is the
 * aggregate id `a`. tsEvent = trade time `T`.
 */
import { usFromMs } from '../../core/time.ts';
import { Side } from '../../model/market.ts';
import type { InstrumentLookup, Normalizer, VenueId } from '../normalizer.ts';
import { binancePayload, bool, int, str, units } from './binanceInternals.ts';

const WHAT = 'binance aggTrade';

export function binanceAggTrade(venue: VenueId, lookup: InstrumentLookup): Normalizer {
  return {
    venue,
    channel: 'aggTrade',
    canHandle: (msg) => binancePayload(msg)?.e === 'aggTrade',
    *map(msg, tsRecv) {
      const p = binancePayload(msg)!;
      const inst = lookup(str(p, 's', WHAT));
      yield {
        kind: 'trade', instrument: inst.id, tsEvent: usFromMs(int(p, 'T', WHAT)), tsRecv,
        side: bool(p, 'm', WHAT) ? Side.Ask : Side.Bid,
        priceTicks: units(inst.tick, str(p, 'p', WHAT), 'p', WHAT),
        sizeLots: units(inst.lot, str(p, 'q', WHAT), 'q', WHAT),
        tradeId: int(p, 'a', WHAT),
      };
    },
  };
}
