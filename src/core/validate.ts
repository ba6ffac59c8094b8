/**
 * A small config validator: reads fields by path, collects every problem (not just the first) and
 * throws one HFT_ERR_CONFIG listing them with the field path and the valid values.
 */
import { HftError } from './errors.ts';

export class ConfigReader {
  readonly problems: string[] = [];
  constructor(readonly source: string) {}

  private at(obj: unknown, path: string): unknown {
    let cur = obj;
    for (const key of path.split('.')) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
  }

  private fail(path: string, message: string): void { this.problems.push(`${path}: ${message}`); }

  object(obj: unknown, path: string, required = true): Record<string, unknown> | undefined {
    const v = path === '' ? obj : this.at(obj, path);
    if (v === undefined && !required) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) { this.fail(path || '(root)', `expected an object, got ${describe(v)}`); return undefined; }
    return v as Record<string, unknown>;
  }

  string(obj: unknown, path: string, fallback?: string): string {
    const v = this.at(obj, path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v === '') { this.fail(path, `expected a non-empty string, got ${describe(v)}`); return fallback ?? ''; }
    return v;
  }

  /** A decimal number written as a string (money, rates): kept as text, checked for form. */
  decimal(obj: unknown, path: string, fallback?: string): string {
    const v = this.at(obj, path);
    if (v === undefined && fallback !== undefined) return fallback;
    const text = typeof v === 'number' ? String(v) : v;
    if (typeof text !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) { this.fail(path, `expected a decimal number, got ${describe(v)}`); return fallback ?? '0'; }
    return text;
  }

  number(obj: unknown, path: string, opts: { fallback?: number; min?: number; max?: number; integer?: boolean } = {}): number {
    const v = this.at(obj, path);
    if (v === undefined && opts.fallback !== undefined) return opts.fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) { this.fail(path, `expected a number, got ${describe(v)}`); return opts.fallback ?? 0; }
    if (opts.integer && !Number.isInteger(v)) this.fail(path, `expected an integer, got ${v}`);
    if (opts.min !== undefined && v < opts.min) this.fail(path, `must be >= ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) this.fail(path, `must be <= ${opts.max}, got ${v}`);
    return v;
  }

  boolean(obj: unknown, path: string, fallback?: boolean): boolean {
    const v = this.at(obj, path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'boolean') { this.fail(path, `expected true or false, got ${describe(v)}`); return fallback ?? false; }
    return v;
  }

  oneOf<T extends string>(obj: unknown, path: string, valid: readonly T[], fallback?: T): T {
    const v = this.at(obj, path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !(valid as readonly string[]).includes(v)) {
      this.fail(path, `expected one of ${valid.map((x) => `'${x}'`).join(', ')}, got ${describe(v)}`);
      return fallback ?? valid[0]!;
    }
    return v as T;
  }

  stringArray(obj: unknown, path: string, fallback?: string[]): string[] {
    const v = this.at(obj, path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) { this.fail(path, `expected an array of strings, got ${describe(v)}`); return fallback ?? []; }
    return v as string[];
  }

  /** Reports keys of `obj` at `path` that are not in `known` (typos must not pass silently). */
  noUnknownKeys(obj: unknown, path: string, known: readonly string[]): void {
    const v = path === '' ? obj : this.at(obj, path);
    if (v === null || typeof v !== 'object') return;
    for (const k of Object.keys(v)) if (!known.includes(k)) this.fail(path ? `${path}.${k}` : k, `unknown field (valid: ${known.join(', ')})`);
  }

  /** Throws HFT_ERR_CONFIG listing every problem, if any. */
  done(): void {
    if (this.problems.length > 0) {
      throw new HftError('HFT_ERR_CONFIG', `${this.source} is invalid:\n  - ${this.problems.join('\n  - ')}`, { problems: this.problems });
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (typeof v === 'string') return `'${v}'`;
  return JSON.stringify(v) ?? String(v);
}
