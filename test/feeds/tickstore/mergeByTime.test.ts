import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHftError } from '../../../src/core/errors.ts';
import { mergeByTime } from '../../../src/feeds/merge/mergeByTime.ts';
import { allocBatch, type MarketBatch } from '../../../src/model/market.ts';
import { captureEvents, CAPTURE, toBatch } from './captureInput.ts';

/** A source as batches of the given sizes; `id` carries a label (source * 1000 + row). */
function source(src: number, ts: readonly number[], sizes: readonly number[]): AsyncIterable<MarketBatch> {
  const batches: MarketBatch[] = [];
  let row = 0;
  for (const n of sizes) {
    const b = allocBatch(n);
    for (let i = 0; i < n && row < ts.length; i++, row++) { b.tsRecv[b.length] = ts[row]!; b.id[b.length] = src * 1000 + row; b.instrument[b.length] = src; b.length++; }
    batches.push(b);
  }
  if (row < ts.length) throw new Error('sizes too small');
  return (async function* () { yield* batches; })();
}

async function labels(it: AsyncIterable<MarketBatch>): Promise<number[]> {
  const out: number[] = [];
  for await (const b of it) for (let i = 0; i < b.length; i++) out.push(b.id[i]!);
  return out;
}

describe('mergeByTime', () => {
  it('orders by tsRecv, then source position, then row (hand-worked example)', async () => {
    // A = [1,3,3,5], B = [2,3,4], C = [3]; ties at 3 go A, A, B, C.
    const run = () => mergeByTime([source(0, [1, 3, 3, 5], [1, 3]), source(1, [2, 3, 4], [2, 0, 1]), source(2, [3], [1])], { batchSize: 3 });
    expect(await labels(run())).toEqual([0, 1000, 1, 2, 1001, 2000, 1002, 3]);
    expect(await labels(run())).toEqual(await labels(run()));
  });

  it('equals a stable sort by (tsRecv, source, row) for any sources and batch cuts', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 9 }),
      async (lists, cut, outSize) => {
        const sorted = lists.map((l) => [...l].sort((a, b) => a - b));
        const sources = sorted.map((ts, s) => source(s, ts, Array.from({ length: Math.ceil(ts.length / cut) + 1 }, () => cut)));
        const expected = sorted.flatMap((ts, s) => ts.map((t, r) => ({ t, s, r })))
          .sort((a, b) => a.t - b.t || a.s - b.s || a.r - b.r).map((x) => x.s * 1000 + x.r);
        expect(await labels(mergeByTime(sources, { batchSize: outSize }))).toEqual(expected);
      },
    ), { numRuns: 200 });
  });

  it('fails when a source goes back in time', async () => {
    const err = await labels(mergeByTime([source(0, [1, 5, 4], [3]), source(1, [2], [1])])).catch((e: unknown) => e);
    expect(isHftError(err, 'HFT_ERR_BAD_INPUT')).toBe(true);
  });

  it('merges real spot and COIN-M sessions into one non-decreasing stream keeping every row', async () => {
    const a = captureEvents('binance-spot', 'ETHUSDT', [`${CAPTURE}/spot/ethusdt_20240808.gz`, `${CAPTURE}/spot/ethusdt_20240809.gz`]);
    const b = captureEvents('binance-coinm', 'ETHUSD_PERP', [`${CAPTURE}/cm/ethusd_perp_20240808.gz`, `${CAPTURE}/cm/ethusd_perp_20240809.gz`]);
    const ba = toBatch(a.events); const bb = toBatch(b.events); bb.instrument.fill(1);
    let prev = -Infinity; let backwards = 0; const counts = [0, 0];
    for await (const m of mergeByTime([(async function* () { yield ba; })(), (async function* () { yield bb; })()])) {
      for (let i = 0; i < m.length; i++) { if (m.tsRecv[i]! < prev) backwards++; prev = m.tsRecv[i]!; counts[m.instrument[i]!]!++; }
    }
    expect(backwards).toBe(0);
    expect(counts).toEqual([a.events.length, b.events.length]);
  }, 60_000);
});
