/**
 * OKX v5 `trades` channel. `side` is the taker's (aggressor's) side per the OKX docs; tradeId is a
 * numeric string. tsEvent = `ts` (ms).
 */
import { HftError } from '../../core/errors.ts';
import { usFromMs } from '../../core/time.ts';
import { Side } from '../../model/market.ts';
import type { InstrumentLookup, Normalizer } from '../normalizer.ts';
import { okxData, okxUnits } from './okxInternals.ts';

const WHAT = 'okx trades';

export function okxTrades(lookup: InstrumentLookup): Normalizer {
  return {
    venue: 'okx',
    channel: 'trades',
    canHandle: (msg) => okxData(msg, 'trades') !== undefined,
    *map(msg, tsRecv) {
      for (const [i, d] of okxData(msg, 'trades')!.entries()) {
        const where = `${WHAT} data[${i}]`;
        const inst = lookup(String(d.instId));
        if (d.side !== 'buy' && d.side !== 'sell') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'side' must be buy|sell, got ${JSON.stringify(d.side)}`, { field: 'side' });
        const tradeId = Number(d.tradeId);
        if (!Number.isSafeInteger(tradeId)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'tradeId' must be an integer string, got ${JSON.stringify(d.tradeId)}`, { field: 'tradeId' });
        yield {
          kind: 'trade', instrument: inst.id, tsEvent: usFromMs(Number(d.ts)), tsRecv,
          side: d.side === 'buy' ? Side.Bid : Side.Ask,
          priceTicks: okxUnits(inst.tick, d, 'px', where),
          sizeLots: okxUnits(inst.lot, d, 'sz', where),
          tradeId,
        };
      }
    },
  };
}
