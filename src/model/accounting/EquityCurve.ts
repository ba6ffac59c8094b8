/**
 * Equity curve sampled on a fixed interval of EVENT time: before the kernel folds an event at time t,
 * `sampleUntil(curve, portfolio, t)` records one sample for every interval boundary ≤ t not yet
 * sampled, with the equity as it stood before that event (so a boundary shows what was known then).
 * Boundaries are multiples of intervalUs since the epoch, so two runs over the same data share them.
 */
import { HftError } from '../../core/errors.ts';
import { equitySnapshot, type EquitySnapshot } from './equity.ts';
import type { PortfolioState } from './Portfolio.ts';

export interface EquitySample { readonly tsUs: number; readonly equity: readonly EquitySnapshot[] }

export interface EquityCurve {
  readonly intervalUs: number;
  /** Next boundary to sample; undefined before the first event. */
  nextUs: number | undefined;
  readonly samples: EquitySample[];
}

export function createEquityCurve(intervalUs: number): EquityCurve {
  if (!Number.isSafeInteger(intervalUs) || intervalUs <= 0) throw new HftError('HFT_ERR_CONFIG', `accounting.equityIntervalUs: expected a positive integer of µs, got ${intervalUs}`);
  return { intervalUs, nextUs: undefined, samples: [] };
}

/** Records the samples due at or before `nowUs`; returns how many were added. */
export function sampleUntil(curve: EquityCurve, portfolio: PortfolioState, nowUs: number): number {
  if (curve.nextUs === undefined) { curve.nextUs = (Math.floor(nowUs / curve.intervalUs) + 1) * curve.intervalUs; return 0; }
  if (nowUs < curve.nextUs) return 0;
  const equity = equitySnapshot(portfolio); // unchanged between the boundaries of one gap
  let n = 0;
  while (curve.nextUs <= nowUs) {
    curve.samples.push({ tsUs: curve.nextUs, equity });
    curve.nextUs += curve.intervalUs;
    n++;
  }
  return n;
}
