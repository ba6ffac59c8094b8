/**
 * The decoded replay cache: a tick file decoded once into an uncompressed Arrow IPC stream, keyed by
 * the Parquet file's sha256 (a changed Parquet file can never be served a stale cache). Parquet is the
 * archive; this is what a replay scans. Columns are stored with exactly the MarketBatch element types,
 * so a replay hands out the Arrow buffers themselves as batch columns (zero copy).
 */
import { closeSync, createWriteStream, openSync, readSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  Field, Float64, Int8, makeData, Message, RecordBatch, RecordBatchReader, RecordBatchStreamWriter, Schema, Struct, Uint8,
  type DataType,
} from 'apache-arrow';
import { HftError } from '../../core/errors.ts';
import type { MarketBatch } from '../../model/market.ts';
import type { TickReadOptions } from './readTickParquet.ts';

const COLUMNS = [
  ['kind', new Uint8()], ['tsEvent', new Float64()], ['tsRecv', new Float64()], ['side', new Int8()],
  ['price', new Float64()], ['size', new Float64()], ['price2', new Float64()], ['size2', new Float64()],
  ['id', new Float64()], ['flags', new Uint8()], ['rate', new Float64()],
] as const satisfies readonly (readonly [keyof MarketBatch, DataType])[];

const cacheSchema = new Schema(COLUMNS.map(([name, type]) => new Field(name, type, false)));

export const cacheFileName = (sha256: string): string => `${sha256}.arrows`;

/** Decodes `parquetPath` into `<cacheDir>/<sha256>.arrows` (atomically) unless it is already there. */
export async function buildArrowCache(parquetPath: string, sha256: string, cacheDir: string): Promise<string> {
  const path = join(cacheDir, cacheFileName(sha256));
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const writer = new RecordBatchStreamWriter();
  const out = createWriteStream(tmp);
  writer.toNodeStream().pipe(out);
  try {
    // The Parquet reader (DuckDB) is loaded only to build a cache: a replay from the cache never pays for it.
    const { readTickParquet } = await import('./readTickParquet.ts');
    for await (const b of readTickParquet(parquetPath)) {
      const children = COLUMNS.map(([name, type]) => makeData({ type, length: b.length, data: (b[name] as Float64Array).subarray(0, b.length) } as never));
      const data = makeData({ type: new Struct(cacheSchema.fields), length: b.length, nullCount: 0, children });
      writer.write(new RecordBatch(cacheSchema, data));
      if (out.writableNeedDrain) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    writer.finish();
    await finished(out);
  } catch (e) {
    writer.abort();
    out.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, path);
  return path;
}

/** Lower bound of `t` in a sorted Float64Array. */
function lowerBound(a: Float64Array, n: number, t: number): number {
  let lo = 0; let hi = n;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid]! < t) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * The IPC stream cut into whole messages, each read straight into its own buffer: Arrow's reader then
 * slices batches out of them without copying (chunks that straddle messages make it concatenate,
 * which measured 2x slower). Framing: 0xFFFFFFFF, int32 metadata length, metadata, body.
 */
function* ipcMessages(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.allocUnsafe(8);
    let pos = 0;
    for (;;) {
      if (readSync(fd, head, 0, 8, pos) < 8) return;
      const metaLen = head.readInt32LE(4);
      if (head.readUInt32LE(0) !== 0xffffffff || metaLen === 0) { yield head.subarray(0, 8); return; }
      const meta = Buffer.allocUnsafe(metaLen);
      readFull(fd, meta, pos + 8, path);
      const bodyLen = Message.decode(meta).bodyLength;
      const msg = Buffer.allocUnsafe(8 + metaLen + bodyLen);
      head.copy(msg, 0); meta.copy(msg, 8);
      readFull(fd, msg.subarray(8 + metaLen), pos + 8 + metaLen, path);
      pos += msg.length;
      yield msg;
    }
  } finally {
    closeSync(fd);
  }
}

function readFull(fd: number, into: Uint8Array, pos: number, path: string): void {
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, into.length - off, pos + off);
    if (n <= 0) throw new HftError('HFT_ERR_STORE_CORRUPT', `replay cache ${path} is truncated at byte ${pos + off}`, { path });
    off += n;
  }
}

/**
 * Streams a cache file as MarketBatches whose columns are views of the Arrow buffers. `batchSize` is
 * the cache's own batch size (set when it was built); the `instrument` column is filled per batch.
 */
export async function* readArrowCache(path: string, opts: Omit<TickReadOptions, 'batchSize'> = {}): AsyncGenerator<MarketBatch> {
  if (!existsSync(path)) throw new HftError('HFT_ERR_NOT_FOUND', `replay cache ${path} does not exist`);
  const inst = opts.instrumentIndex ?? 0;
  const fromUs = opts.fromUs ?? Number.NEGATIVE_INFINITY;
  const toUs = opts.toUs ?? Number.POSITIVE_INFINITY;
  // Synchronous whole-message reads measured ~2x faster than a Node read stream; every message has
  // its own buffer, so a consumer may keep a batch.
  const reader = RecordBatchReader.from(ipcMessages(path));
  let instruments = new Uint16Array(0);
  for (const rb of reader) {
    const n = rb.numRows;
    const cols: Record<string, unknown> = {};
    for (let c = 0; c < COLUMNS.length; c++) cols[COLUMNS[c]![0]] = rb.getChildAt(c)!.data[0]!.values;
    const ts = cols.tsRecv as Float64Array;
    if (n === 0 || ts[n - 1]! < fromUs) continue;
    if (ts[0]! >= toUs) break;
    const lo = fromUs === Number.NEGATIVE_INFINITY ? 0 : lowerBound(ts, n, fromUs);
    const hi = toUs === Number.POSITIVE_INFINITY ? n : lowerBound(ts, n, toUs);
    if (instruments.length < n || instruments[0] !== inst) { instruments = new Uint16Array(Math.max(n, instruments.length)); instruments.fill(inst); }
    const batch: Record<string, unknown> = { length: hi - lo, instrument: instruments.subarray(0, hi - lo) };
    for (const [name] of COLUMNS) batch[name] = lo === 0 && hi === n ? cols[name] : (cols[name] as Float64Array).subarray(lo, hi);
    yield batch as unknown as MarketBatch;
  }
}
