/**
 * OKX v5 request limits, one per endpoint (and per instrument where OKX counts per instrument), so we
 * slow down before the venue answers 50011 "Too Many Requests" (HTTP 429). Limits from the trade and
 * account REST docs (https://www.okx.com/docs-v5/en/#order-book-trading-trade): place order 60 requests
 * / 2 s per instrument, cancel order 60 / 2 s per instrument, get order 60 / 2 s per instrument, cancel
 * multiple orders 300 orders / 2 s per instrument, pending orders 60 / 2 s, fills 60 / 2 s, account
 * balance 10 / 2 s. The public order book (`GET /api/v5/market/books`, fetchTops at a session's start):
 * 40 / 2 s per IP (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-order-book).
 *
 * OKX states them as "N per 2 s", so each is a sliding window: at most N sends in any window, not a
 * token bucket (a bucket of N refilled at N / 2 s lets almost 2N through in one 2 s window). The
 * window we keep is `marginMs` longer than the venue's: the venue counts arrivals, we count sends, and a
 * first request that pays the connection set-up arrives later than the ones after it.
 */
export const OKX_LIMITS = {
  placeOrder: { limit: 60, windowMs: 2000, perInstrument: true },
  cancelOrder: { limit: 60, windowMs: 2000, perInstrument: true },
  getOrder: { limit: 60, windowMs: 2000, perInstrument: true },
  cancelBatch: { limit: 300, windowMs: 2000, perInstrument: true },
  ordersPending: { limit: 60, windowMs: 2000, perInstrument: false },
  fills: { limit: 60, windowMs: 2000, perInstrument: false },
  balance: { limit: 10, windowMs: 2000, perInstrument: false },
  books: { limit: 40, windowMs: 2000, perInstrument: false },
} as const;

export type OkxEndpoint = keyof typeof OKX_LIMITS;

/** At most `limit` units in any `windowMs` (send times kept, oldest first). */
export class SlidingWindow {
  private readonly sends: number[] = [];
  private head = 0;
  constructor(readonly limit: number, readonly windowMs: number, private readonly clockMs: () => number) {}

  private prune(now: number): void {
    while (this.head < this.sends.length && this.sends[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024) { this.sends.splice(0, this.head); this.head = 0; }
  }

  /** Units sent in the current window. */
  get used(): number { this.prune(this.clockMs()); return this.sends.length - this.head; }

  /** Milliseconds until `n` more units fit (0 = now). */
  waitMs(n: number): number {
    const now = this.clockMs();
    this.prune(now);
    const over = this.sends.length - this.head + n - this.limit;
    if (over <= 0) return 0;
    return Math.max(1, Math.ceil(this.sends[this.head + over - 1]! + this.windowMs - now));
  }

  take(n: number): void {
    const now = this.clockMs();
    for (let i = 0; i < n; i++) this.sends.push(now);
  }

  /** The venue said we are over: count the window as full from now. */
  fill(): void { this.take(Math.max(0, this.limit - this.used)); }
}

export class OkxRateLimits {
  private readonly windows = new Map<string, SlidingWindow>();
  constructor(private readonly clockMs: () => number, private readonly marginMs = 200) {}

  private window(endpoint: OkxEndpoint, instId: string): SlidingWindow {
    const l = OKX_LIMITS[endpoint];
    const key = l.perInstrument ? `${endpoint}|${instId}` : endpoint;
    let w = this.windows.get(key);
    if (!w) { w = new SlidingWindow(l.limit, l.windowMs + this.marginMs, this.clockMs); this.windows.set(key, w); }
    return w;
  }

  /** Takes `n` now if they fit (no await on the hot path); false = call `acquire`. */
  tryAcquire(endpoint: OkxEndpoint, instId: string, n = 1): boolean {
    const w = this.window(endpoint, instId);
    if (w.waitMs(n) > 0) return false;
    w.take(n);
    return true;
  }

  /** Resolves when `n` requests (or batch-cancelled orders) may go, and takes them. */
  async acquire(endpoint: OkxEndpoint, instId: string, n = 1): Promise<void> {
    const w = this.window(endpoint, instId);
    for (let wait = w.waitMs(n); wait > 0; wait = w.waitMs(n)) await new Promise((r) => setTimeout(r, wait));
    w.take(n);
  }

  /** After a 50011: the venue says we are over; nothing more goes on that endpoint for a window. */
  penalize(endpoint: OkxEndpoint, instId: string): void { this.window(endpoint, instId).fill(); }
}
