import type { Histogram } from './RunReport.ts';

/** Bucket edges from 100 µs to 60 s on a 1-2-5 ladder: latencies span five decades. */
export const LATENCY_EDGES_US: readonly number[] = [
  100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
  1_000_000, 2_000_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000,
];

/** Histogram and exact percentiles (nearest rank) of every value; `values` is sorted in place. */
export function latencyHistogram(values: Float64Array, edgesUs: readonly number[] = LATENCY_EDGES_US): Histogram {
  values.sort();
  const counts = new Array<number>(edgesUs.length + 1).fill(0);
  let b = 0;
  for (let i = 0; i < values.length; i++) {
    while (b < edgesUs.length && values[i]! > edgesUs[b]!) b++;
    counts[b]!++;
  }
  const n = values.length;
  const rank = (p: number): number | null => (n === 0 ? null : values[Math.min(n - 1, Math.ceil(p * n) - 1)]!);
  return { edgesUs: [...edgesUs], counts, n, p50Us: rank(0.5), p90Us: rank(0.9), p99Us: rank(0.99), maxUs: n === 0 ? null : values[n - 1]! };
}
