/**
 * The ccxt client for Binance spot, pointed at a venue by URL: the real exchange (default), the spot
 * testnet (`sandbox`, testnet.binance.vision) or the local emulator (`restUrl`, every `urls.api` entry
 * rewritten to it with its path kept, so no call can leak to the internet). Keys are passed in by the
 * CLI from the environment and never logged.
 */
import ccxt from 'ccxt';

export interface BinanceCcxtOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  /** Base URL of a Binance-compatible REST server, e.g. http://127.0.0.1:PORT (the emulator). */
  readonly restUrl?: string;
  /** Binance spot testnet instead of production. */
  readonly sandbox?: boolean;
  readonly timeoutMs?: number;
}

export type BinanceClient = InstanceType<typeof ccxt.binance>;

export function createBinanceSpotCcxt(o: BinanceCcxtOptions): BinanceClient {
  const ex = new ccxt.binance({
    ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.secret ? { secret: o.secret } : {}),
    enableRateLimit: false, // our token bucket owns request weights
    timeout: o.timeoutMs ?? 3000,
  });
  // Spot only: ccxt would otherwise also load futures/options/margin markets and currencies (sapi).
  ex.options.fetchMarkets = { types: ['spot'] };
  ex.options.fetchCurrencies = false;
  ex.options.fetchMargins = false;
  if (o.sandbox) ex.setSandboxMode(true);
  if (o.restUrl) {
    const base = o.restUrl.replace(/\/$/, '');
    const api = ex.urls.api as Record<string, string>;
    const rewritten: Record<string, string> = {};
    for (const [k, v] of Object.entries(api)) rewritten[k] = typeof v === 'string' ? v.replace(/^https?:\/\/[^/]+/, base) : v;
    ex.urls.api = rewritten as typeof ex.urls.api;
  }
  return ex;
}
