/**
 * Binance request-weight limiter: a token bucket per limit the venue publishes in exchangeInfo
 * (`REQUEST_WEIGHT` 6000 per minute, `ORDERS` 100 per 10 s on spot). A request waits until every bucket
 * it draws from holds its weight, so we slow down before the venue answers 429 (and, repeated, bans
 * the IP with 418). Docs: https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits
 */
export interface BucketLimit { readonly capacity: number; readonly perMs: number }

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  constructor(private readonly limit: BucketLimit, private readonly clockMs: () => number) {
    this.tokens = limit.capacity;
    this.lastMs = clockMs();
  }

  private refill(): void {
    const now = this.clockMs();
    this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.lastMs) * this.limit.capacity) / this.limit.perMs);
    this.lastMs = now;
  }

  /** Milliseconds until `weight` tokens are available (0 = now). */
  waitMs(weight: number): number {
    this.refill();
    return this.tokens >= weight ? 0 : Math.ceil(((weight - this.tokens) * this.limit.perMs) / this.limit.capacity);
  }

  take(weight: number): void { this.refill(); this.tokens -= weight; }
  get available(): number { this.refill(); return this.tokens; }
}

/**
 * Request weights of the spot endpoints we call (Binance spot REST docs, 2024); `positionRisk` is
 * futures only: USDⓈ-M /fapi/v2/positionRisk's 5 (COIN-M's /dapi/v1 is 1).
 */
export const BINANCE_SPOT_WEIGHTS = { ping: 1, order: 1, cancel: 1, queryOrder: 4, openOrders: 6, cancelAll: 1, myTrades: 20, account: 20, depth1000: 50, positionRisk: 5 } as const;

export class RequestWeightBucket {
  private readonly weight: TokenBucket;
  private readonly orders: TokenBucket;
  constructor(clockMs: () => number, weightPerMinute = 6000, ordersPer10s = 100) {
    this.weight = new TokenBucket({ capacity: weightPerMinute, perMs: 60_000 }, clockMs);
    this.orders = new TokenBucket({ capacity: ordersPer10s, perMs: 10_000 }, clockMs);
  }

  /** Takes the weight now if every bucket holds it (no await on the hot path); false = call `acquire`. */
  tryAcquire(weight: number, isOrder: boolean): boolean {
    if (this.weight.waitMs(weight) > 0 || (isOrder && this.orders.waitMs(1) > 0)) return false;
    this.weight.take(weight);
    if (isOrder) this.orders.take(1);
    return true;
  }

  /** Resolves when the request may go; takes its weight (and one order count for new orders). */
  async acquire(weight: number, isOrder: boolean): Promise<void> {
    for (;;) {
      const wait = Math.max(this.weight.waitMs(weight), isOrder ? this.orders.waitMs(1) : 0);
      if (wait === 0) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    this.weight.take(weight);
    if (isOrder) this.orders.take(1);
  }

  /** After a 429: the venue says we are over; drain so nothing else goes before Retry-After. */
  penalize(): void { this.weight.take(this.weight.available); }
}
