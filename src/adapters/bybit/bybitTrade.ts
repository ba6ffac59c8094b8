/**
 * Bybit v5 `publicTrade.<symbol>` (https://bybit-exchange.github.io/docs/v5/websocket/public/trade),
 * from the documented format, not verified against captured v5 data:
 *   {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":<ms>,"data":[{"T":<ms>,"s":"BTCUSDT","S":"Buy"|"Sell","v":"size","p":"price","i":"<trade id>","BT":false}]}
 * `S` is the taker's side (the aggressor). Trade ids are numeric strings on spot but UUIDs on
 * derivatives: a non-numeric id becomes its 32-bit FNV-1a hash (the integer column needs a number; it
 * is for deduplication and display, not ordering).
 */
import { HftError } from '../../core/errors.ts';
import { usFromMs } from '../../core/time.ts';
import type { InstrumentLookup } from '../../feeds/normalizer.ts';
import { Side, type MarketEvent } from '../../model/market.ts';

type Obj = Record<string, unknown>;
const WHAT = 'bybit publicTrade';

export function isBybitTrade(msg: unknown): boolean {
  const m = msg as Obj | null;
  return typeof m === 'object' && m !== null && typeof m.topic === 'string' && m.topic.startsWith('publicTrade.');
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

export function* bybitTrades(msg: unknown, tsRecv: number, lookup: InstrumentLookup): Generator<MarketEvent, void, undefined> {
  const data = (msg as Obj).data;
  if (!Array.isArray(data)) throw new HftError('HFT_ERR_BAD_INPUT', `${WHAT}: field 'data' must be an array`, { field: 'data' });
  for (const [i, d] of (data as Obj[]).entries()) {
    const where = `${WHAT} data[${i}]`;
    const field = (name: string): string => {
      const v = d[name];
      if (typeof v !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${name}' must be a string, got ${JSON.stringify(v)}`, { field: name });
      return v;
    };
    const inst = lookup(field('s'));
    const side = field('S');
    if (side !== 'Buy' && side !== 'Sell') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'S' must be Buy|Sell, got '${side}'`, { field: 'S' });
    if (typeof d.T !== 'number') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'T' must be ms`, { field: 'T' });
    const id = field('i');
    let priceTicks: number; let sizeLots: number;
    try { priceTicks = inst.tick.toUnits(field('p')); sizeLots = inst.lot.toUnits(field('v')); } catch (e) {
      if (e instanceof HftError && e.code === 'HFT_ERR_BAD_INPUT') throw e;
      throw new HftError('HFT_ERR_BAD_INPUT', `${where}: price '${String(d.p)}' or size '${String(d.v)}': ${(e as Error).message}`, { field: 'p' }, { cause: e });
    }
    yield {
      kind: 'trade', instrument: inst.id, tsEvent: usFromMs(d.T), tsRecv, side: side === 'Buy' ? Side.Bid : Side.Ask,
      priceTicks, sizeLots, tradeId: /^\d{1,15}$/.test(id) ? Number(id) : fnv1a(id),
    };
  }
}
