/** Orders a sweep's results by one metric, exactly (decimal.js), ties broken by combination index. */
import { Decimal } from 'decimal.js';
import { HftError } from '../../core/errors.ts';

export interface SweepResultRow {
  readonly combinationIndex: number;
  readonly combination: string;
  readonly runId: string;
  readonly metrics: Readonly<Record<string, string>>;
}

export type RankedRow<R extends SweepResultRow = SweepResultRow> = R & { readonly rank: number; readonly value: string };

export function rankSweepResults<R extends SweepResultRow>(rows: readonly R[], metric: string, order: 'desc' | 'asc' = 'desc'): RankedRow<R>[] {
  const missing = rows.filter((r) => r.metrics[metric] === undefined);
  if (missing.length > 0) {
    const known = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
    throw new HftError('HFT_ERR_USAGE', `--by ${metric}: ${missing.length} of ${rows.length} results have no such metric (valid: ${known.join(', ') || 'none'})`);
  }
  const keyed = rows.map((r) => ({ r, v: new Decimal(r.metrics[metric]!) }));
  keyed.sort((a, b) => {
    const c = order === 'desc' ? b.v.comparedTo(a.v) : a.v.comparedTo(b.v);
    return c !== 0 ? c : a.r.combinationIndex - b.r.combinationIndex;
  });
  return keyed.map(({ r }, i) => ({ ...r, rank: i + 1, value: r.metrics[metric]! }));
}
