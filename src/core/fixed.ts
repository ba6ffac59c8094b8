/**
 * Fixed-point conversion at the edge: exchange decimal strings become integer ticks/lots exactly
 * (no binary floating point in between), and back.
 */
import { HftError } from './errors.ts';

/** Number of decimals of a decimal string increment such as "0.01" or "1e-8". */
export function decimalsOf(increment: string): number {
  const s = expandExponent(increment);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function expandExponent(s: string): string {
  if (!/e/i.test(s)) return s;
  const n = Number(s);
  return n.toFixed(Math.min(20, Math.max(0, -Math.floor(Math.log10(Math.abs(n))) + 15))).replace(/0+$/, '').replace(/\.$/, '');
}

/** Parses a decimal string into an integer scaled by 10^decimals, exactly. Throws on more digits. */
export function scaledFromDecimal(text: string, decimals: number): bigint {
  const s = expandExponent(text.trim());
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new HftError('HFT_ERR_BAD_INPUT', `'${text}' is not a decimal number`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) throw new HftError('HFT_ERR_PRECISION', `'${text}' has more than ${decimals} decimals`);
  const v = BigInt((m[2] || '0') + frac.padEnd(decimals, '0'));
  return m[1] === '-' ? -v : v;
}

/**
 * An increment (tick size or lot size) as a scaled integer, for exact division of decimal strings.
 * `toUnits("61837.63", inc)` = 6183763 for inc "0.01".
 */
export class Increment {
  readonly text: string;
  readonly decimals: number;
  private readonly scaled: bigint;
  private readonly scaledNum: number;
  private readonly pow: number;
  constructor(text: string) {
    this.text = text;
    this.decimals = decimalsOf(text);
    this.scaled = scaledFromDecimal(text, this.decimals);
    if (this.scaled <= 0n) throw new HftError('HFT_ERR_CONFIG', `increment '${text}' must be positive`);
    this.scaledNum = Number(this.scaled);
    this.pow = 10 ** this.decimals;
  }
  /** Decimal string to an integer count of increments; throws if not a whole multiple. */
  toUnits(text: string): number {
    const v = this.fastScaled(text);
    if (v !== undefined) {
      const q = v / this.scaledNum;
      if (Number.isInteger(q)) return q;
    }
    const big = scaledFromDecimal(text, Math.max(this.decimals, 0));
    if (big % this.scaled !== 0n) throw new HftError('HFT_ERR_PRECISION', `'${text}' is not a multiple of ${this.text}`);
    return Number(big / this.scaled);
  }
  /** Integer count of increments back to a canonical decimal string. */
  toDecimal(units: number): string {
    const big = BigInt(units) * this.scaled;
    const neg = big < 0n;
    const digits = (neg ? -big : big).toString().padStart(this.decimals + 1, '0');
    const int = digits.slice(0, digits.length - this.decimals);
    const frac = this.decimals > 0 ? digits.slice(digits.length - this.decimals).replace(/0+$/, '') : '';
    return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  }
  /** Integer count of increments to a float (for display and ratios only, never money). */
  toNumber(units: number): number { return (units * this.scaledNum) / this.pow; }

  /**
   * Fast path for plain decimal strings (no exponent, <= 15 significant digits): integer digits
   * parsed without BigInt. Returns undefined when the fast path does not apply.
   */
  private fastScaled(text: string): number | undefined {
    const dot = text.indexOf('.');
    let intPart: string; let frac: string;
    if (dot < 0) { intPart = text; frac = ''; } else { intPart = text.slice(0, dot); frac = text.slice(dot + 1); }
    let end = frac.length;
    while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
    if (end > this.decimals) return undefined;
    const digits = intPart + frac.slice(0, end).padEnd(this.decimals, '0');
    if (digits.length > 15 || !/^-?\d+$/.test(digits)) return undefined;
    return Number(digits);
  }
}
