/**
 * The new-order request (POST /api/v3/order, /fapi/v1/order, /dapi/v1/order) built, signed and sent
 * without ccxt's generic path, over persistent connections (Http1Pool): this is the tick-to-order hot path
 * (bench/live). ccxt stays the client for everything else (markets, cancels, queries, balances) and
 * still judges every answer: a non-2xx goes through its `handleErrors` / `handleHttpStatusCode`, so a
 * rejection, a 429 or a 5xx raises the same ccxt error class as `createOrder` would.
 *
 * The request is the one ccxt's `createOrder` sends for the same order (same parameters, order,
 * encoding, recvWindow and nonce), signed the same way: HMAC-SHA256 of the urlencoded body with the
 * API secret, hex, appended as `signature` (Binance "SIGNED endpoint security"). A test compares the
 * bytes with ccxt's own request for every order shape and product.
 *
 * `send` is synchronous up to the moment the request bytes are written to the socket: no await, no
 * microtask between the kernel's decision and the socket (when a connection is idle; otherwise the
 * request goes out on the new connection's connect).
 */
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import type { OrderSide, OrderType, TimeInForce } from '../../model/events.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { BinanceClient, BinanceProduct } from './binanceCcxt.ts';
import { Http1Error, Http1Pool, type Http1Response } from './Http1Pool.ts';

/** One new order as the kernel sizes it (lots and ticks of our instrument). */
export interface NewOrderParams {
  /** Our instrument id (registered with `register`). */
  readonly instrument: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly sizeLots: number;
  /** Limit orders only. */
  readonly priceTicks: number;
  readonly clientOrderId: string;
}

/** An instrument as the venue steps it: the venue's amount/price steps in our lots/ticks. */
interface VenueSteps { readonly inst: Instrument; readonly ccxtSymbol: string; readonly amountStep: string; readonly amountStepLots: number; readonly priceStepTicks: number }

/** What the order answer says, in the fields the execution adapter reads (ccxt's parseOrder names). */
export interface OrderAnswer {
  readonly id: string;
  /** ms; ccxt's order timestamp: the first of time, createTime, workingTime, transactTime, updateTime. */
  readonly timestamp: number | undefined;
  readonly status: string | undefined;
  readonly info: Record<string, unknown>;
}

const FORM = 'application/x-www-form-urlencoded';
/** `send`'s answer to a dry call: never settles (the caller does not wait for it). */
const NOT_SENT: Promise<OrderAnswer> = new Promise(() => {});

/** The private API base ccxt uses for orders of each product (already pointed at the venue). */
const PRIVATE_API: Readonly<Record<BinanceProduct, string>> = { spot: 'private', usdm: 'fapiPrivate', coinm: 'dapiPrivate' };

export class BinanceOrderEntry {
  readonly url: URL;
  readonly pool: Http1Pool;
  private readonly path: string;
  /** The API secret's bytes: HMAC keys from a Buffer skip the string's conversion per order. */
  private readonly secret: Buffer;
  private readonly respType: string;
  private readonly recvWindow: string;
  private readonly steps = new Map<string, VenueSteps>();

  constructor(private readonly client: BinanceClient, private readonly product: BinanceProduct) {
    const base = (client.urls.api as Record<string, string>)[PRIVATE_API[product]];
    if (typeof base !== 'string') throw new Error(`binance order entry: ccxt has no ${PRIVATE_API[product]} URL for ${product}`);
    if (!client.apiKey || !client.secret) throw new Error('binance order entry: the ccxt client has no apiKey/secret');
    if (client.secret.includes('PRIVATE KEY')) throw new Error('binance order entry: RSA/Ed25519 keys are not supported (HMAC secrets only)');
    this.url = new URL(`${base}/order`);
    this.path = this.url.pathname;
    this.pool = new Http1Pool(this.url, { timeoutMs: client.timeout, headers: { 'X-MBX-APIKEY': client.apiKey } });
    this.secret = Buffer.from(client.secret, 'utf8');
    // ccxt: FULL on spot (fills in the answer), RESULT on futures.
    this.respType = product === 'spot' ? 'FULL' : 'RESULT';
    const rw = (client.options as { recvWindow?: unknown }).recvWindow;
    this.recvWindow = rw === undefined ? '' : `&recvWindow=${Number(rw)}`;
  }

  /**
   * Makes `inst` tradable: reads the venue's amount and price steps from ccxt's loaded markets (what
   * createOrder's amountToPrecision / priceToPrecision apply). Our lot may be finer than the venue's
   * step (spot BTCUSDT: the feed's 1e-8 against LOT_SIZE 0.00001); the venue's step must be a whole
   * number of our lots and ticks.
   */
  register(inst: Instrument, ccxtSymbol: string): void {
    if (this.client.precisionMode !== ccxt.TICK_SIZE) throw new Error(`binance order entry: ccxt ${this.client.id} precisionMode ${this.client.precisionMode} is not TICK_SIZE`);
    const m = this.client.market(ccxtSymbol);
    const stepOf = (what: 'amount' | 'price', v: number | undefined, inc: Instrument['lot']): [string, number] => {
      if (v === undefined) throw new Error(`binance order entry: market ${ccxtSymbol} has no ${what} precision`);
      const text = this.client.numberToString(v);
      let units: number;
      try { units = inc.toUnits(text); } catch (e) {
        throw new Error(`binance order entry: ${ccxtSymbol} ${what} step ${text} is not a whole number of ${inst.id}'s increment ${inc.text} (${(e as Error).message})`);
      }
      if (!(units >= 1)) throw new Error(`binance order entry: ${ccxtSymbol} ${what} step ${text} is finer than ${inst.id}'s increment ${inc.text}`);
      return [text, units];
    };
    const [amountStep, amountStepLots] = stepOf('amount', m.precision.amount, inst.lot);
    const [, priceStepTicks] = stepOf('price', m.precision.price, inst.tick);
    this.steps.set(inst.id, { inst, ccxtSymbol, amountStep, amountStepLots, priceStepTicks });
  }

  /**
   * The signed urlencoded body for `o` at `timestampMs`: ccxt's parameter order, its quantity
   * truncated and price rounded to the venue's steps (a quantity under one step is ccxt's InvalidOrder).
   */
  body(o: NewOrderParams, timestampMs: number): string {
    const v = this.steps.get(o.instrument);
    if (v === undefined) throw new Error(`binance order entry: instrument ${o.instrument} not registered`);
    const qLots = Math.trunc(o.sizeLots / v.amountStepLots) * v.amountStepLots;
    if (qLots <= 0) throw new ccxt.InvalidOrder(`${this.client.id} amount of ${v.ccxtSymbol} must be greater than minimum amount precision of ${v.amountStep}`);
    let type: string;
    let tif = '';
    if (o.type === 'market') type = 'MARKET';
    else if (o.timeInForce === 'POST_ONLY') {
      // Spot has its own post-only order type; futures use timeInForce GTX.
      if (this.product === 'spot') type = 'LIMIT_MAKER';
      else { type = 'LIMIT'; tif = 'GTX'; }
    } else { type = 'LIMIT'; tif = o.timeInForce; }
    let q = `timestamp=${timestampMs}&symbol=${v.inst.symbol}&side=${o.side === 'buy' ? 'BUY' : 'SELL'}&newClientOrderId=${encodeURIComponent(o.clientOrderId)}`
      + `&newOrderRespType=${this.respType}&type=${type}&quantity=${v.inst.lot.toDecimal(qLots)}`;
    if (o.type === 'limit') {
      const pTicks = v.priceStepTicks === 1 ? o.priceTicks : Math.round(o.priceTicks / v.priceStepTicks) * v.priceStepTicks;
      if (pTicks <= 0) throw new ccxt.InvalidOrder(`${this.client.id} price of ${v.ccxtSymbol} must be greater than minimum price precision`);
      q += `&price=${v.inst.tick.toDecimal(pTicks)}`;
    }
    if (tif) q += `&timeInForce=${tif}`;
    q += this.recvWindow;
    return `${q}&signature=${createHmac('sha256', this.secret).update(q).digest('hex')}`;
  }

  /**
   * Sends the order now (synchronously up to the socket write); resolves with the venue's answer or
   * rejects with the ccxt error class the answer maps to (RequestTimeout / NetworkError when there is
   * none). `onOut` is called with the final body just before it is handed to the socket. `dry`: the
   * request built, signed and formatted, not sent, and a promise that never settles returned.
   */
  send(o: NewOrderParams, onOut?: (body: string) => void, dry = false): Promise<OrderAnswer> {
    const body = this.body(o, this.client.nonce());
    // A rehearsal (BinanceExecution.rehearse): the request formatted, not written; nobody awaits it.
    if (dry) { this.pool.format('POST', this.path, body, FORM); return NOT_SENT; }
    return this.pool.request('POST', this.path, body, FORM, onOut ? () => onOut(body) : undefined).then(
      (r) => this.answer(r, body),
      (e: unknown) => { throw this.networkError(e); },
    );
  }

  /**
   * The request `send` would write for `o`, built and signed, not sent (HotPathWarmer's dry run of
   * the hot path). Returns its length in bytes. Apart from `send(o, _, true)` on purpose: the warmer
   * signs thousands of these a second, and through `send` V8 would optimize `send` on its dry branch
   * alone, then throw that code away at the first real order; `send`'s dry branch is for the few
   * calls of BinanceExecution.rehearse.
   */
  dryRun(o: NewOrderParams): number {
    return this.pool.format('POST', this.path, this.body(o, this.client.nonce()), FORM).length;
  }

  /**
   * Before trading (after `register`): opens the connections so the first orders do not pay the
   * TCP/TLS connect, and runs the request path `rounds` times (GET ping through the same pool, order
   * bodies of the registered instruments signed and dropped) so the first orders do not run it cold
   * in the interpreter. Sends no order.
   */
  async warm(rounds = 100): Promise<void> {
    await this.pool.fill();
    for (let r = 0; r < rounds; r++) {
      await Promise.all([0, 1, 2].map(() => this.ping()));
      for (const v of this.steps.values()) {
        for (let k = 0; k < 10; k++) {
          this.body({ instrument: v.inst.id, side: k % 2 ? 'buy' : 'sell', type: 'limit', timeInForce: k % 3 ? 'GTC' : 'POST_ONLY', sizeLots: v.amountStepLots * (k + 1), priceTicks: v.priceStepTicks * (1000 + k), clientOrderId: `warm${k}` }, 0);
        }
      }
    }
  }

  /**
   * One GET ping (`/api/v3/ping`, `/fapi/v1/ping`, `/dapi/v1/ping`: weight 1, no parameters) on each of
   * `n` connections at once (the pool's idle ones when all go out together), through the order
   * request's own write path and answer parser. Resolves with the number sent; throws on a non-200.
   */
  async touch(n = this.pool.idle()): Promise<number> {
    await Promise.all(Array.from({ length: n }, () => this.ping()));
    return n;
  }

  close(): void { this.pool.close(); }

  private async ping(): Promise<void> {
    const path = this.path.replace(/\/order$/, '/ping');
    const res = await this.pool.request('GET', path, '', undefined);
    if (res.status !== 200) throw new Error(`binance order entry: GET ${this.url.origin}${path} answered HTTP ${res.status} ${res.body.slice(0, 200)}`);
  }

  private answer(r: Http1Response, body: string): OrderAnswer {
    const { status, statusText, headers } = r;
    const trimmed = r.body.trim();
    const json: unknown = this.client.parseJson(trimmed);
    const parsed = json !== null && typeof json === 'object' && !Array.isArray(json) ? json as Record<string, unknown> : undefined;
    if (status < 200 || status >= 300 || parsed === undefined || 'code' in parsed) {
      // ccxt's handleRestResponse order: the exchange's error map, then the HTTP status map.
      const skip = this.client.handleErrors(status, statusText, this.url.href, 'POST', headers, trimmed, json, { 'X-MBX-APIKEY': this.client.apiKey, 'Content-Type': FORM }, body);
      if (skip === undefined) this.client.handleHttpStatusCode(status, statusText, this.url.href, 'POST', trimmed);
      if (status < 200 || status >= 300) throw new ccxt.ExchangeError(`${this.client.id} POST ${this.url.href} ${status} ${statusText} ${trimmed}`);
      if (parsed === undefined) throw new ccxt.BadResponse(`${this.client.id} POST ${this.url.href}: answer is not JSON: ${trimmed.slice(0, 200)}`);
    }
    const info = parsed;
    // ccxt's request() flag after a private call succeeded (a later -2015 then means a temporary ban).
    this.client.options.hasAlreadyAuthenticatedSuccessfully = true;
    const id = info.orderId;
    if (id === undefined || id === null) throw new ccxt.BadResponse(`${this.client.id} POST ${this.url.href}: answer has no orderId: ${trimmed.slice(0, 200)}`);
    let timestamp: number | undefined;
    for (const k of ['time', 'createTime', 'workingTime', 'transactTime', 'updateTime'] as const) {
      const v = info[k];
      if (v !== undefined && v !== null) { timestamp = Number(v); break; }
    }
    return { id: String(id), timestamp, status: typeof info.status === 'string' ? info.status : undefined, info };
  }

  /** Transport failures as ccxt's fetch reports them: a timeout or any other network error. */
  private networkError(e: unknown): unknown {
    if (!(e instanceof Http1Error)) return e;
    if (e.code === 'ETIMEDOUT') return new ccxt.RequestTimeout(`${this.client.id} POST ${this.url.href} request timed out (${this.client.timeout} ms)`);
    return new ccxt.NetworkError(`${this.client.id} POST ${this.url.href} fetch failed: ${e.message}`);
  }
}
