/**
 * Min-heap of timestamped venue actions, ordered by (timeUs, seq): equal times run in insertion
 * order, which is what keeps request processing FIFO and the whole venue deterministic.
 */
export interface Timed {
  readonly timeUs: number;
  readonly seq: number;
}

const before = (a: Timed, b: Timed): boolean => a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq);

export class ActionQueue<T extends Timed> {
  private readonly heap: T[] = [];
  get size(): number { return this.heap.length; }
  /** Time of the earliest action, Infinity when empty. */
  peekTimeUs(): number { return this.heap.length > 0 ? this.heap[0]!.timeUs : Number.POSITIVE_INFINITY; }
  push(item: T): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1; const r = l + 1; let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
