/**
 * Rebuilds OKX books from the v5 `books` channel and counts how many of the venue's own CRC32
 * checksums the rebuilt book reproduces (the check itself lives in OkxBookSync). Pure: the caller
 * feeds messages in capture order.
 */
import type { InstrumentLookup } from '../normalizer.ts';
import { OkxBookSync } from '../okx/OkxBookSync.ts';
import type { BookCheckInstrument } from './BinanceBookCheck.ts';

export class OkxBookCheck {
  private readonly sync: OkxBookSync;
  private readonly byInst = new Map<string, BookCheckInstrument>();

  constructor(lookup: InstrumentLookup) {
    this.sync = new OkxBookSync(lookup);
  }

  /** Any OKX WebSocket message; only `books` snapshot/update pushes are used. */
  onMessage(msg: unknown, tsRecv: number): void {
    if (!this.sync.canHandle(msg)) return;
    const before = { ...this.sync.stats };
    let r: BookCheckInstrument | undefined;
    for (const e of this.sync.map(msg, tsRecv)) {
      r ??= this.result(e.instrument);
      if (e.kind === 'gap') { r.gaps++; r.gapDetails.push(e.detail); if (e.reason === 'checksum' && r.mismatches.length < 5) r.mismatches.push(e.detail); }
    }
    const instId = String((msg as { arg: { instId: unknown } }).arg.instId);
    r ??= this.result(`okx:${instId}`);
    const s = this.sync.stats;
    r.total += s.messages - before.messages;
    r.checked += s.checksums - before.checksums;
    r.matched += s.checksumsMatched - before.checksumsMatched;
  }

  private result(instrument: string): BookCheckInstrument {
    let r = this.byInst.get(instrument);
    if (!r) { r = { instrument, total: 0, checked: 0, matched: 0, gaps: 0, gapDetails: [], mismatches: [] }; this.byInst.set(instrument, r); }
    return r;
  }

  results(): BookCheckInstrument[] { return [...this.byInst.values()]; }
  get stats() { return this.sync.stats; }
}
