/**
 * k-way merge of time-ordered MarketBatch streams by tsRecv. Pure: no I/O, the sources are plain
 * async iterables (tick files, caches, live recorders alike).
 *
 * Tie-break, so a replay is the same byte for byte every time: tsRecv, then the source's position in
 * `sources`, then the row's position within its source. Runs of rows that win against every other
 * source are block-copied (`TypedArray.set`), so the per-row cost is one comparison, not a heap op.
 * Rows keep their `instrument` value: the caller gives each source its instrument indices.
 */
import { HftError } from '../../core/errors.ts';
import { allocBatch, type MarketBatch } from '../../model/market.ts';

export interface MergeOptions {
  /** Rows per merged batch (default 65,536). */
  readonly batchSize?: number;
}

const COLS = ['kind', 'instrument', 'tsEvent', 'tsRecv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const;

interface Cursor {
  readonly index: number;
  readonly it: AsyncIterator<MarketBatch>;
  batch: MarketBatch;
  pos: number;
  lastTs: number;
}

async function advance(c: Cursor): Promise<boolean> {
  for (;;) {
    const r = await c.it.next();
    if (r.done) return false;
    if (r.value.length === 0) continue;
    if (r.value.tsRecv[0]! < c.lastTs) throw new HftError('HFT_ERR_BAD_INPUT', `merge source ${c.index}: tsRecv ${r.value.tsRecv[0]} goes back in time (previous ${c.lastTs})`);
    c.batch = r.value;
    c.pos = 0;
    return true;
  }
}

/** a sorts before b */
const before = (a: Cursor, b: Cursor): boolean => {
  const ta = a.batch.tsRecv[a.pos]!; const tb = b.batch.tsRecv[b.pos]!;
  return ta < tb || (ta === tb && a.index < b.index);
};

function siftDown(h: Cursor[], i: number): void {
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1; const r = l + 1;
    let m = i;
    if (l < n && before(h[l]!, h[m]!)) m = l;
    if (r < n && before(h[r]!, h[m]!)) m = r;
    if (m === i) return;
    [h[i], h[m]] = [h[m]!, h[i]!];
    i = m;
  }
}

export async function* mergeByTime(sources: readonly AsyncIterable<MarketBatch>[], opts: MergeOptions = {}): AsyncGenerator<MarketBatch> {
  const batchRows = opts.batchSize ?? 65_536;
  // One source: nothing to merge, hand its batches on untouched (keeps the replay cache zero-copy).
  if (sources.length === 1) { yield* sources[0]!; return; }
  const heap: Cursor[] = [];
  for (let i = 0; i < sources.length; i++) {
    const c: Cursor = { index: i, it: sources[i]![Symbol.asyncIterator](), batch: allocBatch(0), pos: 0, lastTs: Number.NEGATIVE_INFINITY };
    if (await advance(c)) heap.push(c);
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  let out = allocBatch(batchRows);
  while (heap.length > 0) {
    const top = heap[0]!;
    // The best of the other sources is one of the root's children.
    const a = heap[1]; const b = heap[2];
    const rival = a === undefined ? undefined : b === undefined || before(a, b) ? a : b;
    const src = top.batch;
    const ts = src.tsRecv;
    const limit = Math.min(src.length, top.pos + (batchRows - out.length));
    let end = top.pos;
    let prev = top.lastTs;
    if (rival === undefined) {
      for (; end < limit; end++) { const t = ts[end]!; if (t < prev) break; prev = t; }
    } else {
      const rt = rival.batch.tsRecv[rival.pos]!;
      const winsTies = top.index < rival.index;
      for (; end < limit; end++) {
        const t = ts[end]!;
        if (t < prev || t > rt || (t === rt && !winsTies)) break;
        prev = t;
      }
    }
    if (end < limit && ts[end]! < prev) throw new HftError('HFT_ERR_BAD_INPUT', `merge source ${top.index}: tsRecv ${ts[end]} goes back in time (previous ${prev})`);
    const n = end - top.pos;
    for (const col of COLS) (out[col] as Float64Array).set((src[col] as Float64Array).subarray(top.pos, end), out.length);
    out.length += n;
    top.pos = end;
    top.lastTs = prev;
    if (out.length === batchRows) { yield out; out = allocBatch(batchRows); }
    if (top.pos === src.length) {
      if (!(await advance(top))) { const last = heap.pop()!; if (heap.length > 0 && last !== top) heap[0] = last; }
    }
    siftDown(heap, 0);
  }
  if (out.length > 0) yield out;
}
