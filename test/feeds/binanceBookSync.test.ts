/** BinanceBookSync rules on real capture messages (binance-capture, hftbacktest examples, MIT). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BinanceBookSync } from '../../src/feeds/binance/BinanceBookSync.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { isDepthSnapshot, parseBinanceCaptureLine } from '../../src/feeds/capture/binanceCaptureLine.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';
import { BookFlag, type MarketEvent } from '../../src/model/market.ts';

const records = (path: string) => gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l !== '')
  .map((l, i) => parseBinanceCaptureLine(l, `${path}:${i + 1}`));
const payload = (msg: unknown) => (msg as { data: { U: number; u: number; pu: number; e: string } }).data;

describe('BinanceBookSync', () => {
  it('usdm ETHUSDT: accepts a first diff with U > lastUpdateId when its pu equals lastUpdateId (the documented quirk)', () => {
    const recs = records('/work/shared/data/binance-capture/usdm/ethusdt_20240808.gz');
    const snapAt = recs.findIndex((r) => isDepthSnapshot(r.msg));
    const lastUpdateId = (recs[snapAt]!.msg as { lastUpdateId: number }).lastUpdateId;
    const sync = new BinanceBookSync('binance-usdm', instrumentLookup('binance-usdm', captureInstruments));
    const out: MarketEvent[] = [];
    for (const r of recs.slice(0, snapAt)) if (sync.canHandle(r.msg)) out.push(...sync.map(r.msg, r.tsRecv));
    expect(out).toEqual([]); // buffered until the snapshot
    // The quirk, as in the raw text: the first diff ending after the snapshot starts after it too.
    const first = recs.slice(0, snapAt).map((r) => r.msg).filter((m) => sync.canHandle(m)).map(payload).find((d) => d.u > lastUpdateId)!;
    expect(first.U).toBeGreaterThan(lastUpdateId);
    expect(first.pu).toBe(lastUpdateId);
    out.push(...sync.snapshot('ETHUSDT', recs[snapAt]!.msg, recs[snapAt]!.tsRecv));
    expect(out.some((e) => e.kind === 'gap')).toBe(false);
    expect(out.at(-1)).toMatchObject({ kind: 'book', updateId: first.u, flags: BookFlag.EndOfMessage });
    expect(sync.lastUpdateId('ETHUSDT')).toBe(first.u);
    // Snapshot rows: Clear+Snapshot first, Snapshot on all, EndOfMessage on the last snapshot row.
    const snapRows = out.filter((e) => e.kind === 'book' && (e.flags & BookFlag.Snapshot) !== 0);
    expect(snapRows[0]).toMatchObject({ flags: BookFlag.Clear | BookFlag.Snapshot, updateId: lastUpdateId });
    expect(snapRows.at(-1)).toMatchObject({ flags: BookFlag.Snapshot | BookFlag.EndOfMessage });
  });

  it('futures: a first diff that starts after the snapshot without pu continuity is a gap', () => {
    const recs = records('/work/shared/data/binance-capture/usdm/ethusdt_20240808.gz');
    const snapAt = recs.findIndex((r) => isDepthSnapshot(r.msg));
    const sync = new BinanceBookSync('binance-usdm', instrumentLookup('binance-usdm', captureInstruments));
    const diffs = recs.filter((r) => sync.canHandle(r.msg));
    const afterSnap = recs.slice(snapAt + 1).filter((r) => sync.canHandle(r.msg));
    [...sync.snapshot('ETHUSDT', recs[snapAt]!.msg, recs[snapAt]!.tsRecv)];
    // Skip the diff that continues the snapshot (the last one before it): the next one has pu != lastUpdateId.
    expect(diffs.length).toBeGreaterThan(afterSnap.length);
    const out = [...sync.map(afterSnap[0]!.msg, afterSnap[0]!.tsRecv)];
    expect(out).toEqual([expect.objectContaining({ kind: 'gap', reason: 'sequence' })]);
    expect((out[0] as { detail: string }).detail).toMatch(/^first diff after snapshot: expected pu=/);
  });

  it('spot BTCUSDT: replays buffered diffs after the snapshot with the snapshot receive time, dropping u <= lastUpdateId', () => {
    const recs = records('/work/shared/data/binance-capture/spot/btcusdt_20240808.gz');
    const snapAt = recs.findIndex((r) => isDepthSnapshot(r.msg));
    const lastUpdateId = (recs[snapAt]!.msg as { lastUpdateId: number }).lastUpdateId;
    const sync = new BinanceBookSync('binance-spot', instrumentLookup('binance-spot', captureInstruments));
    const buffered = recs.slice(0, snapAt).filter((r) => sync.canHandle(r.msg));
    for (const r of buffered) [...sync.map(r.msg, r.tsRecv)];
    const out = [...sync.snapshot('BTCUSDT', recs[snapAt]!.msg, recs[snapAt]!.tsRecv)];
    const kept = buffered.filter((r) => payload(r.msg).u > lastUpdateId);
    expect(kept.length).toBeGreaterThan(0);
    expect(payload(kept[0]!.msg).U).toBeLessThanOrEqual(lastUpdateId + 1); // spot: the first one straddles
    const diffRows = out.filter((e) => e.kind === 'book' && (e.flags & BookFlag.Snapshot) === 0);
    expect(new Set(diffRows.map((e) => (e.kind === 'book' ? e.updateId : 0)))).toEqual(new Set(kept.map((r) => payload(r.msg).u)));
    expect(diffRows.every((e) => e.tsRecv === recs[snapAt]!.tsRecv)).toBe(true);
    expect(sync.stats.droppedBeforeSnapshot).toBe(buffered.length - kept.length);
  });

  it('spot: a diff whose U skips ahead is a sequence gap and the symbol waits for a new snapshot', () => {
    const recs = records('/work/shared/data/binance-capture/spot/btcusdt_20240808.gz');
    const snapAt = recs.findIndex((r) => isDepthSnapshot(r.msg));
    const sync = new BinanceBookSync('binance-spot', instrumentLookup('binance-spot', captureInstruments));
    for (const r of recs.slice(0, snapAt)) if (sync.canHandle(r.msg)) [...sync.map(r.msg, r.tsRecv)];
    [...sync.snapshot('BTCUSDT', recs[snapAt]!.msg, recs[snapAt]!.tsRecv)];
    const diffs = recs.slice(snapAt + 1).filter((r) => sync.canHandle(r.msg));
    const gapOut = [...sync.map(diffs[1]!.msg, diffs[1]!.tsRecv)]; // diffs[0] skipped
    expect(gapOut).toEqual([expect.objectContaining({ kind: 'gap', reason: 'sequence', instrument: 'binance-spot:BTCUSDT' })]);
    expect(sync.isSynced('BTCUSDT')).toBe(false);
    expect([...sync.map(diffs[2]!.msg, diffs[2]!.tsRecv)]).toEqual([]); // buffered, not applied
  });
});
