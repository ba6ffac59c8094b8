/**
 * Time in the engine: integer microseconds since the Unix epoch in a JS number (exact up to 2^53 µs,
 * i.e. year 2255). Nanoseconds only at the storage edge, as bigint.
 */
export type Micros = number;

export const US_PER_MS = 1_000;
export const US_PER_SECOND = 1_000_000;
export const US_PER_HOUR = 3_600_000_000;
export const US_PER_DAY = 86_400_000_000;

export const usFromMs = (ms: number): Micros => ms * US_PER_MS;

/** Nanoseconds (decimal string or bigint) to microseconds, truncating toward zero. */
export const usFromNs = (ns: string | bigint): Micros => Number(BigInt(ns) / 1000n);

/** ISO-8601 with microsecond precision: 2024-08-09T00:01:07.312123Z */
export function isoFromUs(us: Micros): string {
  const ms = Math.floor(us / 1000);
  const frac = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // ...sss Z
  return `${iso.slice(0, -1)}${String(frac).padStart(3, '0')}Z`;
}

/** Parses ISO-8601 (with up to 9 fractional digits) or an integer µs string into µs. */
export function usFromIso(text: string): Micros {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/.exec(text);
  if (!m) return Number.NaN;
  const base = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return base * 1000 + Number(frac);
}

export const dayOfUs = (us: Micros): string => new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
