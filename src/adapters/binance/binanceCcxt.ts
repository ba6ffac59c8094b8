/**
 * The ccxt client for Binance spot (`binance`), USDⓈ-M (`binanceusdm`, /fapi) or COIN-M
 * (`binancecoinm`, /dapi), pointed at a venue by URL: the real exchange (default), the testnet
 * (`sandbox`) or the local emulator (`restUrl`, every `urls.api` entry rewritten to it with its path
 * kept, so no call can leak to the internet). Keys are passed in by the CLI from the environment and
 * never logged.
 */
import ccxt from 'ccxt';

export type BinanceProduct = 'spot' | 'usdm' | 'coinm';

/** Our venue ids to the Binance product. */
export const BINANCE_PRODUCT_OF_VENUE: Readonly<Record<string, BinanceProduct>> = { 'binance-spot': 'spot', 'binance-usdm': 'usdm', 'binance-coinm': 'coinm' };

export interface BinanceCcxtOptions {
  /** Default spot. */
  readonly product?: BinanceProduct;
  readonly apiKey?: string;
  readonly secret?: string;
  /** Base URL of a Binance-compatible REST server, e.g. http://127.0.0.1:PORT (the emulator). */
  readonly restUrl?: string;
  /** The product's testnet instead of production. */
  readonly sandbox?: boolean;
  readonly timeoutMs?: number;
}

export type BinanceClient = InstanceType<typeof ccxt.binance>;

export function createBinanceCcxt(o: BinanceCcxtOptions): BinanceClient {
  const product = o.product ?? 'spot';
  const Cls = product === 'usdm' ? ccxt.binanceusdm : product === 'coinm' ? ccxt.binancecoinm : ccxt.binance;
  const ex: BinanceClient = new Cls({
    ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.secret ? { secret: o.secret } : {}),
    enableRateLimit: false, // our token bucket owns request weights
    timeout: o.timeoutMs ?? 3000,
  });
  // One product only: ccxt would otherwise also load the other products' markets and currencies (sapi).
  ex.options.fetchMarkets = { types: [product === 'usdm' ? 'linear' : product === 'coinm' ? 'inverse' : 'spot'] };
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
