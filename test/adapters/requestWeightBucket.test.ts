import { describe, expect, it } from 'vitest';
import { RequestWeightBucket, TokenBucket } from '../../src/adapters/binance/RequestWeightBucket.ts';

describe('request-weight token bucket', () => {
  it('holds back the 101st order inside 10 s and lets it go after 100 ms of refill', () => {
    let nowMs = 0;
    const b = new RequestWeightBucket(() => nowMs);
    for (let i = 0; i < 100; i++) expect(b.tryAcquire(1, true)).toBe(true);
    expect(b.tryAcquire(1, true)).toBe(false);
    nowMs = 99; // 100 per 10,000 ms = one order per 100 ms
    expect(b.tryAcquire(1, true)).toBe(false);
    nowMs = 100;
    expect(b.tryAcquire(1, true)).toBe(true);
  });

  it('counts request weight separately from orders', () => {
    let nowMs = 0;
    const b = new RequestWeightBucket(() => nowMs, 60, 100);
    expect(b.tryAcquire(50, false)).toBe(true);
    expect(b.tryAcquire(20, false)).toBe(false); // 10 left of 60 per minute
    nowMs = 10_000; // +10 weight
    expect(b.tryAcquire(20, false)).toBe(true);
  });

  it('reports the wait until enough tokens are back', () => {
    let nowMs = 0;
    const t = new TokenBucket({ capacity: 10, perMs: 1000 }, () => nowMs);
    t.take(10);
    expect(t.waitMs(3)).toBe(300);
    nowMs = 300;
    expect(t.waitMs(3)).toBe(0);
  });
});
