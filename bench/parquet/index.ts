/**
 * Parquet reader benchmark: which decoder the tick store uses, and what the Arrow IPC replay cache buys.
 *
 *   npx tsx bench/parquet/index.ts [rows=10500000]
 *
 * Builds a >= 10M-row tick file from the real spot BTCUSDT capture (both days, 391k rows) repeated
 * with shifted time, written by the store's own writer (same layout as every store file). Then each
 * reader runs in its own child process (so peak RSS is its own) on that same file and fills
 * MarketBatch typed-array columns, as the store reader must. parquetjs-lite decodes row by row at
 * ~0.02M rows/s: it reads only the first 200k rows of the same file (10M rows would take ~10 min).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openAsBlob, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArrowCache, readArrowCache } from '../../src/feeds/tickstore/arrowCache.ts';
import { duckDb, readTickParquet } from '../../src/feeds/tickstore/readTickParquet.ts';
import { TickFileWriter, sha256File } from '../../src/feeds/tickstore/TickFileWriter.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { allocBatch, type MarketBatch } from '../../src/model/market.ts';
import { captureBatch } from './captureBatch.ts';

const CAPTURE = '/work/shared/data/binance-capture/spot';
const DIR = join(tmpdir(), 'hft-bench-parquet');
const PARQUETJS_ROWS = 200_000;

interface Result { reader: string; rows: number; ms: number; rssMb: number; note?: string }

/** Consumes a batch the way the kernel would touch it: every row's time and price. */
let sink = 0;
function consume(b: MarketBatch): void {
  const ts = b.tsRecv; const px = b.price;
  let s = 0;
  for (let i = 0; i < b.length; i++) s += ts[i]! + px[i]!;
  sink += s;
}

async function generate(path: string, targetRows: number): Promise<void> {
  const base = captureBatch([join(CAPTURE, 'btcusdt_20240808.gz'), join(CAPTURE, 'btcusdt_20240809.gz')]);
  const span = base.tsRecv[base.length - 1]! - base.tsRecv[0]! + 1;
  const w = new TickFileWriter(path, captureInstruments[0]!);
  const shifted = allocBatch(base.length);
  for (let rep = 0, rows = 0; rows < targetRows; rep++, rows += base.length) {
    for (const c of ['kind', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const) (shifted[c] as Float64Array).set(base[c] as Float64Array);
    for (let i = 0; i < base.length; i++) { shifted.tsRecv[i] = base.tsRecv[i]! + rep * span; shifted.tsEvent[i] = base.tsEvent[i]! + rep * span; }
    shifted.length = base.length;
    w.write(shifted);
  }
  const info = await w.finish();
  console.log(`generated ${path}: ${info.rows.toLocaleString()} rows, ${(info.bytes / 1e6).toFixed(0)} MB`);
}

const BIG_COLS = ['ts_event', 'ts_recv', 'price', 'size', 'price2', 'size2', 'id'] as const;
const TARGET: Record<string, keyof MarketBatch> = { kind: 'kind', ts_event: 'tsEvent', ts_recv: 'tsRecv', side: 'side', price: 'price', size: 'size', price2: 'price2', size2: 'size2', id: 'id', flags: 'flags', rate: 'rate' };

function fill(b: MarketBatch, name: string, values: ArrayLike<number | bigint>, at: number): void {
  const dst = b[TARGET[name]!] as Float64Array;
  if ((BIG_COLS as readonly string[]).includes(name)) for (let i = 0; i < values.length; i++) dst[at + i] = Number(values[i]);
  else dst.set(values as ArrayLike<number>, at);
}

const readers: Record<string, (path: string) => Promise<number>> = {
  async duckdb(path) {
    let rows = 0;
    for await (const b of readTickParquet(path)) { consume(b); rows += b.length; }
    return rows;
  },
  async hyparquet(path) {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetRead } = await import('hyparquet');
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    let rows = 0; let start = 0;
    for (const rg of metadata.row_groups) {
      const n = Number(rg.num_rows);
      const b = allocBatch(n);
      await parquetRead({
        file, metadata, rowStart: start, rowEnd: start + n, parsers: { timestampFromMicroseconds: (v: bigint) => v },
        onChunk: (c) => fill(b, c.columnName, c.columnData as ArrayLike<number>, c.rowStart - start),
      });
      b.length = n; consume(b); rows += n; start += n;
    }
    return rows;
  },
  async 'parquet-wasm'(path) {
    const pw = await import('parquet-wasm');
    const { tableFromIPC } = await import('apache-arrow');
    const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
    const groups = file.metadata().numRowGroups();
    let rows = 0;
    for (let g = 0; g < groups; g++) {
      const t = tableFromIPC((await file.read({ rowGroups: [g] })).intoIPCStream());
      const b = allocBatch(t.numRows);
      for (const f of t.schema.fields) fill(b, f.name, t.getChild(f.name)!.toArray() as ArrayLike<number>, 0);
      b.length = t.numRows; consume(b); rows += t.numRows;
    }
    return rows;
  },
  async 'parquetjs-lite'(path) {
    // @ts-expect-error parquetjs-lite ships no types
    const parquet = (await import('parquetjs-lite')).default as { ParquetReader: { openFile(p: string): Promise<{ getCursor(): { next(): Promise<Record<string, unknown> | null> }; close(): Promise<void> }> } };
    const reader = await parquet.ParquetReader.openFile(path);
    const cursor = reader.getCursor();
    const b = allocBatch(PARQUETJS_ROWS);
    for (let row = await cursor.next(); row && b.length < PARQUETJS_ROWS; row = b.length < PARQUETJS_ROWS ? await cursor.next() : null) {
      const i = b.length++;
      b.tsRecv[i] = Number(row.ts_recv instanceof Date ? row.ts_recv.getTime() * 1000 : row.ts_recv); b.price[i] = Number(row.price);
    }
    consume(b);
    await reader.close();
    return b.length;
  },
  async 'arrow-ipc cache'(path) {
    let rows = 0;
    for await (const b of readArrowCache(path)) { consume(b); rows += b.length; }
    return rows;
  },
};

async function child(name: string, path: string): Promise<void> {
  const t0 = performance.now();
  let rows = 0; let note: string | undefined;
  try { rows = await readers[name]!(path); } catch (e) { note = `failed: ${String((e as Error)?.message ?? e).slice(0, 120)}`; }
  const ms = performance.now() - t0;
  const r: Result = { reader: name, rows, ms, rssMb: process.resourceUsage().maxRSS / 1024, ...(note ? { note } : {}) };
  process.stdout.write(`${JSON.stringify(r)}\n`);
  if (sink === 0.5) console.log(sink);
}

function runChild(name: string, path: string): Result {
  const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', name, path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try { return JSON.parse(line) as Result; } catch { return { reader: name, rows: 0, ms: 0, rssMb: 0, note: `crashed: ${r.stderr.slice(-200)}` }; }
}

async function main(): Promise<void> {
  const targetRows = Number(process.argv[2] ?? 10_500_000);
  mkdirSync(DIR, { recursive: true });
  const path = join(DIR, `ticks-${targetRows}.parquet`);
  if (!existsSync(path)) await generate(path, targetRows);
  const t0 = performance.now();
  const { sha256 } = await sha256File(path);
  const cachePath = await buildArrowCache(path, sha256, join(DIR, 'cache'));
  console.log(`replay cache ${cachePath} (${(statSync(cachePath).size / 1e6).toFixed(0)} MB) ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (hash, plus DuckDB decode + IPC write on the first run)`);
  const results: Result[] = [];
  for (const name of ['duckdb', 'hyparquet', 'parquet-wasm']) results.push(runChild(name, path));
  // parquetjs-lite refuses files whose footer says format version 2 (hyparquet-writer's, i.e. every
  // store file): it is measured on the first 200k rows rewritten by DuckDB (version 1), TIMESTAMP as BIGINT.
  const slice = join(DIR, `slice-${PARQUETJS_ROWS}.parquet`);
  if (!existsSync(slice)) {
    const con = await duckDb();
    await con.run(`COPY (SELECT * REPLACE (epoch_us(ts_event) AS ts_event, epoch_us(ts_recv) AS ts_recv) FROM read_parquet('${path}') LIMIT ${PARQUETJS_ROWS}) TO '${slice}' (FORMAT parquet)`);
    con.closeSync();
  }
  const pjs = runChild('parquetjs-lite', path);
  results.push(pjs.note?.includes('invalid parquet version')
    ? { ...runChild('parquetjs-lite', slice), note: `store file refused (${pjs.note}); measured on a ${PARQUETJS_ROWS.toLocaleString()}-row DuckDB-written slice` }
    : pjs);
  results.push(runChild('arrow-ipc cache', cachePath));
  const duck = results[0]!;
  const rate = (r: Result) => (r.ms > 0 ? r.rows / (r.ms / 1000) : 0);
  console.log('\n| reader | rows | seconds | M rows/s | vs duckdb | peak RSS MB | note |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    console.log(`| ${r.reader} | ${r.rows.toLocaleString()} | ${(r.ms / 1000).toFixed(2)} | ${(rate(r) / 1e6).toFixed(2)} | ${(rate(r) / rate(duck)).toFixed(3)}x | ${r.rssMb.toFixed(0)} | ${r.note ?? (r.reader === 'parquetjs-lite' ? `first ${PARQUETJS_ROWS.toLocaleString()} rows only` : '')} |`);
  }
  console.log(`\ntarget for the store reader (duckdb): >= 3M rows/s, RSS < 500 MB. file: ${(statSync(path).size / 1e6).toFixed(0)} MB, ${duck.rows.toLocaleString()} rows`);
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else await main();
