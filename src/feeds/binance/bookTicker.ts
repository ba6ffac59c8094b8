/**
 * Binance `bookTicker`: best bid/ask with the book update id `u` it reflects (the data's own oracle for
 * a rebuilt book). Spot payloads carry no exchange time (no `E`/`T`): tsEvent = tsRecv there. Futures
 * carry `T` (transaction time), used as tsEvent.
 * Spot payloads have no `e` field, so recognition is by shape: `u`, `s`, `b`, `B`, `a`, `A` strings.
 */
import { usFromMs } from '../../core/time.ts';
import type { InstrumentLookup, Normalizer, VenueId } from '../normalizer.ts';
import { binancePayload, int, str, units } from './binanceInternals.ts';

const WHAT = 'binance bookTicker';

export function isBinanceBookTicker(msg: unknown): boolean {
  const p = binancePayload(msg);
  if (!p) return false;
  if (p.e !== undefined) return p.e === 'bookTicker';
  return typeof p.u === 'number' && typeof p.b === 'string' && typeof p.A === 'string';
}

export function binanceBookTicker(venue: VenueId, lookup: InstrumentLookup): Normalizer {
  return {
    venue,
    channel: 'bookTicker',
    canHandle: isBinanceBookTicker,
    *map(msg, tsRecv) {
      const p = binancePayload(msg)!;
      const inst = lookup(str(p, 's', WHAT));
      yield {
        kind: 'bbo', instrument: inst.id,
        tsEvent: p.T === undefined ? tsRecv : usFromMs(int(p, 'T', WHAT)), tsRecv,
        bidPriceTicks: units(inst.tick, str(p, 'b', WHAT), 'b', WHAT),
        bidSizeLots: units(inst.lot, str(p, 'B', WHAT), 'B', WHAT),
        askPriceTicks: units(inst.tick, str(p, 'a', WHAT), 'a', WHAT),
        askSizeLots: units(inst.lot, str(p, 'A', WHAT), 'A', WHAT),
        updateId: int(p, 'u', WHAT),
      };
    },
  };
}
