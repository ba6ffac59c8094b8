/**
 * The ccxt client for Bybit v5 (`bybit`) pointed at a venue by URL: the real exchange (default,
 * https://api.bybit.com), the testnet (`sandbox`: ccxt's `api-testnet`) or the local emulator
 * (`restUrl`: every `urls.api` host rewritten, so no call can leak to the internet).
 *
 * BybitExecution calls ccxt's implicit v5 methods (`privatePostV5OrderCreate`, ...) with the request
 * fields as strings, so prices and quantities go out exactly as our increments print them (ccxt's unified
 * createOrder would take numbers). ccxt still signs them (X-BAPI-API-KEY, X-BAPI-TIMESTAMP,
 * X-BAPI-RECV-WINDOW, X-BAPI-SIGN = hex HMAC-SHA256(secret, timestamp + apiKey + recvWindow +
 * (GET: the query string | POST: the JSON body))) and maps Bybit's retCodes to its error classes.
 * Our own limiter (BybitRateLimits) replaces ccxt's. Keys come from the CLI's environment and are never
 * logged.
 *
 * The account is taken to be a Unified Trading Account (Bybit's only account type for new accounts):
 * ccxt's `isUnifiedEnabled` probe (`/v5/user/query-api` + `/v5/account/info`, which need the "Account
 * Transfer" permission) is answered in advance, and `fetchMarkets` loads only the category we trade.
 */
import ccxt from 'ccxt';

export interface BybitCcxtOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  /** Base URL of a Bybit-compatible REST server, e.g. http://127.0.0.1:PORT (the emulator). */
  readonly restUrl?: string;
  readonly sandbox?: boolean;
  readonly timeoutMs?: number;
  /** The v5 category this client trades (what `loadMarkets` fetches). Default spot. */
  readonly category?: 'spot' | 'linear';
  /** X-BAPI-RECV-WINDOW in ms (ccxt's default 5000). */
  readonly recvWindowMs?: number;
}

export type BybitClient = InstanceType<typeof ccxt.bybit>;

export function createBybitCcxt(o: BybitCcxtOptions): BybitClient {
  const ex: BybitClient = new ccxt.bybit({
    ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.secret ? { secret: o.secret } : {}),
    enableRateLimit: false, // BybitRateLimits owns the request budget
    timeout: o.timeoutMs ?? 3000,
  });
  ex.options.fetchMarkets = { types: [o.category ?? 'spot'] };
  ex.options.enableUnifiedAccount = true;
  ex.options.enableUnifiedMargin = false;
  ex.options.unifiedMarginStatus = 6;
  ex.options.adjustForTimeDifference = false;
  if (o.recvWindowMs !== undefined) ex.options.recvWindow = o.recvWindowMs;
  ex.has.fetchCurrencies = false; // /v5/asset/coin/query-info needs wallet permissions; currencies come from the markets
  if (o.sandbox) ex.setSandboxMode(true);
  if (o.restUrl) {
    const base = o.restUrl.replace(/\/$/, '');
    const api = ex.urls.api as Record<string, string>;
    ex.urls.api = Object.fromEntries(Object.keys(api).map((k) => [k, base])) as typeof ex.urls.api;
  }
  return ex;
}
