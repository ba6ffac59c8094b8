/**
 * Binance `trade` stream (spot, USDⓈ-M, COIN-M). `m: true` means the buyer was the maker, so the
 * aggressor sold (side -1). tsEvent = trade time `T`.
 * Futures add `X` (MARKET / ADL / INSURANCE_FUND / NA): only MARKET prints are order-book trades; the
 * others are liquidation/ADL transfers at the bankruptcy price that never touched the book, so they
 * are not emitted. Docs: https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 */
import { usFromMs } from '../../core/time.ts';
import { Side } from '../../model/market.ts';
import type { InstrumentLookup, Normalizer, VenueId } from '../normalizer.ts';
import { binancePayload, bool, int, str, units } from './binanceInternals.ts';

/** The `trade` and `aggTrade` normalizers differ only in the event name, the trade-id field and the futures filter. */
export function binanceTradeLike(venue: VenueId, lookup: InstrumentLookup, channel: 'trade' | 'aggTrade', idField: 't' | 'a', marketOnly: boolean): Normalizer {
  const what = `binance ${channel}`;
  return {
    venue,
    channel,
    canHandle: (msg) => binancePayload(msg)?.e === channel,
    *map(msg, tsRecv) {
      const p = binancePayload(msg)!;
      if (marketOnly && p.X !== undefined && p.X !== 'MARKET') return;
      const inst = lookup(str(p, 's', what));
      yield {
        kind: 'trade', instrument: inst.id, tsEvent: usFromMs(int(p, 'T', what)), tsRecv,
        side: bool(p, 'm', what) ? Side.Ask : Side.Bid,
        priceTicks: units(inst.tick, str(p, 'p', what), 'p', what),
        sizeLots: units(inst.lot, str(p, 'q', what), 'q', what),
        tradeId: int(p, idField, what),
      };
    },
  };
}

export function binanceTrade(venue: VenueId, lookup: InstrumentLookup): Normalizer {
  return binanceTradeLike(venue, lookup, 'trade', 't', true);
}
