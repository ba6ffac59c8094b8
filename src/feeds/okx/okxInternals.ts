/** Shared helpers of the OKX normalizers. */
import { HftError } from '../../core/errors.ts';
import type { Increment } from '../../core/fixed.ts';

type Obj = Record<string, unknown>;

/** The `data` array of a push on `channel` (`{arg:{channel}, data:[...]}`), undefined otherwise. */
export function okxData(msg: unknown, channel: string): Obj[] | undefined {
  const m = msg as Obj | null;
  if (typeof m !== 'object' || m === null) return undefined;
  const arg = m.arg as Obj | undefined;
  if (arg?.channel !== channel || !Array.isArray(m.data)) return undefined;
  return m.data as Obj[];
}

export function okxUnits(inc: Increment, d: Obj, field: string, where: string): number {
  const v = d[field];
  if (typeof v !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${field}' must be a decimal string, got ${JSON.stringify(v)}`, { field });
  try { return inc.toUnits(v); } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${field}' value '${v}': ${(e as Error).message}`, { field }, { cause: e });
  }
}
