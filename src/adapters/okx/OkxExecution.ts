/**
 * The live ExecutionVenue for OKX spot: orders through ccxt `okx` (v5 REST, signed, `POST
 * /api/v5/trade/order` with `tdMode` cash) under our client order id as `clOrdId` (the idempotency key:
 * OKX refuses a second order with a pending order's clOrdId, 51016), venue reports from the private
 * WebSocket's `orders` channel (`/ws/v5/private`, `login` then subscribe). Answers are queued as
 * TimedVenueReports stamped with the local clock at receipt; the kernel takes them with `advance(now)`.
 *
 * Ambiguity rules (as BinanceExecution):
 * - Only a definitive venue answer (an OKX error code other than "unavailable" / "too many requests")
 *   becomes a rejection.
 * - A timeout, a dropped connection, a 5xx (50001, 50013) or a 429 (50011) leaves the order in
 *   flight. It is resolved by querying the order by clOrdId: found = it exists (accepted, or whatever
 *   state it reached), not found (51603) = it never arrived, so the POST is sent again with the SAME
 *   clOrdId. A resend that meets the first one is answered 51016 "Duplicated clOrdId", never a
 *   second order.
 * - Fills are deduplicated by OKX trade id, per order, before the OMS (which deduplicates again); a query that
 *   shows more filled than the pushes did fetches the order's fills (`GET /api/v5/trade/fills`).
 * - A cancel for an order whose placement is still unanswered waits for that answer.
 * - After the private socket reconnects, every order not closed is queried (missed pushes).
 * - Amendments (`modify`, amend-order by clOrdId) answer on the `orders` channel (`amendResult`); an
 *   amendment of an order whose placement is unanswered waits for that answer, like a cancel.
 *
 * Orders channel states (https://www.okx.com/docs-v5/en/#order-book-trading-trade-ws-order-channel):
 * live -> accepted; partially_filled / filled with `tradeId` -> fill; canceled -> canceled, or
 * expired for the IOC / FOK / market remainders the venue cancels (`cancelSource` 14).
 */
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { HftError } from '../../core/errors.ts';
import type { WarmTop } from '../../engine/live/HotPathWarmer.ts';
import type { ExecutionVenue } from '../../engine/ports.ts';
import type { OrderIntentData } from '../../model/events.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import type { OkxClient } from './okxCcxt.ts';
import { OkxRateLimits, SlidingWindow } from './OkxRateLimits.ts';
import { venueTop } from '../venueTop.ts';
import { PrivateSocket } from '../PrivateSocket.ts';
import { TrackedOrdersVenue, type ExecutionAdapterOptions, type TrackedOrder } from '../TrackedOrdersVenue.ts';

/** OKX production private WebSocket. */
export const OKX_PRIVATE_WS = 'wss://ws.okx.com:8443/ws/v5/private';

export interface OkxExecutionOptions extends ExecutionAdapterOptions {
  readonly client: OkxClient;
  /** Full private WebSocket URL (OKX_PRIVATE_WS, or the emulator's ws://127.0.0.1:PORT/ws/v5/private). */
  readonly wsPrivateUrl: string;
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
  /** Text `ping` on the private socket this often (OKX drops a socket silent for 30 s; default 20 s). */
  readonly pingEveryMs?: number;
}

interface Pending extends TrackedOrder {
  /** Lots the reported fills add up to. */
  filledLots: number;
  /** Amendments sent for this order: the `reqId` of the one in flight is `am<n>`. */
  amendSeq?: number;
}

/**
 * Amend order: 60 requests / 2 s per instrument (https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-amend-order),
 * a window of its own (200 ms longer than the venue's, as OkxRateLimits keeps them).
 */
const AMEND_LIMIT = { limit: 60, windowMs: 2000 + 200 };

/** One order as OKX sends it (orders channel push, or a REST order). */
interface OkxOrderData { instId: string; ordId: string; clOrdId: string; state: string; ordType: string; px?: string; sz?: string; amendResult?: string; reqId?: string; code?: string; msg?: string; tradeId?: string; fillPx?: string; fillSz?: string; fillFee?: string; fillFeeCcy?: string; execType?: string; accFillSz?: string; cancelSource?: string; uTime?: string; fillTime?: string }

const ccxtSymbol = (i: Instrument): string => `${i.base}/${i.quote}`;

export class OkxExecution extends TrackedOrdersVenue<Pending> implements ExecutionVenue {
  /** `unknownOrderMessages`: order pushes (and catch-up fills) for an order not tracked (another client's, or one of ours closed and forgotten). */
  readonly stats = { throttled: 0, places: 0, resends: 0, ambiguous: 0, rejects: 0, duplicateFillsDropped: 0, fills: 0, cancels: 0, modifies: 0, userStreamMessages: 0, reconnects: 0, unknownOrderMessages: 0 };
  private readonly amendWindows = new Map<string, SlidingWindow>();
  private readonly limits: OkxRateLimits;
  private readonly byInstId = new Map<string, Instrument>();
  private readonly byId = new Map<string, Instrument>();
  private socket: PrivateSocket | undefined;
  private stopped = false;

  constructor(private readonly o: OkxExecutionOptions) {
    super(o);
    this.limits = new OkxRateLimits(() => o.clockUs() / 1000);
    for (const i of o.instruments) {
      if (i.venue !== 'okx' || i.kind !== 'spot') throw new Error(`okx execution: ${i.id} is not an OKX spot instrument (order entry is spot only)`);
      this.byInstId.set(i.symbol, i); this.byId.set(i.id, i);
    }
  }

  /** Loads markets, opens the private socket, logs in and subscribes to `orders`; resolves when subscribed. */
  async start(): Promise<void> {
    await this.o.client.loadMarkets();
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
  }

  private async connect(): Promise<void> {
    const socket = await PrivateSocket.open({
      url: this.o.wsPrivateUrl, label: 'okx private socket', log: this.o.log,
      parse: (text) => (text === 'pong' ? undefined : JSON.parse(text) as Record<string, unknown>),
      handshake: async (send, next) => {
        const ts = String(Math.floor(Date.now() / 1000));
        const sign = createHmac('sha256', this.o.secret).update(`${ts}GET/users/self/verify`).digest('base64');
        send(JSON.stringify({ op: 'login', args: [{ apiKey: this.o.apiKey, passphrase: this.o.passphrase, timestamp: ts, sign }] }));
        const login = await next();
        if (login.event !== 'login' || login.code !== '0') throw new Error(`okx private login refused: ${String(login.code)} ${String(login.msg)}`);
        send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] }));
        const sub = await next();
        if (sub.event !== 'subscribe') throw new Error(`okx orders subscription refused: ${String(sub.code)} ${String(sub.msg)}`);
      },
      onPush: (m) => this.onPush(m),
      onClose: () => { if (!this.stopped) void this.reconnect(); },
      pingText: 'ping', pingEveryMs: this.o.pingEveryMs ?? 20_000,
    });
    this.socket?.close();
    this.socket = socket;
    if (this.stopped) socket.close();
  }

  /** The private socket dropped: log in again, then query every order not closed (pushes may be lost). */
  private async reconnect(): Promise<void> {
    this.stats.reconnects++;
    await this.reconnectAndQuery('okx private socket', () => this.connect(), (id) => this.query(id), () => this.stopped);
  }

  // ---------------------------------------------------------------------- ExecutionVenue (kernel side)

  onMarketRow(_batch: MarketBatch, _row: number, _instrument: string): void { /* the real venue has its own book */ }
  advanceTo(_venueTimeUs: number): void { /* the real venue runs on its own clock */ }

  submit(order: OrderIntentData, _localTimeUs: number): void {
    const p: Pending = { order, acked: false, closed: false, venueOrderId: '', cancelHeld: false, filledLots: 0 };
    this.orders.set(order.clientOrderId, p);
    void this.place(order.clientOrderId, p, false);
  }

  /** Amends price and total size in place under the same clOrdId (`POST /api/v5/trade/amend-order`, see `sendModify`). */
  modify(clientOrderId: string, priceTicks: number, sizeLots: number, _localTimeUs: number): void {
    const p = this.orders.get(clientOrderId);
    if (p && p.order.type !== 'limit') {
      this.push({ kind: 'update-rejected', clientOrderId, reason: `okx: only limit orders are amended here, this one is ${p.order.type}` }, this.o.clockUs());
      return;
    }
    this.startAmend(clientOrderId, priceTicks, sizeLots);
  }

  /**
   * `POST /api/v5/trade/amend-order` by clOrdId with `newSz` (the new total size, filled part
   * included) and `newPx` as exact decimals, `cxlOnFail` false (a failed amendment leaves the order
   * as it was) and `reqId` am<n>. sCode 0 only says the request was taken: the outcome is the
   * `orders` channel push carrying our reqId, `amendResult` 0 (`updated` with its px / sz) or -1
   * (`update-rejected` with its code and msg). A refusal in the answer (51503 no such order, 51509
   * canceled, 51510 completed, 51511 post-only would take, ...) is `update-rejected`; no answer
   * (timeout, 5xx, 50011) is resolved by querying the order.
   */
  protected override async sendModify(id: string): Promise<void> {
    const p = this.orders.get(id)!;
    const a = p.amend;
    if (!a) return;
    const inst = this.instOf(p.order);
    let w = this.amendWindows.get(inst.symbol);
    if (!w) { w = new SlidingWindow(AMEND_LIMIT.limit, AMEND_LIMIT.windowMs, () => this.o.clockUs() / 1000); this.amendWindows.set(inst.symbol, w); }
    for (let wait = w.waitMs(1); wait > 0; wait = w.waitMs(1)) await new Promise((r) => setTimeout(r, wait));
    w.take(1);
    if (this.stopped || p.closed || p.amend !== a) return;
    p.amendSeq = (p.amendSeq ?? 0) + 1;
    const params = { instId: inst.symbol, clOrdId: id, reqId: `am${p.amendSeq}`, newSz: inst.lot.toDecimal(a.sizeLots), newPx: inst.tick.toDecimal(a.priceTicks), cxlOnFail: false };
    const client = this.o.client as unknown as Record<string, (params: object) => Promise<{ data?: { ts?: string }[] }>>;
    this.stats.modifies++;
    const requestUs = this.o.clockUs();
    try {
      const r = await client.privatePostTradeAmendOrder!(params);
      const responseUs = this.o.clockUs();
      this.o.onLatency?.({ action: 'modify', clientOrderId: id, requestUs, venueUs: Number(r.data?.[0]?.ts ?? 0) * 1000, responseUs, outcome: 'ok' });
    } catch (e) {
      const responseUs = this.o.clockUs();
      if (this.isDefinitive(e)) {
        const reason = `okx: ${this.reasonOf(e)}`;
        this.o.onLatency?.({ action: 'modify', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `rejected:${reason}` });
        this.amendRefused(id, reason, responseUs);
        return;
      }
      this.stats.ambiguous++;
      if (e instanceof ccxt.DDoSProtection) w.fill();
      this.o.onLatency?.({ action: 'modify', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      this.o.log?.(`amend ${id}: ${this.reasonOf(e)}; in flight until the venue says (query by clOrdId)`);
      await this.resolveAmend(id, p, a);
    }
  }

  /**
   * An amendment whose request went unanswered: the order is queried (GET /api/v5/trade/order, applied
   * like a push). Closed: reported as such; at the requested px and sz: `updated`; else sent again.
   */
  private async resolveAmend(id: string, p: Pending, a: NonNullable<Pending['amend']>): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 200) * Math.min(8, 2 ** attempt)));
      if (p.amend !== a || p.closed) return; // the orders channel answered meanwhile
      const found = await this.query(id);
      if (p.amend !== a || p.closed) return; // the query settled it
      if (found === 'not-found') { this.amendRefused(id, 'okx: order not found when resolving the amendment', this.o.clockUs()); return; }
      if (found === 'found') { a.resent = true; await this.sendModify(id); return; }
    }
  }

  // ------------------------------------------------------------------------------------- requests

  private instOf(o: OrderIntentData): Instrument {
    const inst = this.byId.get(o.instrument);
    if (!inst) throw new Error(`okx execution: instrument ${o.instrument} not configured`);
    return inst;
  }

  /** `p` is passed, not looked up: a resend comes after awaits, when a closed order may have been forgotten. */
  private async place(id: string, p: Pending, resend: boolean): Promise<void> {
    const inst = this.instOf(p.order);
    const o = p.order;
    const params: Record<string, unknown> = { clOrdId: id };
    if (o.timeInForce === 'POST_ONLY') params.postOnly = true;
    else if (o.type === 'limit' && o.timeInForce !== 'GTC') params.timeInForce = o.timeInForce;
    if (o.type === 'market') params.tgtCcy = 'base_ccy'; // size in the base currency on both sides
    const throttled = !this.limits.tryAcquire('placeOrder', inst.symbol);
    if (throttled) { this.stats.throttled++; await this.limits.acquire('placeOrder', inst.symbol); }
    if (this.stopped) return;
    if (resend) this.stats.resends++; else this.stats.places++;
    const requestUs = this.o.clockUs();
    this.o.onOrderOut?.(id, throttled);
    try {
      const r = await this.o.client.createOrder(ccxtSymbol(inst), o.type, o.side, Number(inst.lot.toDecimal(o.sizeLots)), o.type === 'limit' ? Number(inst.tick.toDecimal(o.priceTicks)) : undefined, params);
      const responseUs = this.o.clockUs();
      const venueUs = Number((r.info as { ts?: string }).ts ?? 0) * 1000;
      this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs, responseUs, outcome: 'ok' });
      this.ack(id, String(r.id), venueUs || responseUs);
    } catch (e) {
      const responseUs = this.o.clockUs();
      // 51016 "Duplicated clOrdId": the first placement arrived; the query tells its state.
      if (this.isDefinitive(e) && !/"sCode":"51016"/.test((e as Error).message)) {
        this.stats.rejects++;
        const reason = this.reasonOf(e);
        this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `rejected:${reason}` });
        this.close(id, { kind: 'rejected', clientOrderId: id, reason }, responseUs);
        return;
      }
      this.stats.ambiguous++;
      if (e instanceof ccxt.DDoSProtection) this.limits.penalize('placeOrder', inst.symbol);
      this.o.onLatency?.({ action: 'place', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      this.o.log?.(`order ${id}: ${this.reasonOf(e)}; in flight until the venue says (query by clOrdId)`);
      await this.resolve(id, p);
    }
  }

  /** Queries an order whose placement went unanswered; resends the POST only if the venue never saw it. */
  private async resolve(id: string, p: Pending): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 200) * Math.min(8, 2 ** attempt)));
      if (p.acked || p.closed) return; // the orders channel answered meanwhile
      const found = await this.query(id);
      if (found === 'not-found') { await this.place(id, p, true); return; } // never arrived: same clOrdId again
      if (found === 'found') return;
    }
  }

  /** GET /api/v5/trade/order by clOrdId, applied like a push; fills the pushes missed are fetched. */
  private async query(id: string): Promise<'found' | 'not-found' | 'unknown'> {
    const p = this.orders.get(id)!;
    const inst = this.instOf(p.order);
    await this.limits.acquire('getOrder', inst.symbol);
    const requestUs = this.o.clockUs();
    try {
      const r = await this.o.client.fetchOrder(undefined as unknown as string, ccxtSymbol(inst), { clOrdId: id });
      const responseUs = this.o.clockUs();
      this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: 'ok' });
      const d = r.info as OkxOrderData;
      const accLots = inst.lot.toUnits(d.accFillSz && d.accFillSz !== '' ? d.accFillSz : '0');
      this.ack(id, d.ordId, Number(d.uTime ?? 0) * 1000 || responseUs);
      if (accLots > p.filledLots) await this.catchUpFills(id, inst, d.ordId);
      // The query's state, without its fill fields (those came as fills above) nor a push's amendment result.
      this.onOrder({ ...d, tradeId: '', fillSz: '0', amendResult: '', reqId: '' }, responseUs);
      // An amendment in flight that the order already shows: applied (its push was missed).
      const a = p.amend;
      if (a && !a.held && !p.closed && (d.state === 'live' || d.state === 'partially_filled') && d.px && d.sz && inst.tick.toUnits(d.px) === a.priceTicks && inst.lot.toUnits(d.sz) === a.sizeLots) {
        this.amended(id, a.priceTicks, a.sizeLots, responseUs);
      }
      return 'found';
    } catch (e) {
      const responseUs = this.o.clockUs();
      if (e instanceof ccxt.OrderNotFound) {
        this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: 'rejected:not-found' });
        return 'not-found';
      }
      this.o.onLatency?.({ action: 'query', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
      if (e instanceof ccxt.DDoSProtection) this.limits.penalize('getOrder', inst.symbol);
      return 'unknown';
    }
  }

  /** The order's fills from REST (oldest first), each reported once by trade id. */
  private async catchUpFills(id: string, inst: Instrument, ordId: string): Promise<void> {
    await this.limits.acquire('fills', inst.symbol);
    const trades = await this.o.client.fetchOrderTrades(ordId, ccxtSymbol(inst));
    // Closed and forgotten while the fills were fetched: like a push for an order not tracked, with a log line.
    const p = this.orders.get(id);
    if (!p) { this.stats.unknownOrderMessages++; this.o.log?.(`order ${id}: ${trades.length} fills fetched after the order was forgotten (retainClosedOrders): not reported`); return; }
    for (const t of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
      const f = t.info as { tradeId: string; fillPx: string; fillSz: string; fee: string; feeCcy: string; execType: string; ts: string };
      this.onFill(p, id, inst, { tradeId: f.tradeId, fillPx: f.fillPx, fillSz: f.fillSz, fillFee: f.fee, fillFeeCcy: f.feeCcy, execType: f.execType }, Number(f.ts) * 1000);
    }
  }

  protected async sendCancel(id: string): Promise<void> {
    const p = this.orders.get(id)!;
    const inst = this.instOf(p.order);
    await this.limits.acquire('cancelOrder', inst.symbol);
    if (this.stopped || p.closed) return;
    const requestUs = this.o.clockUs();
    try {
      const r = await this.o.client.cancelOrder(undefined as unknown as string, ccxtSymbol(inst), { clOrdId: id });
      const responseUs = this.o.clockUs();
      // The answer only says the request was taken: the `canceled` state arrives on the orders channel.
      this.o.onLatency?.({ action: 'cancel', clientOrderId: id, requestUs, venueUs: Number((r.info as { ts?: string }).ts ?? 0) * 1000, responseUs, outcome: 'ok' });
    } catch (e) {
      await this.cancelFailed(id, requestUs, e, this.isDefinitive(e));
    }
  }

  /** Kill switch: every pending order of our instruments, canceled in batches of 20 (cancel-batch-orders). */
  async cancelAll(): Promise<number> {
    let n = 0;
    for (const inst of this.o.instruments) {
      const ids = await this.pendingClientIds(inst);
      for (let i = 0; i < ids.length; i += 20) {
        const chunk = ids.slice(i, i + 20);
        await this.limits.acquire('cancelBatch', inst.symbol, chunk.length);
        const requestUs = this.o.clockUs();
        try {
          await this.o.client.cancelOrders([], ccxtSymbol(inst), { clOrdId: chunk });
          n += chunk.length;
          this.o.onLatency?.({ action: 'cancel-all', clientOrderId: '', requestUs, venueUs: 0, responseUs: this.o.clockUs(), outcome: 'ok' });
        } catch (e) {
          // Some were already closed (51400-51402): the others were canceled; their pushes follow.
          if (!(e instanceof ccxt.OrderNotFound)) throw e;
        }
      }
    }
    return n;
  }

  private async pendingClientIds(inst: Instrument): Promise<string[]> {
    await this.limits.acquire('ordersPending', inst.symbol);
    return (await this.o.client.fetchOpenOrders(ccxtSymbol(inst))).map((r) => String(r.clientOrderId ?? (r.info as { clOrdId?: string }).clOrdId ?? ''));
  }

  /** Open orders on the venue (REST), by client id. */
  async fetchOpenClientIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const inst of this.o.instruments) ids.push(...await this.pendingClientIds(inst));
    return ids;
  }

  async fetchBalances(): Promise<Record<string, string>> {
    await this.limits.acquire('balance', '');
    const b = await this.o.client.fetchBalance();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(b.total ?? {})) if (typeof v === 'number' && v !== 0) out[k] = String(v);
    return out;
  }

  /**
   * The venue's best bid and ask of every instrument, in instrument order, in ticks and lots (as
   * BinanceExecution.fetchTops): the book the hot-path warmer primes around before the feed starts
   * (HotPathWarmer.prime). `GET /api/v5/market/books?instId=<instId>&sz=1` (public; a level is
   * [price, size, "0", order count]; https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-order-book)
   * through ccxt and the `books` window (40 / 2 s per IP), like every request of this adapter.
   * An instrument the venue does not list (51001, ccxt BadSymbol) is HFT_ERR_CONFIG; no answer, another
   * venue error or a side missing is HFT_ERR_NOT_FOUND; a malformed level is HFT_ERR_BAD_INPUT (venueTop):
   * each names the instrument, none becomes a default top.
   */
  async fetchTops(): Promise<WarmTop[]> {
    const out: WarmTop[] = [];
    const api = this.o.client as unknown as Record<string, (params: object) => Promise<{ data?: { bids?: unknown[]; asks?: unknown[] }[] }>>;
    for (const inst of this.o.instruments) {
      const where = `okx GET /api/v5/market/books?instId=${inst.symbol}&sz=1 (${inst.id})`;
      await this.limits.acquire('books', '');
      let r: Awaited<ReturnType<NonNullable<typeof api['publicGetMarketBooks']>>>;
      try {
        r = await api.publicGetMarketBooks!({ instId: inst.symbol, sz: '1' });
      } catch (e) {
        if (e instanceof ccxt.DDoSProtection) this.limits.penalize('books', '');
        if (e instanceof ccxt.BadSymbol) throw new HftError('HFT_ERR_CONFIG', `${where}: the venue does not list ${inst.symbol}: ${this.reasonOf(e)}`, { instrument: inst.id }, { cause: e });
        throw new HftError('HFT_ERR_NOT_FOUND', `${where}: no top of book: ${this.reasonOf(e)}`, { instrument: inst.id }, { cause: e });
      }
      const book = Array.isArray(r.data) ? r.data[0] : undefined;
      if (!book || !Array.isArray(book.bids) || !Array.isArray(book.asks)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: expected data[0].bids and data[0].asks, got ${JSON.stringify(r).slice(0, 200)}`, { instrument: inst.id });
      out.push(venueTop(where, inst, book.bids[0], book.asks[0]));
    }
    return out;
  }

  /**
   * Always `null`: this adapter trades OKX spot only (tdMode cash), which has no positions; what the
   * account holds is in the balances. (Swap or margin positions would be `GET /api/v5/account/positions`.)
   */
  async fetchPositions(): Promise<null> { return null; }

  private isDefinitive(e: unknown): boolean {
    return e instanceof ccxt.ExchangeError && !(e instanceof ccxt.NetworkError) && !(e instanceof ccxt.ExchangeNotAvailable);
  }

  /** `<ccxt class>: <sCode> <sMsg>` from OKX's envelope (the item's code, else the top-level one). */
  protected reasonOf(e: unknown): string {
    const text = (e as Error).message;
    const item = /"sCode":"(\d+)","sMsg":"([^"]*)"/.exec(text);
    const top = /"code":"(\d+)","msg":"([^"]*)"/.exec(text);
    const m = item ?? top;
    return `${(e as Error).constructor.name}: ${m ? `${m[1]} ${m[2]}` : text.slice(0, 200)}`;
  }

  // ------------------------------------------------------------------------------ orders channel

  private onPush(msg: Record<string, unknown>): void {
    this.stats.userStreamMessages++;
    if (msg.event !== undefined) {
      if (msg.event === 'error') this.o.log?.(`okx private socket: ${String(msg.code)} ${String(msg.msg)}`);
      return;
    }
    const arg = msg.arg as { channel?: string } | undefined;
    if (arg?.channel !== 'orders' || !Array.isArray(msg.data)) return;
    for (const d of msg.data as OkxOrderData[]) this.onOrder(d, Number(d.uTime ?? 0) * 1000);
  }

  private onOrder(d: OkxOrderData, tsVenue: number): void {
    const id = d.clOrdId;
    const p = this.orders.get(id);
    // Not ours (another client on the account), or ours closed and forgotten (retainClosedOrders).
    if (!p) { this.stats.unknownOrderMessages++; return; }
    const inst = this.byInstId.get(d.instId);
    if (!inst) return;
    this.ack(id, d.ordId, tsVenue);
    // The outcome of our amendment (reqId am<n>): amendResult 0 applied, -1 failed (the order as it was).
    // One amendment per order is in flight (the OMS waits for its answer): a push without a reqId is
    // its outcome too; one carrying an earlier reqId (a request sent again) is not.
    if (p.amend && (d.reqId === `am${p.amendSeq ?? 0}` || d.reqId === '') && d.amendResult !== undefined && d.amendResult !== '') {
      if (d.amendResult === '0' && d.px && d.sz) this.amended(id, inst.tick.toUnits(d.px), inst.lot.toUnits(d.sz), tsVenue);
      else if (d.amendResult === '-1') this.amendRefused(id, `okx: amendment failed: ${d.code ?? ''} ${d.msg ?? ''}`.trim(), tsVenue);
    }
    if (d.tradeId && d.fillSz && d.fillSz !== '0') this.onFill(p, id, inst, d, Number(d.fillTime ?? 0) * 1000 || tsVenue);
    if (d.state === 'filled') {
      this.amendRefused(id, 'okx: order filled before the amendment', tsVenue);
      if (p.filledLots >= p.order.sizeLots) this.markClosed(id);
    }
    else if (d.state === 'canceled' || d.state === 'mmp_canceled') {
      this.stats.cancels++;
      // IOC / FOK / market remainders: the venue cancels what could not fill (cancelSource 14).
      const remainder = d.ordType === 'ioc' || d.ordType === 'fok' || d.ordType === 'market' || d.ordType === 'optimal_limit_ioc';
      this.close(id, remainder && d.cancelSource !== '1' ? { kind: 'expired', clientOrderId: id } : { kind: 'canceled', clientOrderId: id, reason: d.cancelSource === '31' ? 'venue: post-only order would take (cancelSource 31)' : 'venue' }, tsVenue);
    }
  }

  private onFill(p: Pending, id: string, inst: Instrument, d: Pick<OkxOrderData, 'tradeId' | 'fillPx' | 'fillSz' | 'fillFee' | 'fillFeeCcy' | 'execType'>, tsVenue: number): void {
    // Trade ids are unique per instrument on OKX, and an order trades one instrument.
    if (!this.firstFill(p, d.tradeId!)) { this.stats.duplicateFillsDropped++; return; }
    this.stats.fills++;
    const sizeLots = inst.lot.toUnits(d.fillSz!);
    p.filledLots += sizeLots;
    // OKX reports a charged fee negative; ours is positive when paid.
    const fee = d.fillFee !== undefined && d.fillFee !== '' ? (d.fillFee.startsWith('-') ? d.fillFee.slice(1) : d.fillFee === '0' ? '0' : `-${d.fillFee}`) : undefined;
    this.push({
      kind: 'fill', clientOrderId: id, venueTradeId: d.tradeId!, priceTicks: inst.tick.toUnits(d.fillPx!), sizeLots,
      liquidity: d.execType === 'M' ? 'maker' : 'taker', ...(fee !== undefined && d.fillFeeCcy ? { fee, feeCurrency: d.fillFeeCcy } : {}),
    }, tsVenue);
    if (p.filledLots >= p.order.sizeLots) {
      this.amendRefused(id, 'okx: order filled before the amendment', tsVenue);
      this.markClosed(id);
    }
  }
}
