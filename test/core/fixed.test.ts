import { describe, expect, it } from 'vitest';
import { Increment, scaledFromDecimal } from '../../src/core/fixed.ts';
import { isHftError } from '../../src/core/errors.ts';

describe('Increment', () => {
  it('turns Binance price strings into exact ticks', () => {
    const tick = new Increment('0.01');
    expect(tick.toUnits('61837.63000000')).toBe(6183763);
    expect(tick.toUnits('0.01')).toBe(1);
    expect(tick.toUnits('100')).toBe(10000);
  });
  it('handles lots with 5 and 8 decimals, and exponent notation', () => {
    expect(new Increment('0.00001').toUnits('1.54698000')).toBe(154698);
    expect(new Increment('1e-8').toUnits('0.00000001')).toBe(1);
    expect(new Increment('0.5').toUnits('2.5')).toBe(5);
  });
  it('refuses a value that is not a multiple of the increment, naming both', () => {
    try {
      new Increment('0.5').toUnits('2.3');
      expect.unreachable();
    } catch (e) {
      expect(isHftError(e, 'HFT_ERR_PRECISION')).toBe(true);
      expect((e as Error).message).toContain("'2.3' is not a multiple of 0.5");
    }
  });
  it('round-trips units to canonical decimal strings', () => {
    const tick = new Increment('0.01');
    expect(tick.toDecimal(6183763)).toBe('61837.63');
    expect(tick.toDecimal(-5)).toBe('-0.05');
    expect(tick.toDecimal(100)).toBe('1');
  });
  it('parses scaled decimals exactly beyond float precision', () => {
    expect(scaledFromDecimal('12345678901234567.89', 2)).toBe(1234567890123456789n);
    expect(() => scaledFromDecimal('abc', 2)).toThrow(/not a decimal/);
  });
});
