/**
 * The live ExecutionVenue for Binance spot, USDⓈ-M and COIN-M futures: orders over signed REST
 * (`binance`, `binanceusdm` → /fapi/v1/order, `binancecoinm` → /dapi/v1/order) with our client
 * order id (`newClientOrderId`, the idempotency key on all three), fills and state changes from the
 * user-data stream (spot `executionReport`, futures `ORDER_TRADE_UPDATE`, on the listenKey socket).
 * New orders are signed and written to a kept-open connection by BinanceOrderEntry, synchronously
 * inside `submit` (the request ccxt's createOrder would send, byte for byte; its answers judged by
 * ccxt's error map); cancels, queries, cancel-all, open orders and balances go through ccxt.
 * Answers are queued as TimedVenueReports stamped with the local clock at receipt; the kernel takes
 * them with `advance(now)`.
 *
 * Ambiguity rules (NautilusTrader's, and Binance's own "5XX: execution status UNKNOWN"):
 * - Only a definitive venue answer (a 4xx with a Binance error code) becomes a rejection.
 * - A timeout, a dropped connection, a 5xx or a 429 leaves the order in flight. It is resolved by
 *   querying the order by client id: found = it exists (accepted, or whatever state it reached), not
 *   found (-2013) = it never arrived, so the POST is sent again WITH THE SAME client id. A resend that
 *   meets the first one is answered "Duplicate order sent." (-2010), never a second order.
 * - Fills are deduplicated by venue trade id, per order, before the OMS (which deduplicates again).
 * - A cancel for an order whose placement is still unanswered waits for that answer.
 *
 * Amendments (futures only, `modify`): `PUT /fapi/v1/order` / `PUT /dapi/v1/order` keep our client id;
 * an amendment of an order whose placement is unanswered waits for that answer, like a cancel; an
 * unanswered PUT is resolved by querying the order (see `sendModify`). Spot refuses `modify`.
 */
import ccxt from 'ccxt';
import { HftError } from '../../core/errors.ts';
import WebSocket from 'ws';
import type { ExecutionVenue } from '../../engine/ports.ts';
import type { OrderIntentData, VenuePosition } from '../../model/events.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import { BINANCE_PRODUCT_OF_VENUE, type BinanceClient, type BinanceProduct } from './binanceCcxt.ts';
import { BINANCE_DEPTH_PATH, type BinanceVenue } from './BinanceMarketData.ts';
import { BinanceOrderEntry } from './BinanceOrderEntry.ts';
import { BINANCE_SPOT_WEIGHTS, RequestWeightBucket } from './RequestWeightBucket.ts';
import { TrackedOrdersVenue, type ExecutionAdapterOptions, type TrackedOrder } from '../TrackedOrdersVenue.ts';
import { venueTop } from '../venueTop.ts';
import type { WarmTop } from '../../engine/live/HotPathWarmer.ts';

export type { RequestLatency } from '../TrackedOrdersVenue.ts';

/**
 * Per product: the listenKey endpoint (API-key only) and the ccxt unified symbol.
 * Docs: spot /api/v3/userDataStream, USDⓈ-M /fapi/v1/listenKey, COIN-M /dapi/v1/listenKey.
 */
const LISTEN_KEY_PATH: Readonly<Record<BinanceProduct, string>> = { spot: '/api/v3/userDataStream', usdm: '/fapi/v1/listenKey', coinm: '/dapi/v1/listenKey' };
/** ` (<code>)` from a Binance error body in a ccxt error message, '' when there is none. */
const codeOf = (e: unknown): string => { const m = /"code":(-?\d+)/.exec((e as Error).message); return m ? ` (${m[1]})` : ''; };
const ccxtSymbol = (product: BinanceProduct, i: Instrument): string => (product === 'spot' ? `${i.base}/${i.quote}` : `${i.base}/${i.quote}:${i.settle}`);

const VENUE_OF_PRODUCT = Object.fromEntries(Object.entries(BINANCE_PRODUCT_OF_VENUE).map(([v, p]) => [p, v])) as Readonly<Record<BinanceProduct, string>>;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** Binance futures: "One order can only be modified for less than 10000 times" (-5026 beyond). */
const MAX_MODIFICATIONS = 9999;
const ZERO = /^-?0+(\.0+)?$/;
/** `rehearse`: enough calls for V8 to compile and give feedback to the order path, far too few to optimize it. */
const REHEARSALS = 10;

/** One order update in the fields spot's `executionReport` and futures' `ORDER_TRADE_UPDATE.o` share. */
interface OrderUpdate { s: string; c: string; x: string; X: string; i: number; t: number; L: string; l: string; m: boolean; n?: string; N?: string | null; r?: string; T: number; p: string; q: string }

/** A futures order as `PUT /fapi/v1/order`, `PUT /dapi/v1/order` and `GET .../order` answer it (the fields read). */
interface FuturesOrderAnswer { status?: string; price?: string; origQty?: string; updateTime?: number | string }

export interface BinanceExecutionOptions extends ExecutionAdapterOptions {
  /** Default spot. The client must be the matching ccxt class (createBinanceCcxt). */
  readonly product?: BinanceProduct;
  readonly client: BinanceClient;
  /** For the listenKey request (API-key only endpoint) and the user-data socket. */
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
  /** With the signed body, just before a new order is handed to the socket layer (after `onOrderOut`). */
  readonly onOrderWire?: (clientOrderId: string, body: string) => void;
}

type Pending = TrackedOrder;

export class BinanceExecution extends TrackedOrdersVenue<Pending> implements ExecutionVenue {
  /** `unknownOrderMessages`: order updates for an order not tracked (another client's, or one of ours closed and forgotten). */
  readonly stats = { throttled: 0, places: 0, resends: 0, ambiguous: 0, rejects: 0, duplicateFillsDropped: 0, fills: 0, cancels: 0, modifies: 0, userStreamMessages: 0, unknownOrderMessages: 0 };
  private readonly bucket: RequestWeightBucket;
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly byId = new Map<string, Instrument>();
  private userWs: WebSocket | undefined;
  /** New-order requests (signing, connections: `entry.pool.stats`). */
  readonly entry: BinanceOrderEntry;
  private stopped = false;
  readonly product: BinanceProduct;
  /** The last order the warm-up signed (`warmOrder`): the one `rehearse` submits. */
  private lastWarm: OrderIntentData | undefined;
  /** True while `rehearse` runs `submit`: `place` then tracks, counts and sends nothing. */
  private rehearsing = false;
  /** Rehearsals take their request weight from here: the venue's bucket holds real requests only. */
  private readonly rehearsalBucket: RequestWeightBucket;

  constructor(private readonly o: BinanceExecutionOptions) {
    super(o);
    this.product = o.product ?? 'spot';
    this.bucket = new RequestWeightBucket(() => o.clockUs() / 1000);
    this.rehearsalBucket = new RequestWeightBucket(() => o.clockUs() / 1000);
    for (const i of o.instruments) { this.bySymbol.set(i.symbol, i); this.byId.set(i.id, i); }
    this.entry = new BinanceOrderEntry(o.client, this.product);
  }

  /**
   * Loads markets, opens the order connections (keep-alive, so the first orders do not pay the
   * connect) and the user-data stream; resolves once the socket is open.
   */
  async start(): Promise<void> {
    await this.o.client.loadMarkets();
    for (const inst of this.o.instruments) this.entry.register(inst, ccxtSymbol(this.product, inst));
    await this.entry.warm();
    const res = await fetch(`${this.o.restUrl.replace(/\/$/, '')}${LISTEN_KEY_PATH[this.product]}`, { method: 'POST', headers: { 'X-MBX-APIKEY': this.o.apiKey } });
    if (!res.ok) throw new Error(`binance ${LISTEN_KEY_PATH[this.product]}: HTTP ${res.status} ${await res.text()}`);
    const { listenKey } = (await res.json()) as { listenKey: string };
    const ws = new WebSocket(`${this.o.wsUrl.replace(/\/$/, '')}/ws/${listenKey}`);
    this.userWs = ws;
    ws.on('message', (raw: WebSocket.RawData) => this.onUserMessage(raw));
    ws.on('error', (e: Error) => this.o.log?.(`binance user stream error: ${e.message}`));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  }

  stop(): void {
    this.stopped = true;
    this.userWs?.removeAllListeners();
    this.userWs?.on('error', () => {});
    this.userWs?.terminate();
    this.entry.close();
  }

  // ---------------------------------------------------------------------- ExecutionVenue (kernel side)

  onMarketRow(_batch: MarketBatch, _row: number, _instrument: string): void { /* the real venue has its own book */ }
  advanceTo(_venueTimeUs: number): void { /* the real venue runs on its own clock */ }

  submit(order: OrderIntentData, _localTimeUs: number): void {
    const p: Pending = { order, acked: false, closed: false, venueOrderId: '', cancelHeld: false };
    if (!this.rehearsing) this.orders.set(order.clientOrderId, p);
    void this.place(order.clientOrderId, p, false);
  }

  /** Dry run of `submit`'s request (sign + format, nothing sent): the tick-to-order path kept warm. */
  warmOrder(order: OrderIntentData): void {
    this.lastWarm = order;
    this.entry.dryRun(order);
  }

  /**
   * Before the feed starts (after the priming): `submit` run REHEARSALS times on the warm-up's last
   * order, through `via` (how the kernel reaches this adapter, VenuePort.rehearseSubmit; default `submit`
   * itself), with nothing tracked, counted or sent: `place` takes the weight from a bucket of its own
   * and `send` builds, signs and formats the request without writing it. Why: `warmOrder` signs
   * through the order entry alone, so `submit`, `place`, `send` and the bucket's `tryAcquire` were
   * first called (parsed and compiled, V8 compiles a function at its first call) by the session's
   * first real order, inside its tick-to-order time (`--log-function-events` on bench/live,
   * 2026-12-07). Few on purpose: V8 optimizes a function after hundreds of calls, and code optimized
   * on rehearsals alone would meet the real order's branch unseen and be thrown away.
   * Returns the number run (0 when the warm-up signed no order).
   */
  rehearse(via: (order: OrderIntentData) => void = (order) => this.submit(order, this.o.clockUs())): number {
    const order = this.lastWarm;
    if (order === undefined) return 0;
    this.rehearsing = true;
    try {
      for (let i = 0; i < REHEARSALS; i++) via(order);
    } finally { this.rehearsing = false; }
    return REHEARSALS;
  }

  /**
   * Before the feed starts (then QUIET_BEFORE_FEED_MS): a GET ping (weight 1 each, counted in the
   * request-weight bucket) on every idle order connection, so the session's first real order does not
   * go out after a second or more (the priming) in which the socket write, the answer's read and parse
   * and the promise path around them never ran (`start`'s warm-up pings are before the priming).
   * bench/live, 6 interleaved 40 s runs each way: wire p99 209-472 µs against 276-727 (README,
   * hot-path warming). Sent right before the feed instead (no quiet time after it): no gain in 3 runs.
   */
  async warmConnections(): Promise<void> {
    const n = this.entry.pool.idle();
    await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.ping * n, false);
    await this.entry.touch(n);
  }

  /**
   * Futures: amends a resting LIMIT order in place under the same client id (`PUT /fapi/v1/order`,
   * `PUT /dapi/v1/order`; price and total quantity, both always sent; see `sendModify`). Spot has no
   * amendment that keeps our client id for a price change: refused, with the reason.
   */
  modify(clientOrderId: string, priceTicks: number, sizeLots: number, _localTimeUs: number): void {
    const now = this.o.clockUs();
    if (this.product === 'spot') {
      this.push({ kind: 'update-rejected', clientOrderId, reason: 'binance spot: no amendment keeps the client order id for a price change (order.cancelReplace places a new order under a new client id; PUT /api/v3/order/amend/keepPriority only lowers the quantity): cancel and place instead' }, now);
      return;
    }
    const p = this.orders.get(clientOrderId);
    if (p && p.order.type !== 'limit') {
      this.push({ kind: 'update-rejected', clientOrderId, reason: `binance ${this.product}: only LIMIT orders can be modified (-5025), this one is ${p.order.type}` }, now);
      return;
    }
    if (p && (p.amendCount ?? 0) >= MAX_MODIFICATIONS) {
      this.push({ kind: 'update-rejected', clientOrderId, reason: `binance ${this.product}: one order can be modified fewer than 10000 times (-5026), this one was modified ${p.amendCount}` }, now);
      return;
    }
    this.startAmend(clientOrderId, priceTicks, sizeLots);
  }

  // ------------------------------------------------------------------------------------- requests

  private symbolOf(o: OrderIntentData): { sym: string; inst: Instrument } {
    const inst = this.byId.get(o.instrument);
    if (!inst) throw new Error(`binance execution: instrument ${o.instrument} not configured`);
    return { sym: ccxtSymbol(this.product, inst), inst };
  }

  /** `p` is passed, not looked up: a resend comes after awaits, when a closed order may have been forgotten. */
  private async place(id: string, p: Pending, resend: boolean): Promise<void> {
    const o = p.order;
    const dry = this.rehearsing;
    // No await before the request is out unless the bucket holds it (the tick-to-order hot path).
    const throttled = !(dry ? this.rehearsalBucket : this.bucket).tryAcquire(BINANCE_SPOT_WEIGHTS.order, true);
    if (dry) { if (!throttled) void this.entry.send(o, undefined, true); return; }
    if (throttled) { this.stats.throttled++; await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.order, true); }
    if (this.stopped) return;
    if (resend) this.stats.resends++; else this.stats.places++;
    const requestUs = this.o.clockUs();
    this.o.onOrderOut?.(id, throttled);
    const wire = this.o.onOrderWire;
    try {
      const r = await this.entry.send(o, wire ? (body) => wire(id, body) : undefined);
      const responseUs = this.o.clockUs();
      const venueUs = (r.timestamp ?? 0) * 1000;
      this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs, responseUs, outcome: 'ok' });
      this.ack(id, r.id, venueUs || responseUs);
      this.applyStatus(id, r.status, venueUs || responseUs);
    } catch (e) {
      const responseUs = this.o.clockUs();
      // Spot -2010 "Duplicate order sent.", futures -4116 "ClientOrderId is duplicated.": the first one arrived.
      if (this.isDefinitive(e) && !/Duplicate order|is duplicated/i.test((e as Error).message)) {
        this.stats.rejects++;
        const reason = this.reasonOf(e);
        this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `rejected:${reason}` });
        this.close(id, { kind: 'rejected', clientOrderId: id, reason }, responseUs);
        return;
      }
      this.stats.ambiguous++;
      if (e instanceof ccxt.DDoSProtection) this.bucket.penalize();
      this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      this.o.log?.(`order ${id}: ${this.reasonOf(e)}; in flight until the venue says (query by client id)`);
      await this.resolve(id, p);
    }
  }

  /** Queries an order whose request went unanswered; resends the POST only if the venue never saw it. */
  private async resolve(id: string, p: Pending): Promise<void> {
    await this.queryUntilAnswered(id, p.order, () => p.acked || p.closed, (r, responseUs) => {
      this.ack(id, String(r.id), (r.timestamp ?? 0) * 1000 || responseUs);
      this.applyStatus(id, (r.info as { status?: string }).status, responseUs);
    }, async () => { await this.place(id, p, true); }); // never arrived: same client id again
  }

  /**
   * Queries order `id` by client id, with backoff, until the venue answers it or `settled()` (the user
   * stream answered meanwhile): `found` with the order, or `notFound`. Every query is a latency row; a
   * 429 slows the request bucket; an error of ours (HftError, e.g. a malformed answer) is thrown.
   */
  private async queryUntilAnswered(id: string, order: OrderIntentData, settled: () => boolean, found: (r: Awaited<ReturnType<BinanceClient['fetchOrder']>>, responseUs: number) => void | Promise<void>, notFound: (responseUs: number) => void | Promise<void>): Promise<void> {
    const { sym } = this.symbolOf(order);
    for (let attempt = 0; !this.stopped; attempt++) {
      await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 200) * Math.min(8, 2 ** attempt)));
      if (settled()) return;
      await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.queryOrder, false);
      const requestUs = this.o.clockUs();
      let r: Awaited<ReturnType<BinanceClient['fetchOrder']>>;
      try {
        r = await this.o.client.fetchOrder(undefined as unknown as string, sym, { origClientOrderId: id });
      } catch (e) {
        const responseUs = this.o.clockUs();
        if (e instanceof ccxt.OrderNotFound) {
          this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: 'rejected:not-found' });
          await notFound(responseUs);
          return;
        }
        this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
        if (e instanceof ccxt.DDoSProtection) this.bucket.penalize();
        continue;
      }
      const responseUs = this.o.clockUs();
      this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: 'ok' });
      await found(r, responseUs);
      return;
    }
  }

  /**
   * `PUT /fapi/v1/order` (USDⓈ-M) or `PUT /dapi/v1/order` (COIN-M) by origClientOrderId, with side,
   * the new price and the new total quantity as exact decimals (USDⓈ-M requires both; COIN-M takes
   * either, both are sent). Docs:
   * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Modify-Order,
   * https://developers.binance.com/docs/derivatives/coin-margined-futures/trade/rest-api/Modify-Order.
   * Weight: one order count (10 s and 1 min order limits). The venue answers the order as amended
   * (`updated` from its price and origQty) and pushes ORDER_TRADE_UPDATE with execution type
   * AMENDMENT, whichever comes first reports; a quantity at or below the filled quantity, or a GTX
   * order priced through the book, is CANCELED by the amendment (reported as the cancel). A
   * definitive refusal (-5027 "No need to modify the order.", -2013 "Order does not exist.", filter
   * failures) is `update-rejected`; no answer (timeout, 5xx, 429) is resolved by querying the order.
   */
  protected override async sendModify(id: string): Promise<void> {
    const p = this.orders.get(id)!;
    const a = p.amend;
    if (!a) return;
    const { inst } = this.symbolOf(p.order);
    await this.bucket.acquire(1, true);
    if (this.stopped || p.closed || p.amend !== a) return;
    const params = { symbol: inst.symbol, origClientOrderId: id, side: p.order.side === 'buy' ? 'BUY' : 'SELL', quantity: inst.lot.toDecimal(a.sizeLots), price: inst.tick.toDecimal(a.priceTicks) };
    const client = this.o.client as unknown as Record<string, (params: object) => Promise<FuturesOrderAnswer>>;
    this.stats.modifies++;
    const requestUs = this.o.clockUs();
    try {
      const r = this.product === 'usdm' ? await client.fapiPrivatePutOrder!(params) : await client.dapiPrivatePutOrder!(params);
      const responseUs = this.o.clockUs();
      const venueUs = Number(r.updateTime ?? 0) * 1000;
      this.o.onLatency?.({ action: 'modify', clientOrderId: id, requestUs, venueUs, responseUs, outcome: 'ok' });
      this.applyAmendAnswer(id, inst, r, venueUs || responseUs, true);
    } catch (e) {
      const responseUs = this.o.clockUs();
      if (this.isDefinitive(e)) {
        const reason = `binance ${this.product}: ${this.reasonOf(e)}${codeOf(e)}`;
        this.o.onLatency?.({ action: 'modify', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `rejected:${reason}` });
        // A resend after an unanswered PUT: "nothing to change" means the first one landed.
        if (a.resent && /"code":-5027/.test((e as Error).message)) this.amended(id, a.priceTicks, a.sizeLots, responseUs);
        else this.amendRefused(id, reason, responseUs);
        return;
      }
      this.stats.ambiguous++;
      if (e instanceof ccxt.DDoSProtection) this.bucket.penalize();
      this.o.onLatency?.({ action: 'modify', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      this.o.log?.(`modify ${id}: ${this.reasonOf(e)}; in flight until the venue says (query by client id)`);
      await this.resolveAmend(id, p, a);
    }
  }

  /**
   * The venue's order after an amendment. The PUT answer is the order as amended (a closed order is
   * refused -2013, so FILLED there means the amendment applied and then it filled). A query only shows
   * where the order stands: at the requested price and quantity it was applied, else (closed) it was not.
   */
  private applyAmendAnswer(id: string, inst: Instrument, r: FuturesOrderAnswer, tsVenue: number, fromPut: boolean): void {
    if (r.status === 'CANCELED' || r.status === 'EXPIRED' || r.status === 'REJECTED') { this.applyStatus(id, r.status, tsVenue); return; }
    if (typeof r.price !== 'string' || typeof r.origQty !== 'string') {
      throw new HftError('HFT_ERR_BAD_INPUT', `binance ${this.product} ${fromPut ? 'PUT' : 'GET'} order (${id}): field 'price' or 'origQty' missing (${JSON.stringify(r).slice(0, 200)})`, { clientOrderId: id });
    }
    const priceTicks = inst.tick.toUnits(r.price); const sizeLots = inst.lot.toUnits(r.origQty);
    const a = this.orders.get(id)?.amend;
    if (fromPut || (a && a.priceTicks === priceTicks && a.sizeLots === sizeLots)) this.amended(id, priceTicks, sizeLots, tsVenue);
    else this.amendRefused(id, `binance ${this.product}: order ${r.status === 'FILLED' ? 'filled' : 'closed'} before the amendment`, tsVenue);
  }

  /**
   * An amendment whose PUT went unanswered: the order is queried by client id. Closed: reported as
   * such; showing the requested price and quantity: `updated`; else the PUT is sent again (same
   * values: if the first one lands meanwhile the venue answers -5027, read as applied).
   */
  private async resolveAmend(id: string, p: Pending, a: NonNullable<Pending['amend']>): Promise<void> {
    const { inst } = this.symbolOf(p.order);
    await this.queryUntilAnswered(id, p.order, () => p.amend !== a || p.closed, async (r, responseUs) => {
      if (p.amend !== a || p.closed) return;
      const info = r.info as FuturesOrderAnswer;
      const open = info.status === 'NEW' || info.status === 'PARTIALLY_FILLED';
      if (open && (info.price === undefined || info.origQty === undefined || inst.tick.toUnits(info.price) !== a.priceTicks || inst.lot.toUnits(info.origQty) !== a.sizeLots)) {
        a.resent = true;
        await this.sendModify(id);
        return;
      }
      this.applyAmendAnswer(id, inst, info, responseUs, false);
    }, (responseUs) => { this.amendRefused(id, `binance ${this.product}: order not found when resolving the amendment`, responseUs); });
  }

  protected async sendCancel(id: string): Promise<void> {
    const p = this.orders.get(id)!;
    const { sym } = this.symbolOf(p.order);
    await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.cancel, false);
    if (this.stopped || p.closed) return;
    const requestUs = this.o.clockUs();
    try {
      const r = await this.o.client.cancelOrder(undefined as unknown as string, sym, { origClientOrderId: id });
      const responseUs = this.o.clockUs();
      this.o.onLatency?.({ action: 'cancel', clientOrderId: id, requestUs, venueUs: (r.lastUpdateTimestamp ?? r.timestamp ?? 0) * 1000, responseUs, outcome: 'ok' });
      this.applyStatus(id, (r.info as { status?: string }).status ?? 'CANCELED', responseUs);
    } catch (e) {
      await this.cancelFailed(id, requestUs, e, e instanceof ccxt.OrderNotFound || this.isDefinitive(e));
    }
  }

  /** Kill switch: DELETE openOrders per symbol; the reports arrive like any cancel. */
  async cancelAll(): Promise<number> {
    let n = 0;
    for (const inst of this.o.instruments) {
      const sym = ccxtSymbol(this.product, inst);
      const requestUs = this.o.clockUs();
      try {
        await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.cancelAll, false);
        // Futures answer {code: 200, msg} without the orders: their cancels come on the user stream.
        const rs = await this.o.client.cancelAllOrders(sym);
        const responseUs = this.o.clockUs();
        this.o.onLatency?.({ action: 'cancel-all', clientOrderId: '', requestUs, venueUs: 0, responseUs, outcome: 'ok' });
        for (const r of Array.isArray(rs) ? rs : []) {
          n++;
          const cid = r.clientOrderId ?? (r.info as { origClientOrderId?: string }).origClientOrderId;
          if (cid) this.applyStatus(cid, 'CANCELED', responseUs);
        }
      } catch (e) {
        if (!(e instanceof ccxt.OrderNotFound)) throw e; // -2011: nothing open
      }
    }
    return n;
  }

  /**
   * The venue's best bid and ask of every instrument, in instrument order, from its REST depth
   * (`/api/v3/depth`, `/fapi/v1/depth`, `/dapi/v1/depth`, limit 5: weight 5 on spot, 2 on futures, 5
   * taken from the bucket): the book the hot-path
   * warmer primes around before the feed starts (HotPathWarmer.prime). A book that cannot be primed
   * around (a side empty, crossed, off the grid) or an HTTP error is an HftError naming the request
   * and the instrument (venueTop), as on OKX and Bybit: never a session started cold without a word.
   */
  async fetchTops(): Promise<WarmTop[]> {
    const out = [];
    for (const inst of this.o.instruments) {
      await this.bucket.acquire(5, false);
      const url = `${this.o.restUrl.replace(/\/$/, '')}${BINANCE_DEPTH_PATH[VENUE_OF_PRODUCT[this.product] as BinanceVenue]}?symbol=${inst.symbol}&limit=5`;
      const where = `binance GET ${url.slice(url.indexOf('/', url.indexOf('//') + 2))} (${inst.id})`;
      const res = await fetch(url);
      if (!res.ok) throw new HftError('HFT_ERR_NOT_FOUND', `${where}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`, { instrument: inst.id, status: res.status });
      const d = (await res.json()) as { bids?: unknown[]; asks?: unknown[] };
      out.push(venueTop(where, inst, d.bids?.[0], d.asks?.[0]));
    }
    return out;
  }

  /** Open orders on the venue (REST), by client id. */
  async fetchOpenClientIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const inst of this.o.instruments) {
      await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.openOrders, false);
      for (const r of await this.o.client.fetchOpenOrders(ccxtSymbol(this.product, inst))) ids.push(String(r.clientOrderId));
    }
    return ids;
  }

  async fetchBalances(): Promise<Record<string, string>> {
    await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.account, false);
    const b = await this.o.client.fetchBalance();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(b.total ?? {})) if (typeof v === 'number' && v !== 0) out[k] = String(v);
    return out;
  }

  /**
   * Every non-zero position on the futures account, in any symbol; `null` on spot, which has no
   * positions (what the account holds is in the balances). USDⓈ-M `GET /fapi/v2/positionRisk` (weight 5),
   * COIN-M `GET /dapi/v1/positionRisk` (weight 1), through ccxt's signed implicit methods so the raw
   * strings are kept (ccxt's unified fetchPositions turns them into floats). Without a symbol both
   * answer one row per TRADING symbol, zero rows included; one-way mode: one 'BOTH' row whose signed
   * `positionAmt` is the position (USDⓈ-M in the base asset, COIN-M in contracts); hedge mode adds
   * 'LONG' and 'SHORT' rows. Docs:
   * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Position-Information-V2,
   * https://developers.binance.com/docs/derivatives/coin-margined-futures/trade/Position-Information
   */
  async fetchPositions(): Promise<VenuePosition[] | null> {
    if (this.product === 'spot') return null;
    await this.bucket.acquire(BINANCE_SPOT_WEIGHTS.positionRisk, false);
    const client = this.o.client as unknown as Record<string, (params: object) => Promise<unknown>>;
    const rows = this.product === 'usdm' ? await client.fapiPrivateV2GetPositionRisk!({}) : await client.dapiPrivateGetPositionRisk!({});
    const endpoint = this.product === 'usdm' ? 'GET /fapi/v2/positionRisk' : 'GET /dapi/v1/positionRisk';
    // A malformed answer is bad input naming the endpoint, row and field: nothing is assumed flat.
    if (!Array.isArray(rows)) throw new HftError('HFT_ERR_BAD_INPUT', `binance ${endpoint}: expected an array, got ${JSON.stringify(rows)?.slice(0, 200)}`, { endpoint });
    const venue = VENUE_OF_PRODUCT[this.product];
    const out: VenuePosition[] = [];
    for (const [i, raw] of rows.entries()) {
      const r = raw as Record<string, unknown>;
      for (const f of ['symbol', 'positionAmt', 'positionSide', 'entryPrice'] as const) {
        if (typeof r[f] !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `binance ${endpoint}: row ${i}: field '${f}' missing or not a string (${JSON.stringify(r[f])})`, { endpoint, row: i, field: f });
      }
      const qty = r.positionAmt as string;
      if (!DECIMAL.test(qty)) throw new HftError('HFT_ERR_BAD_INPUT', `binance ${endpoint}: row ${i} (${String(r.symbol)}): positionAmt '${qty}' is not a decimal`, { endpoint, row: i, field: 'positionAmt' });
      if (ZERO.test(qty)) continue;
      out.push({ instrument: `${venue}:${String(r.symbol)}`, quantity: qty, positionSide: r.positionSide as string, entryPrice: r.entryPrice as string });
    }
    return out;
  }

  private applyStatus(id: string, status: string | undefined, tsVenue: number): void {
    if (status === 'CANCELED') this.close(id, { kind: 'canceled', clientOrderId: id, reason: 'venue' }, tsVenue);
    else if (status === 'EXPIRED' || status === 'EXPIRED_IN_MATCH') this.close(id, { kind: 'expired', clientOrderId: id }, tsVenue);
    else if (status === 'REJECTED') this.close(id, { kind: 'rejected', clientOrderId: id, reason: 'venue' }, tsVenue);
  }

  private isDefinitive(e: unknown): boolean {
    return e instanceof ccxt.ExchangeError && !(e instanceof ccxt.NetworkError) && !(e instanceof ccxt.ExchangeNotAvailable);
  }

  protected reasonOf(e: unknown): string {
    const m = /"msg":"([^"]+)"/.exec((e as Error).message);
    return `${(e as Error).constructor.name}: ${m ? m[1] : (e as Error).message.slice(0, 200)}`;
  }

  // ------------------------------------------------------------------------------- user-data stream

  private onUserMessage(raw: WebSocket.RawData): void {
    this.stats.userStreamMessages++;
    const msg = JSON.parse(raw.toString()) as Record<string, unknown>;
    let m: OrderUpdate; let id: string;
    if (msg.e === 'executionReport') {
      m = msg as unknown as OrderUpdate;
      // On a cancel, `c` is the cancel request's own id and `C` the order's (Binance user-data docs).
      id = m.x === 'CANCELED' ? (msg.C as string) : m.c;
    } else if (msg.e === 'ORDER_TRADE_UPDATE') {
      // Futures: the order in `o`, `c` is always the order's client id.
      m = msg.o as OrderUpdate;
      id = m.c;
    } else return;
    const x = m.x;
    const p = this.orders.get(id);
    // Not ours (another client on the account), or ours closed and forgotten (retainClosedOrders).
    if (!p) { this.stats.unknownOrderMessages++; return; }
    const tsVenue = m.T * 1000;
    this.ack(id, String(m.i), tsVenue);
    if (x === 'TRADE') {
      const tradeId = String(m.t);
      if (!this.firstFill(p, tradeId)) { this.stats.duplicateFillsDropped++; return; }
      this.stats.fills++;
      const inst = this.bySymbol.get(m.s)!;
      this.push({
        kind: 'fill', clientOrderId: id, venueTradeId: tradeId, priceTicks: inst.tick.toUnits(m.L), sizeLots: inst.lot.toUnits(m.l),
        liquidity: m.m ? 'maker' : 'taker', ...(m.N ? { fee: String(m.n), feeCurrency: String(m.N) } : {}),
      }, tsVenue);
      if (m.X === 'FILLED') {
        this.amendRefused(id, `binance ${this.product}: order filled before the amendment`, tsVenue);
        this.markClosed(id);
      }
    } else if (x === 'AMENDMENT') {
      // Futures: the order as amended (price `p`, total quantity `q`).
      this.amended(id, this.bySymbol.get(m.s)!.tick.toUnits(m.p), this.bySymbol.get(m.s)!.lot.toUnits(m.q), tsVenue);
    } else if (x === 'CANCELED') {
      this.stats.cancels++;
      this.close(id, { kind: 'canceled', clientOrderId: id, reason: 'venue' }, tsVenue);
    } else if (x === 'EXPIRED') {
      this.close(id, { kind: 'expired', clientOrderId: id }, tsVenue);
    } else if (x === 'REJECTED') {
      this.close(id, { kind: 'rejected', clientOrderId: id, reason: String(m.r) }, tsVenue);
    }
  }
}
