/**
 * The live ExecutionVenue for Bybit v5, category spot (instruments `bybit-spot:*`) or linear
 * (`bybit-linear:*`, one-way mode): orders through ccxt `bybit` (`POST /v5/order/create`, signed) under
 * our client order id as `orderLinkId` (the idempotency key: Bybit refuses a second order with an
 * orderLinkId it already has, retCode 110072 "OrderLinkedID is duplicate"), venue reports from the v5
 * private WebSocket (`/v5/private`: `auth` with expires + HMAC signature, then the `order` and
 * `execution` topics). Answers are queued as TimedVenueReports stamped with the local clock at receipt;
 * the kernel takes them with `advance(now)`.
 *
 * The requests are ccxt's implicit v5 methods with every price and quantity a decimal string from our
 * increments (never a float), signed by ccxt (bybitCcxt.ts); answers and pushes keep Bybit's strings.
 *
 * Ambiguity rules (as OkxExecution / BinanceExecution):
 * - Only a definitive venue answer (a Bybit retCode other than 10000 "Server Timeout", 10006 "Too many
 *   visits!", 10016 "Server error / service restarting", 10429 "System level frequency protection")
 *   becomes a rejection. Docs: https://bybit-exchange.github.io/docs/v5/error
 * - A timeout, a dropped connection, an HTTP 5xx without a retCode, or one of those four codes leaves
 *   the order in flight. It is resolved by querying the orderLinkId: `GET /v5/order/realtime` (open
 *   orders), again with `openOnly=1` (the recent 500 closed ones), then `GET /v5/order/history` (Bybit:
 *   "after a server release or restart, filled, cancelled, and rejected orders of Unified account
 *   should only be queried through order history", https://bybit-exchange.github.io/docs/v5/order/open-order).
 *   Found = it exists (accepted, or whatever state it reached); found nowhere = it never arrived, so the
 *   create is sent again with the SAME orderLinkId. A resend that meets the first one is answered 110072,
 *   never a second order; from then on the order is only queried, never sent again.
 * - Fills come from the `execution` topic, deduplicated by `execId`, per order, before the OMS (which deduplicates
 *   again); a query that shows more executed (`cumExecQty`) than the pushes did fetches the order's
 *   executions (`GET /v5/execution/list`).
 * - A cancel for an order whose placement is still unanswered waits for that answer.
 * - After the private socket reconnects, every order not closed is queried (missed pushes).
 *
 * Order states (https://bybit-exchange.github.io/docs/v5/enum#orderstatus): New / PartiallyFilled ->
 * accepted; Filled -> closed once its executions are in; Cancelled / PartiallyFilledCanceled /
 * Deactivated -> canceled, or expired for the IOC / FOK / market remainders the venue cancels
 * (`cancelType` not CancelByUser); a post-only order that would take is Cancelled with `rejectReason`
 * EC_PostOnlyWillTakeLiquidity; Rejected -> rejected.
 */
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { Decimal } from 'decimal.js';
import { HftError } from '../../core/errors.ts';
import type { WarmTop } from '../../engine/live/HotPathWarmer.ts';
import type { ExecutionVenue } from '../../engine/ports.ts';
import type { OrderIntentData, VenuePosition } from '../../model/events.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import type { VenueReport } from '../../model/orders.ts';
import { PrivateSocket } from '../PrivateSocket.ts';
import { TrackedOrdersVenue, type ExecutionAdapterOptions, type TrackedOrder } from '../TrackedOrdersVenue.ts';
import type { BybitClient } from './bybitCcxt.ts';
import { BybitRateLimits, type BybitCategory, type BybitEndpoint } from './BybitRateLimits.ts';
import { venueTop } from '../venueTop.ts';

/** Bybit production private WebSocket (v5). */
export const BYBIT_PRIVATE_WS = 'wss://stream.bybit.com/v5/private';

/** retCodes that say nothing about whether the request was processed (or say it was not, yet). */
export const BYBIT_AMBIGUOUS_CODES: ReadonlySet<number> = new Set([10000, 10006, 10016, 10429]);
/** The orderLinkId is already taken: the first placement arrived. */
export const BYBIT_DUPLICATE_LINK_ID = 110072;
/** retCode 10006: the request was not processed, and the limit window is full. */
const RATE_LIMITED = 10006;

export interface BybitExecutionOptions extends ExecutionAdapterOptions {
  readonly client: BybitClient;
  /** Full private WebSocket URL (BYBIT_PRIVATE_WS, or the emulator's ws://127.0.0.1:PORT/v5/private). */
  readonly wsPrivateUrl: string;
  readonly apiKey: string;
  readonly secret: string;
  /** `{"op":"ping"}` on the private socket this often (Bybit asks for one every 20 s; default 20 s). */
  readonly pingEveryMs?: number;
}

interface Pending extends TrackedOrder {
  /** Lots the reported fills add up to. */
  filledLots: number;
  /** The venue said it has this orderLinkId (110072): never sent again, only queried. */
  onVenue?: boolean;
  /** A closing state that came before all of its executions: sent once `filledLots` reaches `closeAtLots`. */
  deferred?: { report: VenueReport; tsVenue: number; closeAtLots: number };
}

/** One order as Bybit sends it (`order` topic push, or a row of /v5/order/realtime). */
export interface BybitOrderData {
  symbol: string; orderId: string; orderLinkId: string; orderStatus: string; orderType: string; timeInForce: string;
  cumExecQty?: string; cancelType?: string; rejectReason?: string; updatedTime?: string; createdTime?: string;
}

/** One execution (`execution` topic push, or a row of /v5/execution/list). */
export interface BybitExecutionData {
  symbol: string; orderId: string; orderLinkId: string; execId: string; execPrice: string; execQty: string; execType?: string;
  execFee?: string; feeCurrency?: string; isMaker: boolean; execTime: string;
}

interface V5Answer<T> { retCode: number; retMsg: string; result: T; time?: number }
type Call = (params: Record<string, unknown>) => Promise<unknown>;

const CATEGORY_OF_VENUE: Readonly<Record<string, BybitCategory>> = { 'bybit-spot': 'spot', 'bybit-linear': 'linear' };
const DECIMAL = /^-?\d+(\.\d+)?$/;
const ZERO = /^-?0+(\.0+)?$/;

/** retCode and retMsg of a Bybit answer carried in a ccxt error's message (`bybit {"retCode":...}`). */
export function bybitRetCode(e: unknown): { code: number; msg: string } | undefined {
  const text = e instanceof Error ? e.message : '';
  const c = /"retCode":(-?\d+)/.exec(text);
  if (!c) return undefined;
  const m = /"retMsg":"((?:[^"\\]|\\.)*)"/.exec(text);
  return { code: Number(c[1]), msg: m ? m[1]! : '' };
}

export class BybitExecution extends TrackedOrdersVenue<Pending> implements ExecutionVenue {
  /** `unknownOrderMessages`: order and execution pushes for an order not tracked (another client's, or one of ours closed and forgotten). */
  readonly stats = { throttled: 0, places: 0, resends: 0, ambiguous: 0, rejects: 0, duplicateFillsDropped: 0, fills: 0, cancels: 0, userStreamMessages: 0, reconnects: 0, unknownOrderMessages: 0 };
  readonly category: BybitCategory;
  private readonly limits: BybitRateLimits;
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly byId = new Map<string, Instrument>();
  private readonly api: Record<string, Call>;
  private socket: PrivateSocket | undefined;
  private stopped = false;

  constructor(private readonly o: BybitExecutionOptions) {
    super(o);
    const venues = [...new Set(o.instruments.map((i) => i.venue))];
    const category = venues.length === 1 ? CATEGORY_OF_VENUE[venues[0]!] : undefined;
    if (!category) throw new HftError('HFT_ERR_CONFIG', `bybit execution: instruments must all be bybit-spot or all bybit-linear (one v5 category per adapter), got ${venues.join(', ') || 'none'}`);
    this.category = category;
    for (const i of o.instruments) {
      if (category === 'linear' && i.kind !== 'linear_perp' && i.kind !== 'linear_future') throw new HftError('HFT_ERR_CONFIG', `bybit execution: ${i.id} is ${i.kind}, not a linear contract`);
      if (category === 'spot' && i.kind !== 'spot') throw new HftError('HFT_ERR_CONFIG', `bybit execution: ${i.id} is ${i.kind}, not spot`);
      this.bySymbol.set(i.symbol, i); this.byId.set(i.id, i);
    }
    this.limits = new BybitRateLimits(category, () => o.clockUs() / 1000);
    this.api = o.client as unknown as Record<string, Call>;
  }

  /**
   * Checks every instrument against the venue's `GET /v5/market/instruments-info` (trading, same tick and
   * quantity step: an order on a wrong grid would be refused, or worse, rounded), then opens the private
   * socket, authenticates and subscribes; resolves when subscribed.
   */
  async start(): Promise<void> {
    for (const inst of this.o.instruments) await this.checkInstrument(inst);
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
  }

  private async checkInstrument(inst: Instrument): Promise<void> {
    const r = await this.call<{ list: Record<string, unknown>[] }>('publicGetV5MarketInstrumentsInfo', { category: this.category, symbol: inst.symbol });
    const row = r.result.list?.[0];
    const where = `bybit GET /v5/market/instruments-info?category=${this.category}&symbol=${inst.symbol}`;
    if (!row) throw new HftError('HFT_ERR_CONFIG', `${where}: the venue does not list ${inst.symbol}`);
    if (row.status !== 'Trading') throw new HftError('HFT_ERR_CONFIG', `${where}: status ${String(row.status)}, not Trading`);
    const pf = row.priceFilter as { tickSize?: string } | undefined;
    const lf = row.lotSizeFilter as { qtyStep?: string; basePrecision?: string } | undefined;
    const step = this.category === 'spot' ? lf?.basePrecision : lf?.qtyStep;
    const same = (a: string | undefined, b: string): boolean => a !== undefined && DECIMAL.test(a) && new Decimal(a).eq(b);
    const tick = inst.orderTickSize ?? inst.tickSize; const lot = inst.orderLotSize ?? inst.lotSize;
    if (!same(pf?.tickSize, tick) || !same(step, lot)) {
      throw new HftError('HFT_ERR_CONFIG', `${where}: venue tickSize ${String(pf?.tickSize)} / ${this.category === 'spot' ? 'basePrecision' : 'qtyStep'} ${String(step)}, our spec ${inst.id} has ${tick} / ${lot}`);
    }
  }

  private async connect(): Promise<void> {
    const socket = await PrivateSocket.open({
      url: this.o.wsPrivateUrl, label: 'bybit private socket', log: this.o.log,
      parse: (text) => JSON.parse(text) as Record<string, unknown>,
      handshake: async (send, next) => {
        // Answers to our own requests; anything else before the subscription's answer is not ours to apply yet.
        const answerTo = async (op: string): Promise<Record<string, unknown>> => {
          for (;;) { const a = await next(); if (a.op === op) return a; }
        };
        // https://bybit-exchange.github.io/docs/v5/ws/connect#authentication: expires in ms, signature = hex HMAC-SHA256 of "GET/realtime" + expires.
        const expires = Date.now() + 10_000;
        const signature = createHmac('sha256', this.o.secret).update(`GET/realtime${expires}`).digest('hex');
        send(JSON.stringify({ req_id: 'auth', op: 'auth', args: [this.o.apiKey, expires, signature] }));
        const auth = await answerTo('auth');
        if (auth.success !== true) throw new Error(`bybit private auth refused: ${String(auth.ret_msg)}`);
        send(JSON.stringify({ req_id: 'sub', op: 'subscribe', args: ['order', 'execution'] }));
        const sub = await answerTo('subscribe');
        if (sub.success !== true) throw new Error(`bybit order/execution subscription refused: ${String(sub.ret_msg)}`);
      },
      onPush: (m) => this.onPush(m),
      onClose: () => { if (!this.stopped) void this.reconnect(); },
      pingText: '{"op":"ping"}', pingEveryMs: this.o.pingEveryMs ?? 20_000,
    });
    this.socket?.close();
    this.socket = socket;
    if (this.stopped) socket.close();
  }

  /** The private socket dropped: authenticate again, then query every order not closed (pushes may be lost). */
  private async reconnect(): Promise<void> {
    this.stats.reconnects++;
    await this.reconnectAndQuery('bybit private socket', () => this.connect(), (id) => this.query(id), () => this.stopped);
  }

  // ---------------------------------------------------------------------- ExecutionVenue (kernel side)

  onMarketRow(_batch: MarketBatch, _row: number, _instrument: string): void { /* the real venue has its own book */ }
  advanceTo(_venueTimeUs: number): void { /* the real venue runs on its own clock */ }

  submit(order: OrderIntentData, _localTimeUs: number): void {
    const p: Pending = { order, acked: false, closed: false, venueOrderId: '', cancelHeld: false, filledLots: 0 };
    this.orders.set(order.clientOrderId, p);
    void this.place(order.clientOrderId, p, false);
  }

  /**
   * Dry run of `submit`'s request: the create request built and signed by ccxt exactly as `place` sends
   * it (`sign` of `v5/order/create`), nothing sent, no state changed (HotPathWarmer keeps it warm).
   */
  warmOrder(order: OrderIntentData): void {
    const sign = (this.o.client as unknown as { sign: (path: string, api: string, method: string, params: Record<string, unknown>) => unknown }).sign;
    sign.call(this.o.client, 'v5/order/create', 'private', 'POST', this.createRequest(order));
  }

  modify(clientOrderId: string, _priceTicks: number, _sizeLots: number, _localTimeUs: number): void {
    this.push({ kind: 'update-rejected', clientOrderId, reason: 'bybit: modify not supported (/v5/order/amend not wired), cancel and place instead' }, this.o.clockUs());
  }

  // ------------------------------------------------------------------------------------- requests

  private instOf(o: OrderIntentData): Instrument {
    const inst = this.byId.get(o.instrument);
    if (!inst) throw new HftError('HFT_ERR_CONFIG', `bybit execution: instrument ${o.instrument} not configured`);
    return inst;
  }

  /** One v5 call through ccxt (signed for private ones); the answer's envelope as Bybit sent it. */
  private async call<T>(method: string, params: Record<string, unknown>): Promise<V5Answer<T>> {
    const f = this.api[method];
    if (typeof f !== 'function') throw new Error(`ccxt bybit has no method ${method}`);
    return await f.call(this.o.client, params) as V5Answer<T>;
  }

  /** The v5 create-order request for an order (decimal strings from our increments). */
  createRequest(o: OrderIntentData): Record<string, unknown> {
    const inst = this.instOf(o);
    const req: Record<string, unknown> = {
      category: this.category, symbol: inst.symbol, side: o.side === 'buy' ? 'Buy' : 'Sell', orderType: o.type === 'market' ? 'Market' : 'Limit',
      qty: inst.lot.toDecimal(o.sizeLots),
    };
    if (o.type === 'limit') {
      req.price = inst.tick.toDecimal(o.priceTicks);
      req.timeInForce = o.timeInForce === 'POST_ONLY' ? 'PostOnly' : o.timeInForce;
    } else {
      req.timeInForce = 'IOC';
      if (this.category === 'spot') req.marketUnit = 'baseCoin'; // spot market buys are sized in the quote coin unless told
    }
    if (this.category === 'linear') { req.positionIdx = 0; if (o.reduceOnly) req.reduceOnly = true; }
    req.orderLinkId = o.clientOrderId;
    return req;
  }

  /** `p` is passed, not looked up: a resend comes after awaits, when a closed order may have been forgotten. */
  private async place(id: string, p: Pending, resend: boolean): Promise<void> {
    let req: Record<string, unknown>;
    try { req = this.createRequest(p.order); } catch (e) {
      this.stats.rejects++;
      this.close(id, { kind: 'rejected', clientOrderId: id, reason: `bybit: ${(e as Error).message}` }, this.o.clockUs());
      return;
    }
    const throttled = !this.limits.tryAcquire('create');
    if (throttled) { this.stats.throttled++; await this.limits.acquire('create'); }
    if (this.stopped) return;
    if (resend) this.stats.resends++; else this.stats.places++;
    const requestUs = this.o.clockUs();
    this.o.onOrderOut?.(id, throttled);
    try {
      const r = await this.call<{ orderId: string; orderLinkId: string }>('privatePostV5OrderCreate', req);
      const responseUs = this.o.clockUs();
      const venueUs = Number(r.time ?? 0) * 1000;
      this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs, responseUs, outcome: 'ok' });
      this.ack(id, String(r.result.orderId), venueUs || responseUs);
    } catch (e) {
      const responseUs = this.o.clockUs();
      const rc = bybitRetCode(e);
      // 110072: the first placement arrived; the query tells its state.
      if (rc?.code === BYBIT_DUPLICATE_LINK_ID) p.onVenue = true;
      else if (this.isDefinitive(e)) {
        this.stats.rejects++;
        const reason = this.reasonOf(e);
        this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `rejected:${reason}` });
        this.close(id, { kind: 'rejected', clientOrderId: id, reason }, responseUs);
        return;
      }
      this.stats.ambiguous++;
      this.penalizeIfLimited(e, 'create');
      this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      this.o.log?.(`order ${id}: ${this.reasonOf(e)}; in flight until the venue says (query by orderLinkId)`);
      await this.resolve(id, p);
    }
  }

  /** Queries an order whose placement went unanswered; resends the create only if the venue never saw it. */
  private async resolve(id: string, p: Pending): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 200) * Math.min(8, 2 ** attempt)));
      if (p.acked || p.closed) return; // the order topic answered meanwhile
      const found = await this.query(id);
      if (found === 'not-found' && !p.onVenue) { await this.place(id, p, true); return; } // never arrived: same orderLinkId again
      if (found === 'found') return;
    }
  }

  /**
   * The order by orderLinkId: GET /v5/order/realtime (open), again with `openOnly=1` (recently closed),
   * then GET /v5/order/history; applied like a push. Fills the pushes missed are fetched first.
   */
  private async query(id: string): Promise<'found' | 'not-found' | 'unknown'> {
    const p = this.orders.get(id)!;
    const inst = this.instOf(p.order);
    const requestUs = this.o.clockUs();
    const lookups: [BybitEndpoint, string, Record<string, unknown>][] = [
      ['realtime', 'privateGetV5OrderRealtime', {}], ['realtime', 'privateGetV5OrderRealtime', { openOnly: 1 }], ['history', 'privateGetV5OrderHistory', {}],
    ];
    try {
      let d: BybitOrderData | undefined;
      for (const [endpoint, method, extra] of lookups) {
        await this.limits.acquire(endpoint);
        const r = await this.call<{ list: BybitOrderData[] }>(method, { category: this.category, symbol: inst.symbol, orderLinkId: id, ...extra });
        d = r.result.list?.find((x) => x.orderLinkId === id);
        if (d) break;
      }
      const responseUs = this.o.clockUs();
      if (!d) {
        this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: 'rejected:not-found' });
        return 'not-found';
      }
      this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: 'ok' });
      this.ack(id, d.orderId, Number(d.createdTime ?? 0) * 1000 || responseUs);
      const cumLots = inst.lot.toUnits(d.cumExecQty && d.cumExecQty !== '' ? d.cumExecQty : '0');
      if (cumLots > p.filledLots) await this.catchUpFills(id, inst, d.orderId);
      this.onOrder(d, responseUs);
      return 'found';
    } catch (e) {
      const responseUs = this.o.clockUs();
      this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      this.penalizeIfLimited(e, 'realtime');
      this.o.log?.(`order ${id}: query failed: ${this.reasonOf(e)}`);
      return 'unknown';
    }
  }

  /** The order's executions from REST (oldest first), each reported once by execId. */
  private async catchUpFills(id: string, inst: Instrument, orderId: string): Promise<void> {
    const rows: BybitExecutionData[] = [];
    let cursor: string | undefined;
    do {
      await this.limits.acquire('executions');
      const r = await this.call<{ list: BybitExecutionData[]; nextPageCursor?: string }>('privateGetV5ExecutionList', { category: this.category, symbol: inst.symbol, orderId, limit: 100, ...(cursor ? { cursor } : {}) });
      rows.push(...(r.result.list ?? []));
      cursor = r.result.nextPageCursor || undefined;
    } while (cursor);
    // Closed and forgotten while the executions were fetched: like a push for an order not tracked, with a log line.
    if (!this.orders.has(id)) { this.stats.unknownOrderMessages++; this.o.log?.(`order ${id}: ${rows.length} executions fetched after the order was forgotten (retainClosedOrders): not reported`); return; }
    for (const x of rows.sort((a, b) => Number(a.execTime) - Number(b.execTime))) {
      if (x.execType === undefined || x.execType === 'Trade') this.onExecution(x, id);
    }
  }

  protected async sendCancel(id: string): Promise<void> {
    const p = this.orders.get(id)!;
    const inst = this.instOf(p.order);
    await this.limits.acquire('cancel');
    if (this.stopped || p.closed) return;
    const requestUs = this.o.clockUs();
    try {
      const r = await this.call('privatePostV5OrderCancel', { category: this.category, symbol: inst.symbol, orderLinkId: id });
      // The answer only says the request was taken: the Cancelled state arrives on the order topic.
      this.o.onLatency?.({ action: 'cancel', clientOrderId: id, requestUs, venueUs: Number(r.time ?? 0) * 1000, responseUs: this.o.clockUs(), outcome: 'ok' });
    } catch (e) {
      this.penalizeIfLimited(e, 'cancel');
      await this.cancelFailed(id, requestUs, e, this.isDefinitive(e));
    }
  }

  /**
   * Kill switch: `POST /v5/order/cancel-all` per instrument; returns how many orders the venue canceled.
   * An unknown outcome (timeout, 5xx, 10006 / 10016) is asked again, up to 5 times; a definitive refusal
   * or the fifth unknown one throws.
   */
  async cancelAll(): Promise<number> {
    let n = 0;
    for (const inst of this.o.instruments) {
      for (let attempt = 1; ; attempt++) {
        await this.limits.acquire('cancelAll');
        const requestUs = this.o.clockUs();
        try {
          const r = await this.call<{ list?: unknown[] }>('privatePostV5OrderCancelAll', { category: this.category, symbol: inst.symbol });
          n += r.result.list?.length ?? 0;
          this.o.onLatency?.({ action: 'cancel-all', clientOrderId: '', requestUs, venueUs: Number(r.time ?? 0) * 1000, responseUs: this.o.clockUs(), outcome: 'ok' });
          break;
        } catch (e) {
          this.o.onLatency?.({ action: 'cancel-all', clientOrderId: '', requestUs, venueUs: 0, responseUs: this.o.clockUs(), outcome: `${this.isDefinitive(e) ? 'rejected' : 'ambiguous'}:${this.reasonOf(e)}` });
          this.penalizeIfLimited(e, 'cancelAll');
          if (this.isDefinitive(e) || attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 200) * attempt));
        }
      }
    }
    return n;
  }

  /** Open orders on the venue (REST, every page), by orderLinkId. */
  async fetchOpenClientIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const inst of this.o.instruments) {
      let cursor: string | undefined;
      do {
        await this.limits.acquire('realtime');
        const r = await this.call<{ list: BybitOrderData[]; nextPageCursor?: string }>('privateGetV5OrderRealtime', { category: this.category, symbol: inst.symbol, limit: 50, ...(cursor ? { cursor } : {}) });
        for (const d of r.result.list ?? []) ids.push(d.orderLinkId);
        cursor = r.result.nextPageCursor || undefined;
      } while (cursor);
    }
    return ids;
  }

  /**
   * The venue's best bid and ask of every instrument, in instrument order, in ticks and lots (as
   * BinanceExecution.fetchTops): the book the hot-path warmer primes around before the feed starts
   * (HotPathWarmer.prime). `GET /v5/market/orderbook?category=<category>&symbol=<symbol>&limit=1`
   * (public; `result.b` / `result.a` levels [price, size]; https://bybit-exchange.github.io/docs/v5/market/orderbook)
   * through ccxt and the `orderbook` window, like every request of this adapter. An answer for another
   * symbol, or a venue error saying the symbol is invalid, is HFT_ERR_CONFIG; no answer or another venue
   * error, or a side missing, is HFT_ERR_NOT_FOUND; a malformed level is HFT_ERR_BAD_INPUT (venueTop):
   * each names the instrument, none becomes a default top.
   */
  async fetchTops(): Promise<WarmTop[]> {
    const out: WarmTop[] = [];
    for (const inst of this.o.instruments) {
      const where = `bybit GET /v5/market/orderbook?category=${this.category}&symbol=${inst.symbol}&limit=1 (${inst.id})`;
      await this.limits.acquire('orderbook');
      let r: V5Answer<{ s?: unknown; b?: unknown; a?: unknown } | undefined>;
      try {
        r = await this.call('publicGetV5MarketOrderbook', { category: this.category, symbol: inst.symbol, limit: 1 });
      } catch (e) {
        const rc = bybitRetCode(e);
        if (rc?.code === RATE_LIMITED) this.limits.penalize('orderbook');
        if (e instanceof ccxt.BadSymbol || (rc?.code === 10001 && /symbol/i.test(rc.msg))) throw new HftError('HFT_ERR_CONFIG', `${where}: the venue does not list ${inst.symbol}: ${this.reasonOf(e)}`, { instrument: inst.id }, { cause: e });
        throw new HftError('HFT_ERR_NOT_FOUND', `${where}: no top of book: ${this.reasonOf(e)}`, { instrument: inst.id }, { cause: e });
      }
      const book = r.result;
      if (book?.s !== inst.symbol) throw new HftError('HFT_ERR_CONFIG', `${where}: the answer is for symbol ${JSON.stringify(book?.s)}, not ${inst.symbol} (the venue does not list it?)`, { instrument: inst.id });
      if (!Array.isArray(book.b) || !Array.isArray(book.a)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: expected result.b and result.a arrays, got ${JSON.stringify(book).slice(0, 200)}`, { instrument: inst.id });
      out.push(venueTop(where, inst, book.b[0], book.a[0]));
    }
    return out;
  }

  /** Unified account wallet balances (`walletBalance` per coin, Bybit's exact strings), zero coins left out. */
  async fetchBalances(): Promise<Record<string, string>> {
    await this.limits.acquire('balance');
    const r = await this.call<{ list: { coin?: Record<string, unknown>[] }[] }>('privateGetV5AccountWalletBalance', { accountType: 'UNIFIED' });
    const where = 'bybit GET /v5/account/wallet-balance';
    const acct = r.result.list?.[0];
    if (!acct || !Array.isArray(acct.coin)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: expected result.list[0].coin to be an array, got ${JSON.stringify(r.result).slice(0, 200)}`, { endpoint: where });
    const out: Record<string, string> = {};
    for (const [i, c] of acct.coin.entries()) {
      if (typeof c.coin !== 'string' || typeof c.walletBalance !== 'string' || !DECIMAL.test(c.walletBalance)) {
        throw new HftError('HFT_ERR_BAD_INPUT', `${where}: coin[${i}]: 'coin' and a decimal 'walletBalance' expected, got ${JSON.stringify(c).slice(0, 200)}`, { endpoint: where, row: i });
      }
      if (!ZERO.test(c.walletBalance)) out[c.coin] = c.walletBalance;
    }
    return out;
  }

  /**
   * Spot: `null` (no positions; what the account holds is in the balances), as BinanceExecution spot.
   * Linear: `GET /v5/position/list?category=linear&settleCoin=<each settle coin>`, non-zero rows, the
   * quantity signed by `side` (Sell = short) in the base coin, `positionIdx` 0 = one-way ('BOTH'),
   * 1 / 2 = hedge-mode 'LONG' / 'SHORT' (https://bybit-exchange.github.io/docs/v5/position). A malformed
   * row is bad input naming the endpoint, row and field: nothing is assumed flat.
   */
  async fetchPositions(): Promise<VenuePosition[] | null> {
    if (this.category === 'spot') return null;
    const out: VenuePosition[] = [];
    for (const settleCoin of new Set(this.o.instruments.map((i) => i.settle))) {
      let cursor: string | undefined;
      do {
        await this.limits.acquire('positions');
        const r = await this.call<{ list: Record<string, unknown>[]; nextPageCursor?: string }>('privateGetV5PositionList', { category: 'linear', settleCoin, limit: 200, ...(cursor ? { cursor } : {}) });
        const where = `bybit GET /v5/position/list?category=linear&settleCoin=${settleCoin}`;
        if (!Array.isArray(r.result.list)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: expected result.list to be an array`, { endpoint: where });
        for (const [i, row] of r.result.list.entries()) {
          for (const f of ['symbol', 'side', 'size', 'avgPrice'] as const) {
            if (typeof row[f] !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: row ${i}: field '${f}' missing or not a string (${JSON.stringify(row[f])})`, { endpoint: where, row: i, field: f });
          }
          const size = row.size as string;
          if (!DECIMAL.test(size)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: row ${i} (${String(row.symbol)}): size '${size}' is not a decimal`, { endpoint: where, row: i, field: 'size' });
          if (ZERO.test(size)) continue;
          const side = row.side as string;
          if (side !== 'Buy' && side !== 'Sell') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: row ${i} (${String(row.symbol)}): side '${side}' with a non-zero size`, { endpoint: where, row: i, field: 'side' });
          const idx = Number(row.positionIdx ?? 0);
          out.push({ instrument: `bybit-linear:${String(row.symbol)}`, quantity: side === 'Sell' ? `-${size}` : size, positionSide: idx === 1 ? 'LONG' : idx === 2 ? 'SHORT' : 'BOTH', entryPrice: row.avgPrice as string });
        }
        cursor = (r.result.nextPageCursor as string | undefined) || undefined;
      } while (cursor);
    }
    return out;
  }

  /** Definitive = the venue answered with a retCode that is not one of the "unknown outcome" ones. */
  private isDefinitive(e: unknown): boolean {
    if (!(e instanceof ccxt.BaseError)) return true; // not a venue or network answer: our own bug, never resent
    const rc = bybitRetCode(e);
    return rc !== undefined && !BYBIT_AMBIGUOUS_CODES.has(rc.code);
  }

  private penalizeIfLimited(e: unknown, endpoint: BybitEndpoint): void {
    if (bybitRetCode(e)?.code === RATE_LIMITED) this.limits.penalize(endpoint);
  }

  /** `<ccxt class>: <retCode> <retMsg>` from Bybit's envelope, else the error text. */
  protected reasonOf(e: unknown): string {
    const rc = bybitRetCode(e);
    return `${(e as Error).constructor.name}: ${rc ? `${rc.code} ${rc.msg}` : (e as Error).message.slice(0, 200)}`;
  }

  // ------------------------------------------------------------------------- order / execution topics

  private onPush(msg: Record<string, unknown>): void {
    this.stats.userStreamMessages++;
    if (msg.op !== undefined) {
      if (msg.success === false) this.o.log?.(`bybit private socket: ${String(msg.op)} failed: ${String(msg.ret_msg)}`);
      return;
    }
    const topic = typeof msg.topic === 'string' ? msg.topic : '';
    if (!Array.isArray(msg.data)) return;
    if (topic === 'order' || topic.startsWith('order.')) {
      for (const d of msg.data as BybitOrderData[]) this.onOrder(d, Number(d.updatedTime ?? 0) * 1000 || this.o.clockUs());
    } else if (topic === 'execution' || topic.startsWith('execution.')) {
      for (const d of msg.data as BybitExecutionData[]) if (d.execType === undefined || d.execType === 'Trade') this.onExecution(d, d.orderLinkId);
    }
  }

  private onOrder(d: BybitOrderData, tsVenue: number): void {
    const id = d.orderLinkId;
    const p = this.orders.get(id);
    // Not ours (another client on the account), or ours closed and forgotten (retainClosedOrders).
    if (!p) { this.stats.unknownOrderMessages++; return; }
    const inst = this.bySymbol.get(d.symbol);
    if (!inst) return;
    if (d.orderStatus === 'Rejected') {
      this.stats.rejects++;
      this.closeAfterFills(p, id, { kind: 'rejected', clientOrderId: id, reason: `venue: ${d.rejectReason ?? 'Rejected'}` }, tsVenue, d, inst);
      return;
    }
    this.ack(id, d.orderId, tsVenue);
    if (d.orderStatus === 'Filled') { if (p.filledLots >= p.order.sizeLots) this.markClosed(id); return; }
    if (d.orderStatus === 'Cancelled' || d.orderStatus === 'PartiallyFilledCanceled' || d.orderStatus === 'Deactivated') {
      this.stats.cancels++;
      const postOnly = d.rejectReason === 'EC_PostOnlyWillTakeLiquidity';
      const remainder = (d.orderType === 'Market' || d.timeInForce === 'IOC' || d.timeInForce === 'FOK') && d.cancelType !== 'CancelByUser';
      const report: VenueReport = postOnly ? { kind: 'canceled', clientOrderId: id, reason: 'venue: post-only order would take (EC_PostOnlyWillTakeLiquidity)' }
        : remainder ? { kind: 'expired', clientOrderId: id } : { kind: 'canceled', clientOrderId: id, reason: d.cancelType && d.cancelType !== 'CancelByUser' ? `venue: ${d.cancelType}` : 'venue' };
      this.closeAfterFills(p, id, report, tsVenue, d, inst);
    }
  }

  /** Closes now, or once the executions the order reports (`cumExecQty`) have all been reported. */
  private closeAfterFills(p: Pending, id: string, report: VenueReport, tsVenue: number, d: BybitOrderData, inst: Instrument): void {
    const cumLots = d.cumExecQty && d.cumExecQty !== '' ? inst.lot.toUnits(d.cumExecQty) : 0;
    if (cumLots > p.filledLots) { p.deferred = { report, tsVenue, closeAtLots: cumLots }; return; }
    this.close(id, report, tsVenue);
  }

  private onExecution(d: BybitExecutionData, id: string): void {
    const p = this.orders.get(id);
    // Not ours (another client on the account), or ours closed and forgotten (retainClosedOrders).
    if (!p) { this.stats.unknownOrderMessages++; return; }
    const inst = this.bySymbol.get(d.symbol);
    if (!inst) return;
    if (!this.firstFill(p, d.execId)) { this.stats.duplicateFillsDropped++; return; }
    const tsVenue = Number(d.execTime) * 1000;
    this.ack(id, d.orderId, tsVenue);
    this.stats.fills++;
    const sizeLots = inst.lot.toUnits(d.execQty);
    p.filledLots += sizeLots;
    // Bybit's execFee is positive when paid, negative for a rebate: our sign already.
    const fee = d.execFee !== undefined && d.execFee !== '' ? d.execFee : undefined;
    const feeCurrency = d.feeCurrency && d.feeCurrency !== '' ? d.feeCurrency : inst.settle;
    this.push({
      kind: 'fill', clientOrderId: id, venueTradeId: d.execId, priceTicks: inst.tick.toUnits(d.execPrice), sizeLots,
      liquidity: d.isMaker ? 'maker' : 'taker', ...(fee !== undefined ? { fee, feeCurrency } : {}),
    }, tsVenue);
    if (p.deferred && p.filledLots >= p.deferred.closeAtLots) { const x = p.deferred; p.deferred = undefined; this.close(id, x.report, x.tsVenue); }
    else if (p.filledLots >= p.order.sizeLots) this.markClosed(id);
  }
}
