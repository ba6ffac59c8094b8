/**
 * Token bucket in event time (µs), pure: `burst` capacity refilled at `ordersPerSecond`. No timers,
 * no wall clock: the same events give the same tokens on every replay.
 */
export interface TokenBucket { readonly tokens: number; readonly lastUs: number }
export interface TokenBucketConfig { readonly ordersPerSecond: number; readonly burst: number }

export const fullBucket = (cfg: TokenBucketConfig, nowUs: number): TokenBucket => ({ tokens: cfg.burst, lastUs: nowUs });

/** Tokens available at nowUs (time never runs backwards: an earlier nowUs refills nothing). */
export const tokensAt = (b: TokenBucket, cfg: TokenBucketConfig, nowUs: number): number =>
  Math.min(cfg.burst, b.tokens + (Math.max(0, nowUs - b.lastUs) * cfg.ordersPerSecond) / 1_000_000);

export const takeToken = (b: TokenBucket, cfg: TokenBucketConfig, nowUs: number): TokenBucket =>
  ({ tokens: tokensAt(b, cfg, nowUs) - 1, lastUs: Math.max(nowUs, b.lastUs) });
