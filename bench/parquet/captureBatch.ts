/**
 * Real rows for the benchmark before the importer exists: the spot BTCUSDT capture (both days) as one
 * MarketBatch: depth diffs as book rows, trades, bookTickers as bbo. Tick 0.01, lot 1e-8 (the feed's quantity precision; Binance
 * spot BTCUSDT filters). No book sync here: the benchmark measures decoding, not book correctness.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Increment } from '../../src/core/fixed.ts';
import { allocBatch, BookFlag, type MarketBatch } from '../../src/model/market.ts';

export function captureBatch(files: readonly string[]): MarketBatch {
  const tick = new Increment('0.01');
  const lot = new Increment('0.00000001');
  const rows: [number, number, number, number, number, number, number, number, number, number][] = [];
  for (const f of files) {
    for (const line of gunzipSync(readFileSync(f)).toString('utf8').split('\n')) {
      if (!line) continue;
      const sp = line.indexOf(' ');
      const tsRecv = Number(BigInt(line.slice(0, sp)) / 1000n);
      const msg = JSON.parse(line.slice(sp + 1));
      const d = msg.data;
      if (!d) continue;
      if (d.e === 'depthUpdate') {
        const levels = [...d.b.map((l: string[]) => [1, l]), ...d.a.map((l: string[]) => [-1, l])];
        levels.forEach(([side, l], k) => rows.push([1, d.E * 1000, tsRecv, side, tick.toUnits(l[0]), lot.toUnits(l[1]), 0, 0, d.u, k === levels.length - 1 ? BookFlag.EndOfMessage : 0]));
      } else if (d.e === 'trade') {
        rows.push([2, d.T * 1000, tsRecv, d.m ? -1 : 1, tick.toUnits(d.p), lot.toUnits(d.q), 0, 0, d.t, 0]);
      } else if (d.u !== undefined && d.b !== undefined) {
        rows.push([3, tsRecv, tsRecv, 0, tick.toUnits(d.b), lot.toUnits(d.B), tick.toUnits(d.a), lot.toUnits(d.A), d.u, 0]);
      }
    }
  }
  rows.sort((x, y) => x[2] - y[2]);
  const b = allocBatch(rows.length);
  for (const r of rows) {
    const i = b.length++;
    b.kind[i] = r[0]; b.tsEvent[i] = r[1]; b.tsRecv[i] = r[2]; b.side[i] = r[3]; b.price[i] = r[4]; b.size[i] = r[5];
    b.price2[i] = r[6]; b.size2[i] = r[7]; b.id[i] = r[8]; b.flags[i] = r[9];
  }
  return b;
}
