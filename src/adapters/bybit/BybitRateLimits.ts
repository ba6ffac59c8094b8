/**
 * Bybit v5 request limits per endpoint, so we slow down before the venue answers retCode 10006 "Too many
 * visits!". https://bybit-exchange.github.io/docs/v5/rate-limit: "The API rate limit is based on the
 * rolling time window per second and UID", each endpoint with its own limit. Default (non-VIP, non-PRO)
 * levels used here:
 * - POST /v5/order/create: 10/s linear, 20/s spot (the doc's rate-limit table; "Futures 10/s, Spot 20/s"
 *   of https://bybit-exchange.github.io/docs/v5/rate-limit/rules-for-vips). /v5/order/cancel and
 *   /v5/order/cancel-all: the same.
 * - GET /v5/order/realtime, /v5/order/history, /v5/execution/list, /v5/position/list: 10/s, and
 *   /v5/account/wallet-balance 50/s, as ccxt's bybit annotates its rate map (ccxt 4.5.84
 *   js/src/bybit.js: "10/s => cost = 50 / 10 = 5"); the doc table's read limits could not be read here,
 *   so these are the conservative ones.
 * (Separately the IP limit: 600 requests in any 5 s, far above these.)
 * - GET /v5/market/orderbook (public, fetchTops at a session's start) has no per-UID limit, only the
 *   IP's: 120 in any second keeps any 5 s under 600.
 *
 * A rolling window is what the docs describe, so each limit is a sliding window (at most N sends in any
 * second, OKX's SlidingWindow), not a token bucket refilled at N/s (which lets almost 2N through in one
 * second). Our window is `marginMs` longer than the venue's: the venue counts arrivals, we count sends.
 */
import { SlidingWindow } from '../okx/OkxRateLimits.ts';

export type BybitCategory = 'spot' | 'linear';

export const BYBIT_LIMITS = {
  create: { spot: 20, linear: 10 },
  cancel: { spot: 20, linear: 10 },
  cancelAll: { spot: 20, linear: 10 },
  realtime: { spot: 10, linear: 10 },
  history: { spot: 10, linear: 10 },
  executions: { spot: 10, linear: 10 },
  positions: { spot: 10, linear: 10 },
  balance: { spot: 50, linear: 50 },
  orderbook: { spot: 120, linear: 120 },
} as const;

/** The venue's window: one second. */
export const BYBIT_WINDOW_MS = 1000;

export type BybitEndpoint = keyof typeof BYBIT_LIMITS;

export class BybitRateLimits {
  private readonly windows = new Map<BybitEndpoint, SlidingWindow>();
  constructor(private readonly category: BybitCategory, private readonly clockMs: () => number, private readonly marginMs = 100) {}

  private window(endpoint: BybitEndpoint): SlidingWindow {
    let w = this.windows.get(endpoint);
    if (!w) { w = new SlidingWindow(BYBIT_LIMITS[endpoint][this.category], BYBIT_WINDOW_MS + this.marginMs, this.clockMs); this.windows.set(endpoint, w); }
    return w;
  }

  /** Takes one request now if it fits (no await on the hot path); false = call `acquire`. */
  tryAcquire(endpoint: BybitEndpoint): boolean {
    const w = this.window(endpoint);
    if (w.waitMs(1) > 0) return false;
    w.take(1);
    return true;
  }

  /** Resolves when one request may go, and takes it. */
  async acquire(endpoint: BybitEndpoint): Promise<void> {
    const w = this.window(endpoint);
    for (let wait = w.waitMs(1); wait > 0; wait = w.waitMs(1)) await new Promise((r) => setTimeout(r, wait));
    w.take(1);
  }

  /** After a 10006: the venue says we are over; nothing more goes on that endpoint for a window. */
  penalize(endpoint: BybitEndpoint): void { this.window(endpoint).fill(); }
}
