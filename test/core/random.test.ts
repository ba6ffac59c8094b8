import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/random.ts';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new SeededRandom(42); const b = new SeededRandom(42); const c = new SeededRandom(43);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    const sb = Array.from({ length: 100 }, () => b.nextU32());
    const sc = Array.from({ length: 100 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });
  it('resumes from a snapshot of its state', () => {
    const a = new SeededRandom(7);
    for (let i = 0; i < 10; i++) a.next();
    const b = new SeededRandom(a.state());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(Array.from({ length: 5 }, () => a.next()));
  });
  it('is roughly uniform in [0,1)', () => {
    const r = new SeededRandom(1);
    let sum = 0; let min = 1; let max = 0;
    for (let i = 0; i < 100_000; i++) { const x = r.next(); sum += x; min = Math.min(min, x); max = Math.max(max, x); }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01);
  });
});
