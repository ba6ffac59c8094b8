/** OKX limits are "N per 2 s": a sliding window never lets more than N through in any window. */
import { describe, expect, it } from 'vitest';
import { OKX_LIMITS, OkxRateLimits, SlidingWindow } from '../../src/adapters/okx/OkxRateLimits.ts';

describe('SlidingWindow', () => {
  it('admits 60 at once, then the 61st only when the first leaves the window', () => {
    let now = 1000;
    const w = new SlidingWindow(60, 2000, () => now);
    for (let i = 0; i < 60; i++) { expect(w.waitMs(1)).toBe(0); w.take(1); now += 10; }
    // First send at 1000, window 2000 ms: the 61st fits once now > 3000.
    expect(w.waitMs(1)).toBe(1000 + 2000 - now);
    now = 3000; expect(w.waitMs(1)).toBe(0);
    w.take(1);
    expect(w.used).toBe(60);
  });

  it('never admits more than the limit in any window, whatever the arrival pattern', () => {
    let now = 0;
    const w = new SlidingWindow(60, 2000, () => now);
    const sent: number[] = [];
    for (let step = 0; step < 10_000; step++) {
      now += (step * 7919) % 13; // irregular clock steps, 0..12 ms
      const n = 1 + (step % 3);
      if (w.waitMs(n) === 0) { w.take(n); for (let i = 0; i < n; i++) sent.push(now); }
    }
    expect(sent.length).toBeGreaterThan(1000);
    for (let i = 60; i < sent.length; i++) expect(sent[i]! - sent[i - 60]!).toBeGreaterThanOrEqual(2000);
  });

  it('OkxRateLimits keeps place-order windows per instrument and a window 200 ms longer than OKX\'s', () => {
    let now = 0;
    const l = new OkxRateLimits(() => now);
    for (let i = 0; i < OKX_LIMITS.placeOrder.limit; i++) expect(l.tryAcquire('placeOrder', 'BTC-USDT')).toBe(true);
    expect(l.tryAcquire('placeOrder', 'BTC-USDT')).toBe(false);
    expect(l.tryAcquire('placeOrder', 'ETH-USDT')).toBe(true);
    now = 2000; expect(l.tryAcquire('placeOrder', 'BTC-USDT')).toBe(false);
    now = 2201; expect(l.tryAcquire('placeOrder', 'BTC-USDT')).toBe(true);
    for (let i = 0; i < 10; i++) l.tryAcquire('balance', '');
    expect(l.tryAcquire('balance', 'any')).toBe(false); // balance is per account, not per instrument
  });
});
