import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, ErrorCodes, HftError, isConcurrencyError, isHftError } from '../../src/core/errors.ts';

describe('error catalogue', () => {
  it('README "Error codes" lists exactly the catalogue, with the same messages', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'));
    const rows = [...section.matchAll(/^\| `(HFT_ERR_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(ErrorCodes);
  });
  it('prefixes every message with its code and keeps details', () => {
    const e = new HftError('HFT_ERR_BAD_INPUT', 'line 3: bad', { line: 3 });
    expect(e.message).toBe('HFT_ERR_BAD_INPUT: line 3: bad');
    expect(isHftError(e)).toBe(true);
    expect(isHftError(e, 'HFT_ERR_BAD_INPUT')).toBe(true);
    expect(isHftError(e, 'HFT_ERR_CONFIG')).toBe(false);
    expect(e.details).toEqual({ line: 3 });
  });
  it('has a typed concurrency error with a type guard', () => {
    const e = new ConcurrencyError('run-1', '3', 5);
    expect(isConcurrencyError(e)).toBe(true);
    expect(isHftError(e, 'HFT_ERR_CONCURRENCY')).toBe(true);
    expect(isConcurrencyError(new Error('x'))).toBe(false);
    expect(e.message).toContain("stream 'run-1': expected revision 3, actual 5");
  });
});
