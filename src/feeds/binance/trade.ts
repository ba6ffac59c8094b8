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

const WHAT = 'binance trade';

export function binanceTrade(venue: VenueId, lookup: InstrumentLookup): Normalizer {
  return {
    venue,
    channel: 'trade',
    canHandle: (msg) => binancePayload(msg)?.e === 'trade',
    *map(msg, tsRecv) {
      const p = binancePayload(msg)!;
      if (p.X !== undefined && p.X !== 'MARKET') return;
      const inst = lookup(str(p, 's', WHAT));
      yield {
        kind: 'trade', instrument: inst.id, tsEvent: usFromMs(int(p, 'T', WHAT)), tsRecv,
        side: bool(p, 'm', WHAT) ? Side.Ask : Side.Bid,
        priceTicks: units(inst.tick, str(p, 'p', WHAT), 'p', WHAT),
        sizeLots: units(inst.lot, str(p, 'q', WHAT), 'q', WHAT),
        tradeId: int(p, 't', WHAT),
      };
    },
  };
}
