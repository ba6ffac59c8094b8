/**
 * OKX v5 `books` channel (400 levels: a `snapshot` then `update`s) with CRC32 checksum verification on
 * every message. Stateful, pure (no I/O).
 *
 * Checksum (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel):
 * CRC32 of the first 25 levels interleaved `bid1px:bid1sz:ask1px:ask1sz:bid2px:...` (a side with fewer
 * levels just contributes fewer), prices and sizes AS RECEIVED (strings, e.g. "30261" not "30261.0"),
 * compared as a signed 32-bit integer. So the received strings of every live level are kept beside the
 * integer book.
 * A mismatch emits Gap 'checksum' after the message's rows; newer payloads carry `seqId`/`prevSeqId`
 * and a break there emits Gap 'sequence'. Either way the instrument waits for a new snapshot
 * (resubscribe) and its updates are ignored meanwhile. updateId = `seqId`, or 0 when the payload
 * predates it (the 2022 captures).
 */
import { HftError } from '../../core/errors.ts';
import { usFromMs } from '../../core/time.ts';
import { L2Book } from '../../model/book/L2Book.ts';
import { BookFlag, Side, type MarketEvent } from '../../model/market.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { InstrumentLookup } from '../normalizer.ts';
import { crc32 } from './crc32.ts';

type Obj = Record<string, unknown>;
const WHAT = 'okx books';
const CHECKSUM_LEVELS = 25;

interface InstState {
  readonly inst: Instrument;
  readonly book: L2Book;
  readonly bidText: Map<number, string>;
  readonly askText: Map<number, string>;
  synced: boolean;
  lastSeqId: number;
}

export function isOkxBooks(msg: unknown): boolean {
  const m = msg as Obj | null;
  const arg = m?.arg as Obj | undefined;
  return typeof m === 'object' && m !== null && arg?.channel === 'books' && (m.action === 'snapshot' || m.action === 'update');
}

function parseLevels(d: Obj, field: string, where: string): string[][] {
  const v = d[field];
  if (!Array.isArray(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${field}' must be an array of levels`, { field });
  for (const l of v) if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${field}' has a malformed level ${JSON.stringify(l)}`, { field });
  }
  return v as string[][];
}

export class OkxBookSync {
  readonly venue = 'okx' as const;
  readonly channel = 'books';
  private readonly lookup: InstrumentLookup;
  private readonly states = new Map<string, InstState>();
  readonly stats = { messages: 0, checksums: 0, checksumsMatched: 0, gaps: 0, snapshots: 0 };

  constructor(lookup: InstrumentLookup) {
    this.lookup = lookup;
  }

  canHandle(msg: unknown): boolean { return isOkxBooks(msg); }

  /** The integer book this synchronizer keeps for `instId` (read-only use). */
  bookOf(instId: string): L2Book | undefined { return this.states.get(instId)?.book; }

  isSynced(instId: string): boolean { return this.states.get(instId)?.synced ?? false; }

  *map(msg: unknown, tsRecv: number): Generator<MarketEvent, void, undefined> {
    if (!isOkxBooks(msg)) throw new HftError('HFT_ERR_BAD_INPUT', `${WHAT}: not a books snapshot/update message`);
    const m = msg as Obj;
    const instId = (m.arg as Obj).instId;
    if (typeof instId !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${WHAT}: arg.instId missing`);
    const snapshot = m.action === 'snapshot';
    let s = this.states.get(instId);
    if (!s) {
      s = { inst: this.lookup(instId), book: new L2Book(`okx:${instId}`), bidText: new Map(), askText: new Map(), synced: false, lastSeqId: -1 };
      this.states.set(instId, s);
    }
    if (!Array.isArray(m.data)) throw new HftError('HFT_ERR_BAD_INPUT', `${WHAT} ${instId}: 'data' must be an array`);
    for (const d of m.data as Obj[]) {
      this.stats.messages++;
      if (!snapshot && !s.synced) continue;
      yield* this.one(s, d, snapshot, tsRecv);
    }
  }

  private *one(s: InstState, d: Obj, snapshot: boolean, tsRecv: number): Generator<MarketEvent, void, undefined> {
    const where = `${WHAT} ${s.inst.symbol}`;
    const ts = Number(d.ts);
    if (!Number.isSafeInteger(ts)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'ts' must be integer ms, got ${JSON.stringify(d.ts)}`, { field: 'ts' });
    const tsEvent = usFromMs(ts);
    const seqId = typeof d.seqId === 'number' ? d.seqId : 0;
    if (!snapshot && typeof d.prevSeqId === 'number' && s.lastSeqId >= 0 && d.prevSeqId !== s.lastSeqId) {
      s.synced = false;
      this.stats.gaps++;
      yield { kind: 'gap', instrument: s.inst.id, tsEvent, tsRecv, reason: 'sequence', detail: `expected prevSeqId=${s.lastSeqId}, got ${d.prevSeqId}; waiting for a new snapshot` };
      return;
    }
    const bids = parseLevels(d, 'bids', where);
    const asks = parseLevels(d, 'asks', where);
    if (snapshot) {
      this.stats.snapshots++;
      s.book.clear(); s.bidText.clear(); s.askText.clear();
      s.synced = true;
    }
    const n = bids.length + asks.length;
    let k = 0;
    for (let side = 0; side < 2; side++) {
      const lv = side === 0 ? bids : asks;
      const text = side === 0 ? s.bidText : s.askText;
      const sd = side === 0 ? Side.Bid : Side.Ask;
      for (let i = 0; i < lv.length; i++, k++) {
        const [pxText, szText] = lv[i] as [string, string];
        const priceTicks = this.units(s.inst.tick, pxText, `${side === 0 ? 'bids' : 'asks'}[${i}][0]`, where);
        const sizeLots = this.units(s.inst.lot, szText, `${side === 0 ? 'bids' : 'asks'}[${i}][1]`, where);
        if (sizeLots === 0) text.delete(priceTicks); else text.set(priceTicks, `${pxText}:${szText}`);
        s.book.set(sd, priceTicks, sizeLots);
        let flags = snapshot ? BookFlag.Snapshot : 0;
        if (k === 0 && snapshot) flags |= BookFlag.Clear;
        if (k === n - 1) flags |= BookFlag.EndOfMessage;
        yield { kind: 'book', instrument: s.inst.id, tsEvent, tsRecv, side: sd, priceTicks, sizeLots, flags, updateId: seqId };
      }
    }
    s.lastSeqId = typeof d.seqId === 'number' ? d.seqId : -1;
    if (typeof d.checksum !== 'number') return;
    this.stats.checksums++;
    const mine = this.checksum(s);
    if (mine === d.checksum) { this.stats.checksumsMatched++; return; }
    s.synced = false;
    this.stats.gaps++;
    yield { kind: 'gap', instrument: s.inst.id, tsEvent, tsRecv, reason: 'checksum', detail: `checksum ${d.checksum} from venue, ${mine} rebuilt; waiting for a new snapshot` };
  }

  private units(inc: Instrument['tick'], text: string, field: string, where: string): number {
    try { return inc.toUnits(text); } catch (e) {
      throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${field}' value '${text}': ${(e as Error).message}`, { field }, { cause: e });
    }
  }

  /** OKX's checksum of the current book, from the received strings of the top 25 levels. */
  private checksum(s: InstState): number {
    const bids: string[] = []; const asks: string[] = [];
    s.book.forEachLevel(Side.Bid, CHECKSUM_LEVELS, (p) => { bids.push(s.bidText.get(p)!); });
    s.book.forEachLevel(Side.Ask, CHECKSUM_LEVELS, (p) => { asks.push(s.askText.get(p)!); });
    const parts: string[] = [];
    for (let i = 0; i < CHECKSUM_LEVELS; i++) {
      if (i < bids.length) parts.push(bids[i]!);
      if (i < asks.length) parts.push(asks[i]!);
    }
    return crc32(parts.join(':'));
  }
}
