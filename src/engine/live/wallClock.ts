/**
 * The wall clock of live and paper runs, in µs since the epoch: the epoch offset read once, then a
 * monotonic high-resolution counter, so receive stamps never go backwards (an NTP step would
 * otherwise reorder rows the kernel requires in order).
 */
import { performance } from 'node:perf_hooks';

export function wallClockUs(): () => number {
  const baseUs = Date.now() * 1000;
  const t0 = performance.now();
  let last = 0;
  return () => {
    const t = Math.floor(baseUs + (performance.now() - t0) * 1000);
    if (t > last) last = t;
    return last;
  };
}
