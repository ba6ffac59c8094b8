import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/random.ts';
import { isHftError } from '../../src/core/errors.ts';
import { ConstantLatency } from '../../src/sim/ConstantLatency.ts';
import { InterpolatedLatency } from '../../src/sim/InterpolatedLatency.ts';
import { LogNormalLatency } from '../../src/sim/LogNormalLatency.ts';

describe('ConstantLatency', () => {
  it('returns the configured entry and response latency at any time', () => {
    const m = new ConstantLatency(250, 400);
    expect([m.entryLatencyUs(0), m.entryLatencyUs(1e15), m.responseLatencyUs(7)]).toEqual([250, 250, 400]);
  });
  it('refuses a negative response latency, naming the field', () => {
    expect(() => new ConstantLatency(1, -1)).toThrow(/responseUs/);
  });
});

describe('InterpolatedLatency', () => {
  // entry latencies: 100 at t=1000, 300 at t=2000; responses: 50 at venue 1100, 150 at venue 2300
  const rows = [
    { requestUs: 1000, venueUs: 1100, responseUs: 1150 },
    { requestUs: 2000, venueUs: 2300, responseUs: 2450 },
    { requestUs: 3000, venueUs: 0, responseUs: 3900 }, // venue rejected: round trip 900
    { requestUs: 4000, venueUs: 4200, responseUs: 4300 },
  ];
  const m = new InterpolatedLatency(rows);

  it('interpolates linearly between the bracketing rows', () => {
    expect(m.entryLatencyUs(1500)).toBe(200); // 100 + (300-100) * 0.5
    expect(m.entryLatencyUs(1250)).toBe(150);
    expect(m.entryLatencyUs(1000)).toBe(100);
  });
  it('uses the first and last row outside the recorded range', () => {
    expect(m.entryLatencyUs(10)).toBe(100);
    expect(m.entryLatencyUs(9_999)).toBe(200); // last row 4200 - 4000
    expect(m.responseLatencyUs(0)).toBe(50);
    expect(m.responseLatencyUs(99_999)).toBe(100);
  });
  it('returns a negative latency (venue rejection) next to a rejected row, sized by the round trip', () => {
    // between row 2 (round trip 450) and row 3 (round trip 900), t=2500: 450 + 450*0.5 = 675
    expect(m.entryLatencyUs(2500)).toBe(-675);
    // between row 3 (900) and row 4 (300), t=3500: 900 + (300-900)*0.5 = 600
    expect(m.entryLatencyUs(3500)).toBe(-600);
  });
  it('interpolates the response latency over the venue times of processed rows only', () => {
    expect(m.responseLatencyUs(1700)).toBe(100); // 50 + (150-50) * 600/1200
    expect(m.responseLatencyUs(3250)).toBe(125); // 150 + (100-150) * 950/1900 = 125
  });
  it('rejects unsorted rows with the row number', () => {
    expect(() => new InterpolatedLatency([rows[1]!, rows[0]!])).toThrow(/row 1 requestUs/);
  });
  it('rejects an empty table', () => {
    expect(() => new InterpolatedLatency([])).toThrow(expect.objectContaining({ code: 'HFT_ERR_CONFIG' }));
  });
});

describe('LogNormalLatency', () => {
  it('draws floor + median * exp(sigma * z) from its own seeded normal stream', () => {
    const m = new LogNormalLatency({ seed: 42, entry: { medianUs: 1000, sigma: 0.5, floorUs: 20 }, response: { medianUs: 300, sigma: 0.25 } });
    const entryRng = new SeededRandom(42);
    const responseRng = new SeededRandom((42 ^ 0x5bd1e995) >>> 0);
    for (let i = 0; i < 5; i++) {
      expect(m.entryLatencyUs(0)).toBe(Math.round(20 + 1000 * Math.exp(0.5 * entryRng.normal())));
      expect(m.responseLatencyUs(0)).toBe(Math.round(300 * Math.exp(0.25 * responseRng.normal())));
    }
  });
  it('is the identical sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number): number[] => {
      const m = new LogNormalLatency({ seed, entry: { medianUs: 500, sigma: 1 }, response: { medianUs: 500, sigma: 1 } });
      return Array.from({ length: 20 }, () => m.entryLatencyUs(0));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
  it('rejects a non-positive median', () => {
    try {
      new LogNormalLatency({ seed: 1, entry: { medianUs: 0, sigma: 1 }, response: { medianUs: 1, sigma: 1 } });
      expect.unreachable();
    } catch (e) {
      expect(isHftError(e, 'HFT_ERR_CONFIG')).toBe(true);
      expect(String(e)).toMatch(/entry\.medianUs/);
    }
  });
});
