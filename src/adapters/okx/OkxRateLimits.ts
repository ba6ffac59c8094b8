/**
 * OKX v5 request limits as token buckets, one per endpoint (and per instrument where OKX counts per
 * instrument), so we slow down before the venue answers 50011 "Too Many Requests" (HTTP 429).
 * Limits from the trade and account REST docs (https://www.okx.com/docs-v5/en/#order-book-trading-trade):
 * place order 60 requests / 2 s per instrument, cancel order 60 / 2 s per instrument, get order
 * 60 / 2 s per instrument, cancel multiple orders 300 orders / 2 s per instrument, pending orders
 * 60 / 2 s, fills 60 / 2 s, account balance 10 / 2 s.
 */
import { TokenBucket, type BucketLimit } from '../binance/RequestWeightBucket.ts';

export const OKX_LIMITS = {
  placeOrder: { capacity: 60, perMs: 2000, perInstrument: true },
  cancelOrder: { capacity: 60, perMs: 2000, perInstrument: true },
  getOrder: { capacity: 60, perMs: 2000, perInstrument: true },
  cancelBatch: { capacity: 300, perMs: 2000, perInstrument: true },
  ordersPending: { capacity: 60, perMs: 2000, perInstrument: false },
  fills: { capacity: 60, perMs: 2000, perInstrument: false },
  balance: { capacity: 10, perMs: 2000, perInstrument: false },
} as const satisfies Record<string, BucketLimit & { perInstrument: boolean }>;

export type OkxEndpoint = keyof typeof OKX_LIMITS;

export class OkxRateLimits {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(private readonly clockMs: () => number) {}

  private bucket(endpoint: OkxEndpoint, instId: string): TokenBucket {
    const limit = OKX_LIMITS[endpoint];
    const key = limit.perInstrument ? `${endpoint}|${instId}` : endpoint;
    let b = this.buckets.get(key);
    if (!b) { b = new TokenBucket(limit, this.clockMs); this.buckets.set(key, b); }
    return b;
  }

  /** Takes `n` now if the bucket holds them (no await on the hot path); false = call `acquire`. */
  tryAcquire(endpoint: OkxEndpoint, instId: string, n = 1): boolean {
    const b = this.bucket(endpoint, instId);
    if (b.waitMs(n) > 0) return false;
    b.take(n);
    return true;
  }

  /** Resolves when `n` requests (or batch-cancelled orders) may go, and takes them. */
  async acquire(endpoint: OkxEndpoint, instId: string, n = 1): Promise<void> {
    const b = this.bucket(endpoint, instId);
    for (let wait = b.waitMs(n); wait > 0; wait = b.waitMs(n)) await new Promise((r) => setTimeout(r, wait));
    b.take(n);
  }

  /** After a 50011: the venue says we are over; drain that bucket. */
  penalize(endpoint: OkxEndpoint, instId: string): void {
    const b = this.bucket(endpoint, instId);
    b.take(b.available);
  }
}
