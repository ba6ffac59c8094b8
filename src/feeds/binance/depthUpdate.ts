/**
 * Binance diff depth (`<symbol>@depth`, `@depth@100ms`, futures `@depth@0ms`), event type `depthUpdate`,
 * for spot, USDⓈ-M and COIN-M. Same payload on all three, futures add `pu` (previous final update id)
 * and `T` (transaction time).
 *
 * `map` is the stateless view: the diff's rows as received, unsynchronized. A book must go through
 * BinanceBookSync, which applies the REST snapshot sync rules before any row reaches it.
 * Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#diff-depth-stream
 */
import { HftError } from '../../core/errors.ts';
import { usFromMs } from '../../core/time.ts';
import { BookFlag, Side, type BookDelta } from '../../model/market.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { InstrumentLookup, Normalizer, VenueId } from '../normalizer.ts';
import { binancePayload, int, levels, str, units } from './binanceInternals.ts';

/** One parsed diff, prices and sizes already in ticks and lots. */
export interface BinanceDepthDiff {
  readonly instrument: Instrument;
  /** Exchange event time `E`, µs. */
  readonly tsEvent: number;
  /** `U`: first update id in the diff. */
  readonly firstUpdateId: number;
  /** `u`: final update id in the diff. */
  readonly finalUpdateId: number;
  /** `pu` (futures only): final update id of the previous diff; -1 on spot. */
  readonly prevFinalUpdateId: number;
  /** Flattened [priceTicks, sizeLots, priceTicks, sizeLots, ...]. */
  readonly bids: readonly number[];
  readonly asks: readonly number[];
}

const WHAT = 'binance depthUpdate';

export function isBinanceDepthUpdate(msg: unknown): boolean {
  const p = binancePayload(msg);
  return p !== undefined && p.e === 'depthUpdate';
}

function flatLevels(inst: Instrument, raw: readonly (readonly [string, string])[], field: string): number[] {
  const out = new Array<number>(raw.length * 2);
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i]!;
    out[2 * i] = units(inst.tick, l[0], `${field}[${i}][0]`, WHAT);
    out[2 * i + 1] = units(inst.lot, l[1], `${field}[${i}][1]`, WHAT);
  }
  return out;
}

export function parseBinanceDepthUpdate(msg: unknown, lookup: InstrumentLookup): BinanceDepthDiff {
  const p = binancePayload(msg);
  if (!p || p.e !== 'depthUpdate') throw new HftError('HFT_ERR_BAD_INPUT', `${WHAT}: not a depthUpdate message`);
  const inst = lookup(str(p, 's', WHAT));
  return {
    instrument: inst,
    tsEvent: usFromMs(int(p, 'E', WHAT)),
    firstUpdateId: int(p, 'U', WHAT),
    finalUpdateId: int(p, 'u', WHAT),
    prevFinalUpdateId: p.pu === undefined ? -1 : int(p, 'pu', WHAT),
    bids: flatLevels(inst, levels(p, 'b', WHAT), 'b'),
    asks: flatLevels(inst, levels(p, 'a', WHAT), 'a'),
  };
}

/**
 * The rows of one diff (bids then asks). `firstFlags` is OR-ed into the first row (Clear|Snapshot for a
 * snapshot); every row of a snapshot carries `rowFlags`; the last row gets EndOfMessage.
 */
export function* depthRows(
  instrumentId: string, tsEvent: number, tsRecv: number, updateId: number,
  bids: readonly number[], asks: readonly number[], rowFlags = 0, firstFlags = 0,
): Generator<BookDelta, void, undefined> {
  const n = (bids.length + asks.length) / 2;
  let k = 0;
  for (let side = 0; side < 2; side++) {
    const lv = side === 0 ? bids : asks;
    for (let i = 0; i < lv.length; i += 2, k++) {
      let flags = rowFlags;
      if (k === 0) flags |= firstFlags;
      if (k === n - 1) flags |= BookFlag.EndOfMessage;
      yield {
        kind: 'book', instrument: instrumentId, tsEvent, tsRecv,
        side: side === 0 ? Side.Bid : Side.Ask, priceTicks: lv[i]!, sizeLots: lv[i + 1]!, flags, updateId,
      };
    }
  }
}

export function binanceDepthUpdate(venue: VenueId, lookup: InstrumentLookup): Normalizer {
  return {
    venue,
    channel: 'depthUpdate',
    canHandle: isBinanceDepthUpdate,
    *map(msg, tsRecv) {
      const d = parseBinanceDepthUpdate(msg, lookup);
      yield* depthRows(d.instrument.id, d.tsEvent, tsRecv, d.finalUpdateId, d.bids, d.asks);
    },
  };
}
