/**
 * Real-shaped tick stores of any length for benchmarks: the shipped Binance spot BTCUSDT capture (both
 * days, ~393k rows, imported through the real synchronizer) repeated with shifted time until the row
 * target is reached. Each repetition starts with the REST snapshot rows, so the book stays a real book.
 * Built once under `workDir` and reused.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runImport } from '../../src/feeds/importers/runImport.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { allocBatch, type MarketBatch } from '../../src/model/market.ts';

export const CAPTURE_INSTRUMENT = 'binance-spot:BTCUSDT';
const ROOT = resolve(import.meta.dirname, '../..');
const COLS = ['kind', 'instrument', 'tsEvent', 'tsRecv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const;

export async function repeatedCaptureStore(workDir: string, rows: number): Promise<string> {
  const dir = join(workDir, `ticks-${rows}`);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  const base = join(workDir, 'base');
  if (!existsSync(join(base, 'manifest.json'))) {
    rmSync(base, { recursive: true, force: true });
    await runImport('binance-capture', [join(ROOT, 'data/binance-capture/spot/btcusdt_20240808.gz'), join(ROOT, 'data/binance-capture/spot/btcusdt_20240809.gz')], { out: base });
  }
  const src = openTickStore(base);
  const parts: MarketBatch[] = [];
  for await (const b of src.read({ instruments: [CAPTURE_INSTRUMENT], cache: false })) parts.push(b);
  const n = parts.reduce((s, b) => s + b.length, 0);
  const one = allocBatch(n);
  for (const b of parts) { for (const c of COLS) (one[c] as Float64Array).set((b[c] as Float64Array).subarray(0, b.length), one.length); one.length += b.length; }
  const spanUs = one.tsRecv[n - 1]! - one.tsRecv[0]! + 1_000_000;
  const reps = Math.ceil(rows / n);
  process.stderr.write(`building ${reps} x ${n} rows = ${(reps * n).toLocaleString('en-US')} rows in ${dir} (once)\n`);
  rmSync(dir, { recursive: true, force: true });
  const spec = src.instruments().find((s) => s.id === CAPTURE_INSTRUMENT)!;
  function* repeated(): Generator<MarketBatch> {
    for (let r = 0; r < reps; r++) {
      const b = allocBatch(n);
      for (const c of COLS) (b[c] as Float64Array).set(one[c] as Float64Array);
      b.length = n;
      const shift = r * spanUs;
      for (let i = 0; i < n; i++) { b.tsRecv[i] = b.tsRecv[i]! + shift; b.tsEvent[i] = b.tsEvent[i]! + shift; }
      yield b;
    }
  }
  await openTickStore(dir).write(spec, repeated(), { partition: 'year' });
  return dir;
}
