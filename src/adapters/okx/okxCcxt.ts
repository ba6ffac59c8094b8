/**
 * The ccxt client for OKX (`okx`, v5 REST) pointed at a venue by URL: the real exchange (default), the
 * demo-trading environment (`sandbox`: ccxt sends `x-simulated-trading: 1`) or the local emulator
 * (`restUrl`: `urls.api.rest` rewritten, so no call can leak to the internet). Spot markets only,
 * single orders through `POST /api/v5/trade/order` (ccxt's default is the batch endpoint), our own
 * rate limiter (OkxRateLimits) instead of ccxt's. Keys come from the CLI's environment and are never
 * logged.
 */
import ccxt from 'ccxt';

export interface OkxCcxtOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  readonly passphrase?: string;
  /** Base URL of an OKX-compatible REST server, e.g. http://127.0.0.1:PORT (the emulator). */
  readonly restUrl?: string;
  readonly sandbox?: boolean;
  readonly timeoutMs?: number;
}

export type OkxClient = InstanceType<typeof ccxt.okx>;

export function createOkxCcxt(o: OkxCcxtOptions): OkxClient {
  const ex: OkxClient = new ccxt.okx({
    ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.secret ? { secret: o.secret } : {}), ...(o.passphrase ? { password: o.passphrase } : {}),
    enableRateLimit: false, // OkxRateLimits owns the request budget
    timeout: o.timeoutMs ?? 3000,
  });
  ex.options.fetchMarkets = { types: ['spot'] };
  ex.options.createOrder = 'privatePostTradeOrder';
  // No broker tag on our orders; currencies come from the markets (the endpoint needs extra permissions).
  ex.options.brokerId = undefined;
  ex.has.fetchCurrencies = false;
  if (o.sandbox) ex.setSandboxMode(true);
  if (o.restUrl) {
    const api = ex.urls.api as Record<string, string>;
    ex.urls.api = { ...api, rest: o.restUrl.replace(/\/$/, '') } as typeof ex.urls.api;
  }
  return ex;
}
