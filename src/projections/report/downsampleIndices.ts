/**
 * Which points of a time series to draw when it has more than `budget`: the time axis is cut into
 * equal buckets and each keeps its first and last point and the points holding the minimum and the
 * maximum of every value column (M4 aggregation), so spikes and the line's shape survive at any zoom
 * a screen can show. Only drawing uses it; numbers are computed on all points.
 */
export function downsampleIndices(t: ArrayLike<number>, columns: readonly ArrayLike<number | null>[], budget: number): number[] {
  const n = t.length;
  if (n <= budget) return Array.from({ length: n }, (_, i) => i);
  const perBucket = 2 + 2 * columns.length;
  const buckets = Math.max(1, Math.floor(budget / perBucket));
  const t0 = t[0]!, span = Math.max(1, t[n - 1]! - t0);
  const keep: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = b === buckets - 1 ? Infinity : t0 + (span * (b + 1)) / buckets;
    const first = i;
    const lo = columns.map(() => -1), hi = columns.map(() => -1);
    for (; i < n && t[i]! < end; i++) {
      for (let c = 0; c < columns.length; c++) {
        const v = columns[c]![i];
        if (v === null || v === undefined || Number.isNaN(v)) continue;
        if (lo[c] === -1 || v < (columns[c]![lo[c]!] as number)) lo[c] = i;
        if (hi[c] === -1 || v > (columns[c]![hi[c]!] as number)) hi[c] = i;
      }
    }
    if (i === first) continue;
    const picked = new Set<number>([first, i - 1]);
    for (let c = 0; c < columns.length; c++) { if (lo[c]! >= 0) picked.add(lo[c]!); if (hi[c]! >= 0) picked.add(hi[c]!); }
    for (const p of [...picked].sort((a, b2) => a - b2)) keep.push(p);
  }
  return keep;
}
