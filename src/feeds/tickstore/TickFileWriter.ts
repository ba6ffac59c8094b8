/**
 * Writes one immutable tick file: MarketBatches in, a Parquet file out, row group by row group so
 * memory stays bounded by the row-group size whatever the file size. Atomic: the file is written
 * under a temporary name, fsynced, hashed and only then renamed into place.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, fsyncSync, openSync, closeSync, renameSync, rmSync } from 'node:fs';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { HftError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import { tickKvMetadata, tickSchema } from './tickSchema.ts';

export const ROW_GROUP_ROWS = 131_072;

export interface TickFileInfo {
  readonly rows: number;
  readonly tsRecvMin: number;
  readonly tsRecvMax: number;
  readonly sha256: string;
  readonly bytes: number;
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) { h.update(chunk as Buffer); bytes += (chunk as Buffer).length; }
  return { sha256: h.digest('hex'), bytes };
}

function toBigInt64(src: Float64Array, from: number, n: number, what: string): BigInt64Array {
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[from + i]!;
    if (!Number.isSafeInteger(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${what} value ${v} at row ${from + i} is not a safe integer`);
    out[i] = BigInt(v);
  }
  return out;
}

function toInt32(src: Uint8Array | Int8Array, from: number, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = src[from + i]!;
  return out;
}

/**
 * Streams rows into `path` (atomically). Rows must be in non-decreasing tsRecv order: the k-way
 * merge relies on it, so an out-of-order row is a bad input here rather than a silent misorder later.
 */
export class TickFileWriter {
  private readonly tmp: string;
  private readonly writer: ParquetWriter;
  private pending: MarketBatch[] = [];
  private pendingRows = 0;
  private rows = 0;
  private tsRecvMin = Number.POSITIVE_INFINITY;
  private tsRecvMax = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly path: string, spec: InstrumentSpec) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.writer = new ParquetWriter({
      writer: fileWriter(this.tmp),
      schema: tickSchema as never,
      kvMetadata: tickKvMetadata(spec),
      createdBy: 'hft tick store',
    });
  }

  /** Appends rows [from, to) of a batch; the batch is copied, the caller may reuse it. */
  write(batch: MarketBatch, from = 0, to = batch.length): void {
    if (this.closed) throw new HftError('HFT_ERR_STORE_CLOSED', `tick file ${this.path} is already finished`);
    if (to <= from) return;
    let prev = this.tsRecvMax;
    const ts = batch.tsRecv;
    for (let i = from; i < to; i++) {
      const t = ts[i]!;
      if (t < prev) throw new HftError('HFT_ERR_BAD_INPUT', `tick file ${this.path}: tsRecv ${t} at row ${this.rows + this.pendingRows + i - from} goes back in time (previous ${prev})`);
      prev = t;
    }
    if (ts[from]! < this.tsRecvMin) this.tsRecvMin = ts[from]!;
    this.tsRecvMax = prev;
    this.pending.push(sliceCopy(batch, from, to));
    this.pendingRows += to - from;
    while (this.pendingRows >= ROW_GROUP_ROWS) this.flushGroup(ROW_GROUP_ROWS);
  }

  private flushGroup(n: number): void {
    const g = concatRows(this.pending, n);
    this.pending = g.rest;
    this.pendingRows -= n;
    const b = g.head;
    this.writer.write({
      rowGroupSize: n,
      columnData: [
        { name: 'kind', data: toInt32(b.kind, 0, n) },
        { name: 'ts_event', data: toBigInt64(b.tsEvent, 0, n, 'ts_event') },
        { name: 'ts_recv', data: toBigInt64(b.tsRecv, 0, n, 'ts_recv') },
        { name: 'side', data: toInt32(b.side, 0, n) },
        { name: 'price', data: toBigInt64(b.price, 0, n, 'price') },
        { name: 'size', data: toBigInt64(b.size, 0, n, 'size') },
        { name: 'price2', data: toBigInt64(b.price2, 0, n, 'price2') },
        { name: 'size2', data: toBigInt64(b.size2, 0, n, 'size2') },
        { name: 'id', data: toBigInt64(b.id, 0, n, 'id') },
        { name: 'flags', data: toInt32(b.flags, 0, n) },
        { name: 'rate', data: b.rate.subarray(0, n) },
      ] as never,
    });
    this.rows += n;
  }

  /** Finishes the file, fsyncs it, hashes it and renames it into place. Zero rows is an error. */
  async finish(): Promise<TickFileInfo> {
    if (this.pendingRows > 0) this.flushGroup(this.pendingRows);
    this.closed = true;
    this.writer.finish();
    if (this.rows === 0) { rmSync(this.tmp, { force: true }); throw new HftError('HFT_ERR_BAD_INPUT', `tick file ${this.path}: no rows to write`); }
    const fd = openSync(this.tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    const { sha256, bytes } = await sha256File(this.tmp);
    if (existsSync(this.path)) {
      // Partitions are immutable: rewriting the same content is a no-op, anything else an error.
      const old = await sha256File(this.path);
      rmSync(this.tmp, { force: true });
      if (old.sha256 !== sha256) throw new HftError('HFT_ERR_IMMUTABLE', `tick file ${this.path} already exists with different content (sha256 ${old.sha256}, new ${sha256})`, { path: this.path });
    } else {
      renameSync(this.tmp, this.path);
    }
    return { rows: this.rows, tsRecvMin: this.tsRecvMin, tsRecvMax: this.tsRecvMax, sha256, bytes };
  }

  /** Drops the temporary file (after an error). */
  abort(): void {
    this.closed = true;
    rmSync(this.tmp, { force: true });
  }
}

type Cols = Omit<MarketBatch, 'length'>;
const COLS = ['kind', 'instrument', 'tsEvent', 'tsRecv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const;

function sliceCopy(b: MarketBatch, from: number, to: number): MarketBatch {
  const out: Record<string, unknown> = { length: to - from };
  for (const c of COLS) out[c] = (b[c] as Float64Array).slice(from, to);
  return out as unknown as MarketBatch;
}

/** Takes the first n rows of a list of batches into one batch; returns the rest. */
function concatRows(parts: MarketBatch[], n: number): { head: MarketBatch; rest: MarketBatch[] } {
  const head: Record<string, unknown> = { length: n };
  for (const c of COLS) head[c] = new ((parts[0]![c] as Float64Array).constructor as Float64ArrayConstructor)(n);
  let filled = 0;
  const rest: MarketBatch[] = [];
  for (const p of parts) {
    const take = Math.min(p.length, n - filled);
    if (take > 0) for (const c of COLS) (head[c] as Float64Array).set((p[c as keyof Cols] as Float64Array).subarray(0, take), filled);
    filled += take;
    if (take < p.length) rest.push(take === 0 ? p : sliceCopy(p, take, p.length));
  }
  return { head: head as unknown as MarketBatch, rest };
}
