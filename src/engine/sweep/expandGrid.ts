/**
 * The cartesian product of grid axes, in a fixed order: the first axis varies slowest, so combination
 * indexes are stable for the same `--grid` arguments and a sweep can be resumed by index.
 */
import { HftError } from '../../core/errors.ts';
import type { GridAxis } from './parseGridAxis.ts';

export interface Combination {
  /** 0-based index in the product. */
  readonly index: number;
  /** `key=value` pairs in axis order joined by `&`: the idempotency key of a sweep result. */
  readonly key: string;
  /** Raw value per axis key. */
  readonly values: Readonly<Record<string, string>>;
}

/** Past this a sweep is almost certainly a typo in a grid (and would flood the queue). */
export const MAX_COMBINATIONS = 100_000;

export function expandGrid(axes: readonly GridAxis[]): Combination[] {
  if (axes.length === 0) throw new HftError('HFT_ERR_USAGE', 'a sweep needs at least one --grid key=v1,v2,…');
  const keys = axes.map((a) => a.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new HftError('HFT_ERR_USAGE', `--grid key '${dup}' is given twice: put all its values in one --grid`);
  for (const a of axes) {
    for (const b of axes) {
      if (a !== b && b.key.startsWith(`${a.key}.`)) throw new HftError('HFT_ERR_USAGE', `--grid keys '${a.key}' and '${b.key}' overlap: one replaces the other's parent`);
    }
  }
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_COMBINATIONS) throw new HftError('HFT_ERR_USAGE', `the grid has ${total} combinations, more than ${MAX_COMBINATIONS}`);
  const out: Combination[] = [];
  for (let index = 0; index < total; index++) {
    const values: Record<string, string> = {};
    let rest = index;
    for (let i = axes.length - 1; i >= 0; i--) {
      const a = axes[i]!;
      values[a.key] = a.values[rest % a.values.length]!;
      rest = Math.floor(rest / a.values.length);
    }
    const ordered: Record<string, string> = {};
    for (const a of axes) ordered[a.key] = values[a.key]!;
    out.push(Object.freeze({ index, key: axes.map((a) => `${a.key}=${ordered[a.key]}`).join('&'), values: Object.freeze(ordered) }));
  }
  return out;
}
