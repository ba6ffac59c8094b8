/**
 * The embedded default event store: append-only segment files of checksummed, hash-chained batch
 * frames (format in FileEventStoreInternals.ts), one writer per directory, many readers.
 *
 * Durability: with `fsync: 'always'` (the default) `append` resolves only after the frame is written
 * and fdatasync'd, so an acknowledged batch survives a crash; appends issued while a sync is in flight
 * share the next one (group commit), and readers see a frame only once it is synced. A large frame
 * (offloadFrameBytes) is finished, written and fdatasync'd on a writer thread (FrameWriter). A torn
 * tail left by a crash is truncated when the writer opens the store, and read-only opens stop before it.
 *
 * Index: kept in memory and rebuilt on open from frame headers (stream -> batches, batch -> file
 * offset), so reads of a stream or from a position go straight to the bytes.
 */
import { writeSync } from 'node:fs';
import { mkdir, open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConcurrencyError, HftError } from '../../core/errors.ts';
import type { EventEnvelope, NewEvent } from '../../model/events.ts';
import {
  expectedRevisionMatches,
  type AppendOptions, type AppendResult, type EventStore, type ExpectedRevision, type ReadAllOptions, type ReadStreamOptions, type SubscribeOptions,
} from '../port.ts';
import {
  FrameEncoder, GENESIS_HASH, HASH_BYTES, checkFrame, corruptError, finishFrame, listSegments, readFrameHeader, segmentName,
} from './FileEventStoreInternals.ts';
import { FrameSyncError, FrameWriter } from './FrameWriter.ts';
import { SegmentScanner, type ScanState, type ScannedFrame } from './SegmentScanner.ts';
import { WriterLock } from './WriterLock.ts';

export interface FileEventStoreOptions {
  /** 'always' (default): append resolves after fdatasync. 'never': leave flushing to the OS (tests, scratch runs). */
  readonly fsync?: 'always' | 'never';
  /** A new segment starts when the next frame would take the current one past this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** Open without the writer lock; many readers may share a directory with one writer. */
  readonly readOnly?: boolean;
  /** How often a read-only subscriber looks for another process's appends. Default 50 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Frames of at least this many bytes are checksummed, hashed and written on a writer thread
   * (FrameWriter), so the caller's thread keeps working; smaller ones on the caller's thread, where a
   * thread round trip would cost more than the work. Default 256 KiB. Same bytes either way.
   */
  readonly offloadFrameBytes?: number;
}

/** An incomplete frame at the end of the last segment (an append cut short by a crash). */
export interface TornTail { readonly segment: string; readonly offset: number; readonly bytes: number }

const YIELD_EVENTS = 1024;
const READ_SPAN_BYTES = 4 << 20;
const FSYNC_POLICIES = ['always', 'never'] as const;

interface StreamIndex { revision: number; readonly batches: number[] }

export class FileEventStore implements EventStore {
  readonly dir: string;
  readonly readOnly: boolean;
  private readonly fsync: 'always' | 'never';
  private readonly segmentBytes: number;
  private readonly pollIntervalMs: number;
  private readonly offloadFrameBytes: number;

  // Batch index, one entry per frame (struct of arrays: a million batches stay small).
  private readonly bSeg: number[] = [];
  private readonly bOff: number[] = [];
  private readonly bBytes: number[] = [];
  private readonly bPos: number[] = [];
  private readonly bCount: number[] = [];
  private hashes: Buffer = Buffer.alloc(HASH_BYTES * 1024);
  private readonly streams = new Map<string, StreamIndex>();

  private readonly scan: ScanState = { offset: 0, prevHash: GENESIS_HASH, nextPosition: 0, incomplete: null };
  private scanSeg = 0;
  private tornTail: TornTail | null = null;

  private writeHandle: FileHandle | undefined;
  private readonly encoder = new FrameEncoder();
  /** Started at the first frame of offloadFrameBytes or more. */
  private writer: FrameWriter | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Frames [0, visible) are durable (or, with fsync 'never', written): only they are read. */
  private visible = 0;
  private visiblePosition = 0;
  /** Group commit: frames written so far, frames covered by a finished fdatasync, the sync in flight. */
  private writtenFrames = 0;
  private syncedFrames = 0;
  private syncing: Promise<void> | undefined;
  private failed: Error | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(dir: string, options: FileEventStoreOptions, private readonly lock: WriterLock | undefined) {
    this.dir = dir;
    this.readOnly = lock === undefined;
    this.fsync = options.fsync ?? 'always';
    this.segmentBytes = options.segmentBytes ?? 64 << 20;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.offloadFrameBytes = options.offloadFrameBytes ?? 256 << 10;
  }

  /** Opens (creating when writable) the store in `dir`; takes the writer lock unless `readOnly`. */
  static async open(dir: string, options: FileEventStoreOptions = {}): Promise<FileEventStore> {
    if (!FSYNC_POLICIES.includes(options.fsync ?? 'always')) {
      throw new HftError('HFT_ERR_CONFIG', `fsync policy '${String(options.fsync)}' is not one of: ${FSYNC_POLICIES.join(', ')}`, { field: 'fsync' });
    }
    if (options.segmentBytes !== undefined && !(Number.isSafeInteger(options.segmentBytes) && options.segmentBytes > 0)) {
      throw new HftError('HFT_ERR_CONFIG', `segmentBytes must be a positive integer, got ${options.segmentBytes}`, { field: 'segmentBytes' });
    }
    if (options.offloadFrameBytes !== undefined && !(options.offloadFrameBytes === Infinity || (Number.isSafeInteger(options.offloadFrameBytes) && options.offloadFrameBytes >= 0))) {
      throw new HftError('HFT_ERR_CONFIG', `offloadFrameBytes must be a non-negative integer or Infinity, got ${options.offloadFrameBytes}`, { field: 'offloadFrameBytes' });
    }
    const abs = resolve(dir);
    if (options.readOnly) {
      const st = await stat(abs).catch(() => undefined);
      if (!st?.isDirectory()) throw new HftError('HFT_ERR_NOT_FOUND', `store directory ${abs} does not exist`, { dir: abs });
      const store = new FileEventStore(abs, options, undefined);
      await store.catchUp();
      store.tornTail = store.currentIncomplete();
      return store;
    }
    await mkdir(abs, { recursive: true });
    const lock = await WriterLock.acquire(abs);
    try {
      const store = new FileEventStore(abs, options, lock);
      await store.openForWriting();
      return store;
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** What the open found at the end of the log: truncated by a writer, skipped by a reader. */
  get recovered(): TornTail | null { return this.tornTail; }

  /** SHA-256 chain value after the last event (64 zeros for an empty store), hex. */
  headHash(): string {
    const n = this.visible;
    return (n === 0 ? GENESIS_HASH : this.hashes.subarray((n - 1) * HASH_BYTES, n * HASH_BYTES)).toString('hex');
  }

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    // Check + encode + write run one at a time, so the revision check and the write are one atomic
    // step. The fdatasync is outside that step: appends issued while one is syncing are written
    // meanwhile and share the next fdatasync (group commit). Each resolves once its frame is synced.
    const written = this.queue.then(() => this.writeNow(streamId, events, options.expectedRevision ?? 'any'));
    this.queue = written.catch(() => undefined);
    return written.then(async ({ result, frames }) => {
      if (frames > this.visible) {
        if (this.fsync === 'always') await this.syncThrough(frames);
        this.publish(frames);
      }
      return result;
    });
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    if (this.readOnly) await this.catchUp();
    const st = this.streams.get(streamId);
    if (!st) return;
    const from = options.fromRevision ?? 0;
    const end = Math.min(this.visibleRevision(st) + 1, from + (options.maxCount ?? Infinity));
    if (from >= end) return;
    // First batch whose revisions reach `from`.
    let c = 0;
    let rev = 0;
    while (c < st.batches.length && rev + this.bCount[st.batches[c]!]! <= from) rev += this.bCount[st.batches[c++]!]!;
    let out: EventEnvelope[] = [];
    for await (const { events } of this.decodeBatches((k) => { const b = st.batches[c + k]; return b !== undefined && b < this.visible ? b : undefined; })) {
      for (const e of events) {
        if (e.revision >= end) break;
        if (e.revision >= from) out.push(e);
      }
      if (out.length >= YIELD_EVENTS) { yield out; out = []; }
      if (events.length > 0 && events[events.length - 1]!.revision >= end - 1) break;
    }
    if (out.length > 0) yield out;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    if (this.readOnly) await this.catchUp();
    let left = options.maxCount ?? Infinity;
    if (left <= 0) return;
    for await (const { events } of this.readFrom(options.fromPosition ?? 0, options.types)) {
      const batch = events.length > left ? events.slice(0, left) : events;
      left -= batch.length;
      if (batch.length > 0) yield batch;
      if (left <= 0) return;
    }
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    const signal = options.signal;
    let next = options.fromPosition ?? 0;
    let left = options.maxCount ?? Infinity;
    while (!signal?.aborted && !this.closed && left > 0) {
      if (this.readOnly) await this.catchUp();
      if (next < this.visiblePosition) {
        for await (const { events, endPosition } of this.readFrom(next, options.types)) {
          next = endPosition;
          const batch = events.length > left ? events.slice(0, left) : events;
          left -= batch.length;
          if (batch.length > 0) yield batch;
          if (signal?.aborted || this.closed || left <= 0) return;
        }
        continue;
      }
      await this.waitForAppend(signal);
    }
  }

  async streamRevision(streamId: string): Promise<number> {
    this.assertOpen();
    if (this.readOnly) await this.catchUp();
    const st = this.streams.get(streamId);
    return st ? this.visibleRevision(st) : -1;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    if (this.readOnly) await this.catchUp();
    return this.visiblePosition - 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.syncing?.catch(() => undefined);
    await this.writer?.close();
    this.writer = undefined;
    await this.writeHandle?.close();
    this.writeHandle = undefined;
    await this.lock?.release();
    this.wake();
  }

  // --- writing -------------------------------------------------------------------------------

  private async openForWriting(): Promise<void> {
    await this.catchUp();
    const incomplete = this.currentIncomplete();
    if (this.scanSeg === 0) {
      this.scanSeg = 1;
      const fh = await open(this.segmentPath(1), 'wx');
      await fh.close();
      await this.syncDir();
    }
    this.writeHandle = await open(this.segmentPath(this.scanSeg), 'r+');
    if (incomplete) {
      // Never acknowledged (append resolves only after the whole frame is synced), so it leaves the log.
      // The bytes are kept beside it: a record deleted from the last frame looks exactly like a torn
      // write, and the evidence should not vanish with the truncation.
      const tail = Buffer.alloc(incomplete.bytes);
      await this.writeHandle.read(tail, 0, tail.length, incomplete.offset);
      await writeFile(join(this.dir, `${incomplete.segment}.torn-${incomplete.offset}`), tail);
      await this.writeHandle.truncate(this.scan.offset);
      await this.writeHandle.datasync();
      this.scan.incomplete = null;
      this.tornTail = incomplete;
    }
  }

  /** Checks, encodes and writes one frame; returns how many frames must be durable before it resolves. */
  private async writeNow(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<{ result: AppendResult; frames: number }> {
    this.assertOpen();
    if (this.readOnly) throw new HftError('HFT_ERR_STORE_READ_ONLY', `store ${this.dir} was opened read-only; cannot append to '${streamId}'`, { dir: this.dir, streamId });
    if (this.failed) throw new HftError('HFT_ERR_STORE_CLOSED', `store ${this.dir} stopped after a failed write: ${this.failed.message}`, { dir: this.dir }, { cause: this.failed });
    if (typeof streamId !== 'string' || streamId.length === 0) {
      throw new HftError('HFT_ERR_BAD_INPUT', `stream id must be a non-empty string, got ${JSON.stringify(streamId)}`, { field: 'streamId' });
    }
    const st = this.streams.get(streamId);
    const current = st?.revision ?? -1;
    if (!expectedRevisionMatches(expected, current)) throw new ConcurrencyError(streamId, String(expected), current);
    if (events.length === 0) return { result: { revision: current, position: this.scan.nextPosition - 1 }, frames: this.writtenFrames };

    const firstPosition = this.scan.nextPosition;
    const frame = this.encoder.encode(streamId, current + 1, firstPosition, events);
    const frameBytes = frame.length;
    if (this.scan.offset > 0 && this.scan.offset + frameBytes > this.segmentBytes) await this.roll();
    const fh = this.writeHandle!;
    const at = this.scan.offset;
    let hash: Buffer;
    const offload = frameBytes >= this.offloadFrameBytes;
    let synced = false;
    try {
      if (offload) {
        // The writer thread finishes, writes and fdatasyncs the frame while this thread goes on (the
        // caller's kernel keeps running; the next append waits for this one, as the queue orders them).
        // Syncing there saves a round trip through this thread's event loop per append.
        this.writer ??= new FrameWriter();
        const back = await this.writer.write(fh.fd, at, this.encoder.buffer, frameBytes, this.scan.prevHash, this.fsync === 'always');
        this.encoder.release(back);
        hash = Buffer.from(back.subarray(32, 64));
        synced = this.fsync === 'always';
      } else {
        hash = finishFrame(frame, frameBytes, this.scan.prevHash);
        let written = 0;
        while (written < frameBytes) {
          // Synchronous: copying a small frame into the page cache takes tens of µs, less than a
          // thread-pool round trip; only the fdatasync (the slow part) goes to the pool.
          written += writeSync(fh.fd, frame, written, frameBytes - written, at + written);
        }
      }
    } catch (e) {
      // The buffer went to the writer thread and did not come back with a result: start a new one.
      if (offload) this.encoder.release(undefined);
      // Written but not durable: as after a failed fdatasync here, nothing since the last good sync
      // can be trusted, so the store stops (syncThrough).
      if (e instanceof FrameSyncError) { this.failed = e; throw e; }
      // Leave no partial frame behind; if even that fails, refuse further appends.
      try { await fh.truncate(at); } catch { this.failed = e as Error; }
      throw e;
    }
    this.addBatch(this.scanSeg, {
      offset: at, frameBytes, eventCount: events.length, streamId, firstPosition, firstRevision: current + 1, hash,
    });
    this.scan.offset = at + frameBytes;
    this.scan.prevHash = hash;
    this.scan.nextPosition = firstPosition + events.length;
    this.writtenFrames = this.bPos.length;
    // The writer thread's fdatasync ran after this frame's write: every frame up to it is durable.
    if (synced) this.syncedFrames = Math.max(this.syncedFrames, this.writtenFrames);
    return { result: { revision: current + events.length, position: this.scan.nextPosition - 1 }, frames: this.writtenFrames };
  }

  /** Waits until an fdatasync that started after frame `frames - 1` was written has finished. */
  private async syncThrough(frames: number): Promise<void> {
    while (this.syncedFrames < frames) {
      if (this.failed) throw new HftError('HFT_ERR_STORE_CLOSED', `store ${this.dir} stopped after a failed write: ${this.failed.message}`, { dir: this.dir }, { cause: this.failed });
      if (!this.syncing) {
        const target = this.writtenFrames;
        const fh = this.writeHandle!;
        this.syncing = fh.datasync().then(
          () => { this.syncedFrames = Math.max(this.syncedFrames, target); },
          // After a failed fdatasync the kernel may have dropped the dirty pages: nothing written
          // since the last good sync can be trusted, so the store stops (PostgreSQL's "fsyncgate").
          (e: unknown) => { this.failed = e as Error; },
        ).finally(() => { this.syncing = undefined; });
      }
      await this.syncing;
    }
  }

  /** Makes frames [0, frames) readable and wakes subscribers. */
  private publish(frames: number): void {
    if (frames <= this.visible) return;
    this.visible = frames;
    this.visiblePosition = this.bPos[frames - 1]! + this.bCount[frames - 1]!;
    this.wake();
  }

  private visibleRevision(st: StreamIndex): number {
    let rev = st.revision;
    for (let k = st.batches.length - 1; k >= 0 && st.batches[k]! >= this.visible; k--) rev -= this.bCount[st.batches[k]!]!;
    return rev;
  }

  private async roll(): Promise<void> {
    // Every frame of the old segment must be synced through its own handle before it is closed.
    if (this.fsync === 'always') await this.syncThrough(this.writtenFrames);
    await this.writeHandle!.close();
    this.scanSeg += 1;
    this.scan.offset = 0;
    this.writeHandle = await open(this.segmentPath(this.scanSeg), 'wx+');
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    if (this.fsync !== 'always') return;
    // The new segment's directory entry must be durable too, or a crash could lose the whole file.
    const d = await open(this.dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  }

  // --- index ---------------------------------------------------------------------------------

  /** Reads frames written since the last look (all of them on open), extending the index. */
  /**
   * Read-only instances learn another process's appends by scanning. Concurrent readers (two
   * subscriptions, a subscription and a readAll) share one scan: two interleaved scans over the same
   * scanner state would add the same frames twice.
   */
  private catchUp(): Promise<void> {
    if (this.catchingUp === undefined) this.catchingUp = this.scanNewFrames().finally(() => { this.catchingUp = undefined; });
    return this.catchingUp;
  }

  private catchingUp: Promise<void> | undefined;

  private async scanNewFrames(): Promise<void> {
    const segs = await listSegments(this.dir);
    if (segs.length === 0) return;
    const last = segs[segs.length - 1]!;
    for (let s = Math.max(this.scanSeg, 1); s <= last; s++) {
      if (s !== this.scanSeg) {
        if (this.scan.incomplete) {
          throw corruptError(segmentName(this.scanSeg), this.scan.incomplete.offset, `segment ends inside a frame (${this.scan.incomplete.bytes} bytes), but a later segment exists`);
        }
        this.scanSeg = s;
        this.scan.offset = 0;
      }
      const scanner = new SegmentScanner(this.segmentPath(s), segmentName(s), this.scan, s === last);
      for await (const f of scanner.frames()) this.addBatch(s, f);
    }
    this.writtenFrames = this.syncedFrames = this.bPos.length;
    this.publish(this.bPos.length);
  }

  private currentIncomplete(): TornTail | null {
    const inc = this.scan.incomplete;
    return inc ? { segment: segmentName(this.scanSeg), offset: inc.offset, bytes: inc.bytes } : null;
  }

  private addBatch(seg: number, f: Omit<ScannedFrame, 'recordsStart' | 'events'>): void {
    let st = this.streams.get(f.streamId);
    if (!st) {
      st = { revision: -1, batches: [] };
      this.streams.set(f.streamId, st);
    }
    if (f.firstRevision !== st.revision + 1) {
      throw corruptError(segmentName(seg), f.offset, `stream '${f.streamId}' continues at revision ${f.firstRevision}, expected ${st.revision + 1}`);
    }
    const i = this.bPos.length;
    this.bSeg.push(seg);
    this.bOff.push(f.offset);
    this.bBytes.push(f.frameBytes);
    this.bPos.push(f.firstPosition);
    this.bCount.push(f.eventCount);
    if ((i + 1) * HASH_BYTES > this.hashes.length) {
      const grown = Buffer.alloc(this.hashes.length * 2);
      this.hashes.copy(grown);
      this.hashes = grown;
    }
    f.hash.copy(this.hashes, i * HASH_BYTES);
    st.batches.push(i);
    st.revision += f.eventCount;
  }

  private prevHashOf(i: number): Buffer {
    return i === 0 ? GENESIS_HASH : this.hashes.subarray((i - 1) * HASH_BYTES, i * HASH_BYTES);
  }

  // --- reading -------------------------------------------------------------------------------

  /** Events from `fromPosition` to the head, in chunks of about YIELD_EVENTS, with the position after each chunk. */
  private async *readFrom(fromPosition: number, types: readonly string[] | undefined): AsyncGenerator<{ events: EventEnvelope[]; endPosition: number }> {
    const n = this.visible;
    if (n === 0 || fromPosition >= this.visiblePosition) return;
    // Binary search: last batch starting at or before fromPosition.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bPos[mid]! <= fromPosition) lo = mid; else hi = mid - 1;
    }
    const start = lo;
    const typeSet = types ? new Set(types) : undefined;
    let out: EventEnvelope[] = [];
    let endPosition = fromPosition;
    for await (const { events } of this.decodeBatches((k) => (start + k < this.visible ? start + k : undefined))) {
      const skip = Math.max(0, fromPosition - events[0]!.position);
      for (let j = skip; j < events.length; j++) {
        const e = events[j]!;
        if (!typeSet || typeSet.has(e.type)) out.push(e);
      }
      endPosition = events[events.length - 1]!.position + 1;
      if (out.length >= YIELD_EVENTS || (typeSet && out.length === 0)) {
        yield { events: out, endPosition };
        out = [];
      }
    }
    if (out.length > 0) yield { events: out, endPosition };
  }

  /**
   * Decodes the batches `batchAt(0)`, `batchAt(1)`, ... (until undefined), reading runs of adjacent
   * frames with one read, and re-checking each frame's checksums and chain link as it goes.
   */
  private async *decodeBatches(batchAt: (k: number) => number | undefined): AsyncGenerator<{ batch: number; events: EventEnvelope[] }> {
    let buf = Buffer.allocUnsafe(0);
    let fh: FileHandle | undefined;
    let fhSeg = 0;
    try {
      let k = 0;
      let i = batchAt(0);
      while (i !== undefined) {
        // Extend the run while the next batch follows in the same segment and the span stays small.
        const seg = this.bSeg[i]!;
        const spanStart = this.bOff[i]!;
        let spanEnd = spanStart + this.bBytes[i]!;
        const run = [i];
        let nextI = batchAt(++k);
        while (nextI !== undefined && this.bSeg[nextI] === seg && this.bOff[nextI] === spanEnd && spanEnd + this.bBytes[nextI]! - spanStart <= READ_SPAN_BYTES) {
          run.push(nextI);
          spanEnd += this.bBytes[nextI]!;
          nextI = batchAt(++k);
        }
        if (fhSeg !== seg) {
          await fh?.close();
          fh = await open(this.segmentPath(seg), 'r');
          fhSeg = seg;
        }
        const len = spanEnd - spanStart;
        if (buf.length < len) buf = Buffer.allocUnsafe(Math.max(len, Math.min(READ_SPAN_BYTES, len * 4)));
        let got = 0;
        while (got < len) {
          const { bytesRead } = await fh!.read(buf, got, len - got, spanStart + got);
          if (bytesRead === 0) throw corruptError(segmentName(seg), spanStart + got, 'segment is shorter than its index (truncated while open)');
          got += bytesRead;
        }
        const decoded: { batch: number; events: EventEnvelope[] }[] = [];
        for (const b of run) {
          const rel = this.bOff[b]! - spanStart;
          const name = segmentName(seg);
          const h = readFrameHeader(buf, rel, this.bBytes[b]!, name, this.bOff[b]!);
          if (h === 'incomplete' || h.frameBytes !== this.bBytes[b] || h.firstPosition !== this.bPos[b]) {
            throw corruptError(name, this.bOff[b]!, 'frame changed on disk since the store was opened');
          }
          const { events } = checkFrame(buf, rel, h, this.prevHashOf(b), name, this.bOff[b]!, true);
          decoded.push({ batch: b, events: events! });
        }
        for (const d of decoded) yield d;
        i = nextI;
      }
    } finally {
      await fh?.close();
    }
  }

  private waitForAppend(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolveWait) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const k = this.waiters.indexOf(done);
        if (k >= 0) this.waiters.splice(k, 1);
        resolveWait();
      };
      signal?.addEventListener('abort', done, { once: true });
      // Another process's appends are seen by polling; this instance's own appends wake it at once.
      if (this.readOnly) timer = setTimeout(done, this.pollIntervalMs);
      else this.waiters.push(done);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private segmentPath(n: number): string { return join(this.dir, segmentName(n)); }

  private assertOpen(): void {
    if (this.closed) throw new HftError('HFT_ERR_STORE_CLOSED', `store ${this.dir} is closed`, { dir: this.dir });
  }
}
