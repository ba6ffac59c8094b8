/** What the emulators' request-signature checks share: a constant-time comparison and a header read. */
import { timingSafeEqual } from 'node:crypto';

/** Equal strings, compared in constant time (a signature check must not leak where they differ). */
export const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a); const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** A request header's single value ('' when absent or repeated); names are matched lower-cased, as Node keeps them. */
export const headerText = (h: Readonly<Record<string, string | string[] | undefined>>, name: string): string => {
  const v = h[name.toLowerCase()];
  return typeof v === 'string' ? v : '';
};
