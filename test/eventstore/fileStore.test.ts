/** File-store behaviour beyond the shared contract: recovery, determinism, segments, readers, config. */
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import fc from 'fast-check';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { jsonString } from '../../src/eventstore/file/FileEventStoreInternals.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { NewEvent } from '../../src/model/events.ts';

const ev = (n: number): NewEvent<'order.canceled'> => ({
  id: `run-f-${n}`, type: 'order.canceled', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_007 + n,
  runId: 'run-f', correlationId: `run-f-${n}`, causationId: `run-f-${n}`, data: { clientOrderId: `c${n}`, reason: 'user' },
});
const SEG1 = 'segment-00000001.log';

describe('FileEventStore', () => {
  let dir = '';
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'hft-file-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('truncates a torn last frame on a writer open, at every cut point, keeping the whole batches before it', async () => {
    const store = await FileEventStore.open(dir);
    await store.append('s', [ev(0), ev(1)]);
    await store.append('s', [ev(2)]);
    const goodBytes = (await stat(join(dir, SEG1))).size;
    await store.append('s', [ev(3), ev(4), ev(5)]);
    const fullBytes = (await stat(join(dir, SEG1))).size;
    await store.close();
    const full = await readFile(join(dir, SEG1));
    for (const cut of [1, 40, 67, 68, 69, 100, fullBytes - goodBytes - 1]) {
      await truncate(join(dir, SEG1), goodBytes + cut);
      const reader = await FileEventStore.open(dir, { readOnly: true });
      expect(reader.recovered).toEqual({ segment: SEG1, offset: goodBytes, bytes: cut });
      expect(await reader.headPosition()).toBe(2);
      await reader.close();
      expect((await stat(join(dir, SEG1))).size).toBe(goodBytes + cut); // readers never write
      const writer = await FileEventStore.open(dir);
      expect(writer.recovered).toEqual({ segment: SEG1, offset: goodBytes, bytes: cut });
      expect((await collect(writer.readAll())).map((e) => e.id)).toEqual(['run-f-0', 'run-f-1', 'run-f-2']);
      await writer.close();
      expect((await stat(join(dir, SEG1))).size).toBe(goodBytes);
      // The cut-off bytes are kept aside as evidence, not discarded.
      expect((await readFile(join(dir, `${SEG1}.torn-${goodBytes}`))).equals(full.subarray(goodBytes, goodBytes + cut))).toBe(true);
      // Put the third frame back for the next cut.
      await appendFile(join(dir, SEG1), full.subarray(goodBytes));
    }
    expect((await verifyStore(dir)).events).toBe(6);
  });

  it('treats a zero-filled tail (file grown, pages never written) as torn, not as corruption', async () => {
    const store = await FileEventStore.open(dir);
    await store.append('s', [ev(0)]);
    await store.close();
    const size = (await stat(join(dir, SEG1))).size;
    await appendFile(join(dir, SEG1), Buffer.alloc(4096));
    expect((await verifyStore(dir)).tornTail).toEqual({ segment: SEG1, offset: size, bytes: 4096 });
    const again = await FileEventStore.open(dir);
    expect(again.recovered?.bytes).toBe(4096);
    await again.append('s', [ev(1)], { expectedRevision: 0 });
    await again.close();
    const v = await verifyStore(dir);
    expect(v.events).toBe(2);
    expect(v.tornTail).toBeNull();
  });

  it('writes byte-identical segments and the same head hash for the same appends', async () => {
    const dirs = [join(dir, 'a'), join(dir, 'b')];
    const hashes: string[] = [];
    for (const d of dirs) {
      const s = await FileEventStore.open(d, { fsync: 'never', segmentBytes: 4096 });
      for (let i = 0; i < 40; i++) await s.append(`run-${i % 3}`, [ev(i), ev(i + 1000)]);
      hashes.push(s.headHash());
      await s.close();
    }
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toBe(hashes[0]);
    const files = (await readdir(dirs[0]!)).sort();
    expect(files.length).toBeGreaterThan(3); // rolled over several 4 KiB segments
    expect((await readdir(dirs[1]!)).sort()).toEqual(files);
    for (const f of files) expect((await readFile(join(dirs[1]!, f))).equals(await readFile(join(dirs[0]!, f)))).toBe(true);
    expect((await verifyStore(dirs[0]!)).headHash).toBe(hashes[0]);
  });

  it('writes the same bytes whether a frame is finished on the writer thread or on the caller\'s thread', async () => {
    // offloadFrameBytes 0: every frame goes to the writer thread; Infinity: none does.
    const dirs = [join(dir, 'thread'), join(dir, 'caller')];
    const text = 'USDⓈ-M "quoted" \\ tab\t é \u{1F600}';
    for (const [k, d] of dirs.entries()) {
      const s = await FileEventStore.open(d, { segmentBytes: 8192, offloadFrameBytes: k === 0 ? 0 : Infinity });
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        const batch = [ev(i), { ...ev(i + 1000), data: { clientOrderId: `c${i}`, reason: text, n: i / 7, list: [1, null, true, { x: -0 }] } as never }];
        // Every third append is not awaited: pipelined appends share fdatasyncs on both paths.
        if (i % 3 === 0) pending.push(s.append(`run-${i % 2}`, batch)); else await s.append(`run-${i % 2}`, batch);
      }
      await Promise.all(pending);
      await s.close();
    }
    const files = (await readdir(dirs[0]!)).filter((f) => f.startsWith('segment-')).sort();
    expect(files.length).toBeGreaterThan(2); // crossed segment rolls
    expect((await readdir(dirs[1]!)).filter((f) => f.startsWith('segment-')).sort()).toEqual(files);
    for (const f of files) expect((await readFile(join(dirs[0]!, f))).equals(await readFile(join(dirs[1]!, f))), f).toBe(true);
    const v = await verifyStore(dirs[0]!);
    expect(v.events).toBe(60);
    const r = await FileEventStore.open(dirs[0]!, { readOnly: true });
    const back = await collect(r.readStream('run-1'));
    expect(back.find((e) => e.id === 'run-f-1001')!.data).toEqual({ clientOrderId: 'c1', reason: text, n: 1 / 7, list: [1, null, true, { x: 0 }] });
    await r.close();
  });

  it('rolls segments at the size limit and reads across them', async () => {
    const s = await FileEventStore.open(dir, { segmentBytes: 2048 });
    for (let i = 0; i < 30; i++) await s.append('roll', [ev(i), ev(i + 100)]);
    await s.close();
    const segs = (await readdir(dir)).filter((f) => f.startsWith('segment-'));
    expect(segs.length).toBeGreaterThan(5);
    for (const f of segs.slice(0, -1)) expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(2048);
    const again = await FileEventStore.open(dir, { readOnly: true });
    const events = await collect(again.readStream('roll', { fromRevision: 17, maxCount: 20 }));
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => 17 + i));
    expect(events[0]!.id).toBe('run-f-108'); // revision 17 = second event of the 9th append (i = 8)
    const v = await verifyStore(dir);
    expect(v.segments).toBe(segs.length);
    expect(v.events).toBe(60);
  });

  it('reports a missing middle segment as corruption naming it', async () => {
    const s = await FileEventStore.open(dir, { segmentBytes: 1024 });
    for (let i = 0; i < 20; i++) await s.append('x', [ev(i), ev(i + 1), ev(i + 2)]);
    await s.close();
    await rm(join(dir, 'segment-00000002.log'));
    await expect(verifyStore(dir)).rejects.toThrow(/HFT_ERR_STORE_CORRUPT: segment-00000002\.log at byte offset 0: segment file is missing/);
    await expect(FileEventStore.open(dir, { readOnly: true })).rejects.toSatisfy((e: unknown) => isHftError(e, 'HFT_ERR_STORE_CORRUPT'));
  });

  it('a read-only subscriber follows appends made by another store instance (polling)', async () => {
    const writer = await FileEventStore.open(dir);
    await writer.append('w', [ev(0)]);
    const reader = await FileEventStore.open(dir, { readOnly: true, pollIntervalMs: 10 });
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const b of reader.subscribe({ signal: ac.signal })) {
        seen.push(...b.map((e) => e.id));
        if (seen.length >= 3) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    await writer.append('w', [ev(1), ev(2)]);
    await done;
    expect(seen).toEqual(['run-f-0', 'run-f-1', 'run-f-2']);
    expect(await reader.streamRevision('w')).toBe(2);
    await reader.close();
    await writer.close();
  });

  it('rejects bad configuration and bad events naming the field', async () => {
    await expect(FileEventStore.open(dir, { fsync: 'sometimes' as never })).rejects.toThrow(/fsync policy 'sometimes' is not one of: always, never/);
    await expect(FileEventStore.open(dir, { segmentBytes: 0 })).rejects.toThrow(/segmentBytes must be a positive integer/);
    await expect(FileEventStore.open(dir, { offloadFrameBytes: -1 })).rejects.toThrow(/offloadFrameBytes must be a non-negative integer or Infinity, got -1/);
    const s = await FileEventStore.open(dir);
    await expect(s.append('s', [ev(0), { ...ev(1), tsEvent: 1.5 }])).rejects.toThrow(/event 1 field 'tsEvent' must be integer microseconds, got 1.5/);
    expect(await s.headPosition()).toBe(-1); // nothing of the rejected batch was written
    await expect(FileEventStore.open(join(dir, 'missing'), { readOnly: true })).rejects.toSatisfy((e: unknown) => isHftError(e, 'HFT_ERR_NOT_FOUND'));
    await s.close();
  });
});

describe('FileEventStore with frames larger than a read window', () => {
  it('reads and verifies frames that straddle the 4 MiB read window of the scanner', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hft-file-big-'));
    try {
      const s = await FileEventStore.open(dir, { fsync: 'never' });
      // ~1.1 MB per batch: frames start at offsets that do not align with 4 MiB windows.
      for (let b = 0; b < 6; b++) await s.append('big', Array.from({ length: 5000 }, (_, i) => ev(b * 5000 + i)));
      await s.close();
      const size = (await stat(join(dir, SEG1))).size;
      expect(size).toBeGreaterThan(2 * (4 << 20) - 1);
      const v = await verifyStore(dir);
      expect(v.events).toBe(30_000);
      expect(v.bytes).toBe(size);
      const r = await FileEventStore.open(dir, { readOnly: true });
      const all = await collect(r.readAll({ fromPosition: 14_999 }));
      expect(all[0]!.id).toBe('run-f-14999');
      expect(all).toHaveLength(15_001);
      await r.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('record encoding', () => {
  it('writes every string as JSON.stringify does (ids fast, anything else escaped)', () => {
    const samples = ['r625c572a8456-17', 'order.requested', '', 'a"b', 'back\\slash', 'tab\there', 'nl\n', '\u0000', 'é', '\u{1F600}', '\uD800', 'x\uDFFFy', '~', ' '];
    for (const s of samples) expect(jsonString(s), JSON.stringify(s)).toBe(JSON.stringify(s));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => jsonString(s) === JSON.stringify(s)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii' }), (s) => jsonString(s) === JSON.stringify(s)), { numRuns: 2000 });
  });
});
