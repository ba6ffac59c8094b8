/**
 * Bybit v5 public `orderbook.<depth>.<symbol>` synchronizer (snapshot + delta), stateful and pure.
 * Written from Bybit's documented v5 format (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook),
 * NOT verified against captured v5 data (the only Bybit captures here are the legacy 2021 v2 format):
 *
 *   {"topic":"orderbook.50.BTCUSDT","type":"snapshot"|"delta","ts":<ms>,
 *    "data":{"s":"BTCUSDT","b":[["price","size"],...],"a":[...],"u":<update id>,"seq":<cross seq>},"cts":<ms>}
 *
 * Rules taken from the docs: a `snapshot` replaces the local book (Bybit re-sends one whenever its side
 * has a problem, and `u` = 1 means the service restarted: also a snapshot); in a `delta` a size of "0"
 * deletes the level, any other size replaces it. Our reading, stated so it can be checked against real
 * data: each delta's `u` is the previous message's `u` + 1, and `seq` increases; anything else is a
 * `sequence` gap, after which deltas are ignored until the next snapshot (the feed resubscribes).
 * `updateId` of the rows is `u`; tsEvent is `cts` (matching engine time) when present, else `ts`.
 */
import { HftError } from '../../core/errors.ts';
import { usFromMs } from '../../core/time.ts';
import type { InstrumentLookup } from '../../feeds/normalizer.ts';
import type { Instrument } from '../../model/instrument.ts';
import { BookFlag, Side, type MarketEvent } from '../../model/market.ts';

type Obj = Record<string, unknown>;
const WHAT = 'bybit orderbook';

interface SymbolState { synced: boolean; lastU: number; lastSeq: number }

export function isBybitOrderbook(msg: unknown): boolean {
  const m = msg as Obj | null;
  return typeof m === 'object' && m !== null && typeof m.topic === 'string' && m.topic.startsWith('orderbook.');
}

function num(o: Obj, field: string, where: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${field}' must be an integer, got ${JSON.stringify(v)}`, { field });
  return v;
}

export class BybitBookSync {
  readonly channel = 'orderbook';
  private readonly states = new Map<string, SymbolState>();
  readonly stats = { snapshots: 0, deltas: 0, gaps: 0 };

  constructor(private readonly lookup: InstrumentLookup) {}

  canHandle(msg: unknown): boolean { return isBybitOrderbook(msg); }

  isSynced(symbol: string): boolean { return this.states.get(symbol)?.synced ?? false; }

  *map(msg: unknown, tsRecv: number): Generator<MarketEvent, void, undefined> {
    if (!isBybitOrderbook(msg)) throw new HftError('HFT_ERR_BAD_INPUT', `${WHAT}: not an orderbook message`);
    const m = msg as Obj;
    const where = `${WHAT} ${String(m.topic)}`;
    if (m.type !== 'snapshot' && m.type !== 'delta') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'type' must be snapshot|delta, got ${JSON.stringify(m.type)}`, { field: 'type' });
    const d = m.data as Obj | undefined;
    if (typeof d !== 'object' || d === null) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'data' must be an object`, { field: 'data' });
    if (typeof d.s !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'data.s' must be the symbol`, { field: 'data.s' });
    const inst = this.lookup(d.s);
    const u = num(d, 'u', where);
    const seq = num(d, 'seq', where);
    const tsEvent = usFromMs(typeof m.cts === 'number' ? m.cts : num(m, 'ts', where));
    let s = this.states.get(d.s);
    if (!s) { s = { synced: false, lastU: -1, lastSeq: -1 }; this.states.set(d.s, s); }
    const snapshot = m.type === 'snapshot';
    if (!snapshot) {
      if (!s.synced) return;
      if (u !== s.lastU + 1 || seq <= s.lastSeq) {
        s.synced = false;
        this.stats.gaps++;
        yield { kind: 'gap', instrument: inst.id, tsEvent, tsRecv, reason: 'sequence', detail: `expected u=${s.lastU + 1} and seq>${s.lastSeq}, got u=${u} seq=${seq}; waiting for a new snapshot` };
        return;
      }
      this.stats.deltas++;
    } else this.stats.snapshots++;
    const bids = this.levels(inst, d, 'b', where);
    const asks = this.levels(inst, d, 'a', where);
    s.synced = true; s.lastU = u; s.lastSeq = seq;
    const n = (bids.length + asks.length) / 2;
    if (snapshot && n === 0) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: empty snapshot (u ${u})`);
    let k = 0;
    for (let side = 0; side < 2; side++) {
      const lv = side === 0 ? bids : asks;
      for (let i = 0; i < lv.length; i += 2, k++) {
        let flags = snapshot ? BookFlag.Snapshot : 0;
        if (k === 0 && snapshot) flags |= BookFlag.Clear;
        if (k === n - 1) flags |= BookFlag.EndOfMessage;
        yield { kind: 'book', instrument: inst.id, tsEvent, tsRecv, side: side === 0 ? Side.Bid : Side.Ask, priceTicks: lv[i]!, sizeLots: lv[i + 1]!, flags, updateId: u };
      }
    }
  }

  private levels(inst: Instrument, d: Obj, field: string, where: string): number[] {
    const v = d[field];
    if (!Array.isArray(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'data.${field}' must be an array of [price, size]`, { field: `data.${field}` });
    const out: number[] = [];
    v.forEach((l: unknown, i: number) => {
      if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'data.${field}[${i}]' is not [price, size] strings: ${JSON.stringify(l)}`, { field: `data.${field}` });
      for (const [j, inc] of [[0, inst.tick], [1, inst.lot]] as const) {
        try { out.push(inc.toUnits(l[j] as string)); } catch (e) {
          throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'data.${field}[${i}][${j}]' value '${String(l[j])}': ${(e as Error).message}`, { field: `data.${field}` }, { cause: e });
        }
      }
    });
    return out;
  }
}
