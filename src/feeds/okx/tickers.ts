/**
 * OKX v5 `tickers` channel as best bid/offer (bidPx/bidSz/askPx/askSz). It carries no book sequence
 * id: updateId = 0. tsEvent = `ts` (ms).
 */
import { usFromMs } from '../../core/time.ts';
import type { InstrumentLookup, Normalizer } from '../normalizer.ts';
import { okxData, okxUnits } from './okxInternals.ts';

const WHAT = 'okx tickers';

export function okxTickers(lookup: InstrumentLookup): Normalizer {
  return {
    venue: 'okx',
    channel: 'tickers',
    canHandle: (msg) => okxData(msg, 'tickers') !== undefined,
    *map(msg, tsRecv) {
      for (const [i, d] of okxData(msg, 'tickers')!.entries()) {
        const where = `${WHAT} data[${i}]`;
        const inst = lookup(String(d.instId));
        yield {
          kind: 'bbo', instrument: inst.id, tsEvent: usFromMs(Number(d.ts)), tsRecv,
          bidPriceTicks: okxUnits(inst.tick, d, 'bidPx', where),
          bidSizeLots: okxUnits(inst.lot, d, 'bidSz', where),
          askPriceTicks: okxUnits(inst.tick, d, 'askPx', where),
          askSizeLots: okxUnits(inst.lot, d, 'askSz', where),
          updateId: 0,
        };
      }
    },
  };
}
