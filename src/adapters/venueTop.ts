/**
 * The best bid and ask of a venue's REST order book answer as a WarmTop, in ticks and lots of the
 * instrument's feed grain (`tick`, `lot`: the units of the kernel's book, as BinanceExecution.fetchTops).
 * Shared by the Binance, OKX and Bybit execution adapters (all answer levels as `[price, size, ...]` strings).
 *
 * Every way the answer cannot be primed around is an HftError naming the request and the instrument,
 * never a made-up price: a missing side (HFT_ERR_NOT_FOUND: HotPathWarmer.prime would skip every step
 * of a one-sided or empty book and the session would start cold without a word), a level that is not
 * two decimal strings on the instrument's grid, a size or price not above zero, or a crossed book
 * (HFT_ERR_BAD_INPUT).
 */
import { HftError } from '../core/errors.ts';
import type { WarmTop } from '../engine/live/HotPathWarmer.ts';
import type { Instrument } from '../model/instrument.ts';

export function venueTop(where: string, inst: Instrument, bid: unknown, ask: unknown): WarmTop {
  if (bid === undefined && ask === undefined) throw new HftError('HFT_ERR_NOT_FOUND', `${where}: the book is empty (no bid, no ask): nothing to prime the hot path around`, { instrument: inst.id });
  if (bid === undefined) throw new HftError('HFT_ERR_NOT_FOUND', `${where}: the book has no bid: nothing to prime the hot path around`, { instrument: inst.id });
  if (ask === undefined) throw new HftError('HFT_ERR_NOT_FOUND', `${where}: the book has no ask: nothing to prime the hot path around`, { instrument: inst.id });
  const [bidTicks, bidLots] = level(where, inst, 'bid', bid);
  const [askTicks, askLots] = level(where, inst, 'ask', ask);
  if (!(bidTicks < askTicks)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: crossed book: best bid ${inst.tick.toDecimal(bidTicks)} >= best ask ${inst.tick.toDecimal(askTicks)}`, { instrument: inst.id });
  return { bidTicks, bidLots, askTicks, askLots };
}

function level(where: string, inst: Instrument, side: 'bid' | 'ask', l: unknown): [number, number] {
  if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: best ${side} ${JSON.stringify(l)?.slice(0, 100)} is not a [price, size] pair of strings`, { instrument: inst.id, side });
  }
  let ticks: number; let lots: number;
  try {
    ticks = inst.tick.toUnits(l[0]);
    lots = inst.lot.toUnits(l[1]);
  } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: best ${side} [${l[0]}, ${l[1]}] is not on ${inst.id}'s grid (tick ${inst.tickSize}, lot ${inst.lotSize}): ${(e as Error).message}`, { instrument: inst.id, side }, { cause: e });
  }
  if (!(ticks > 0) || !(lots > 0)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: best ${side} [${l[0]}, ${l[1]}]: price and size must be above zero`, { instrument: inst.id, side });
  return [ticks, lots];
}
