/** Shared helpers of the Binance normalizers: envelope unwrapping and field readers with clear errors. */
import { HftError } from '../../core/errors.ts';
import type { Increment } from '../../core/fixed.ts';

type Obj = Record<string, unknown>;

/** The payload of a combined-stream envelope `{stream, data}`, or the message itself when bare. */
export function binancePayload(msg: unknown): Obj | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const o = msg as Obj;
  if (typeof o.stream === 'string' && typeof o.data === 'object' && o.data !== null) return o.data as Obj;
  return o;
}

export function str(o: Obj, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${what}: field '${field}' must be a string, got ${JSON.stringify(v)}`, { field });
  return v;
}

export function int(o: Obj, field: string, what: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${what}: field '${field}' must be an integer, got ${JSON.stringify(v)}`, { field });
  return v;
}

export function bool(o: Obj, field: string, what: string): boolean {
  const v = o[field];
  if (typeof v !== 'boolean') throw new HftError('HFT_ERR_BAD_INPUT', `${what}: field '${field}' must be a boolean, got ${JSON.stringify(v)}`, { field });
  return v;
}

/** Converts a decimal string to integer units of an increment, naming the field on error. */
export function units(inc: Increment, text: string, field: string, what: string): number {
  try {
    return inc.toUnits(text);
  } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${what}: field '${field}' value '${text}': ${(e as Error).message}`, { field }, { cause: e });
  }
}

/** `[["price","qty"], ...]` levels, validated. */
export function levels(o: Obj, field: string, what: string): readonly (readonly [string, string])[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${what}: field '${field}' must be an array of [price, qty]`, { field });
  for (const l of v) {
    if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') {
      throw new HftError('HFT_ERR_BAD_INPUT', `${what}: field '${field}' has a level that is not [price, qty] strings: ${JSON.stringify(l)}`, { field });
    }
  }
  return v as readonly (readonly [string, string])[];
}
