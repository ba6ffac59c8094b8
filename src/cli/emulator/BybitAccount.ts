/**
 * The trading half of the Bybit emulator: one Unified Trading Account on the Bybit v5 REST and private
 * WebSocket APIs, spot (coin balances) and linear (one-way positions, USDT wallet), its orders matched by
 * the simulated venue against the replayed capture (emulatorShared).
 *
 * REST (https://bybit-exchange.github.io/docs/v5/order/create-order and neighbours): POST
 * /v5/order/create, /v5/order/cancel, /v5/order/cancel-all; GET /v5/order/realtime (open orders, or the
 * recently closed ones with `openOnly=1`), /v5/order/history, /v5/execution/list, /v5/account/wallet-balance,
 * /v5/position/list. Private requests are authenticated like Bybit (bybitSignature.ts). Answers use
 * Bybit's envelope `{retCode, retMsg, result, retExtInfo, time}`, HTTP 200 also for refusals: 110072
 * "OrderLinkedID is duplicate", 170131 "Insufficient balance.", 110001 "Order does not exist.", 10001
 * params errors, 10006 "Too many visits!".
 *
 * Private WebSocket `/v5/private`: `auth` (bybitSignature.ts), then `order` / `execution` (or their
 * `.spot` / `.linear` forms) push every state change and every fill; executions are pushed before the
 * order's new state. Fill states: New, PartiallyFilled, Filled, Cancelled (CancelByUser; IOC / FOK /
 * market remainders with cancelType UNKNOWN, PartiallyFilledCanceled once partly filled; a post-only
 * order that would take: Cancelled with rejectReason EC_PostOnlyWillTakeLiquidity, as Bybit does).
 *
 * The create limit is enforced per category (BYBIT_LIMITS: 20/s spot, 10/s linear, rolling second):
 * one more is answered 10006 without being processed.
 *
 * Deliberate limits: no margin check on linear (only spot balances are checked); fees are charged in
 * the quote / settle coin (Bybit charges a spot buy's fee in the base coin); no amend, no conditional
 * orders, no hedge mode (positionIdx 0 only).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Decimal } from 'decimal.js';
import type { WebSocket } from 'ws';
import { BybitBookSync } from '../../adapters/bybit/BybitBookSync.ts';
import { BYBIT_LIMITS, BYBIT_WINDOW_MS, type BybitCategory } from '../../adapters/bybit/BybitRateLimits.ts';
import { bybitTrades } from '../../adapters/bybit/bybitTrade.ts';
import { SlidingWindow } from '../../adapters/okx/OkxRateLimits.ts';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import type { InstrumentLookup } from '../../feeds/normalizer.ts';
import { instrument as makeInstrument, type Instrument, type InstrumentSpec } from '../../model/instrument.ts';
import type { MarketEvent } from '../../model/market.ts';
import type { VenueResponse } from '../../sim/VenueResponse.ts';
import type { BybitCaptureMessage } from './bybitCapture.ts';
import { verifyBybitRest, verifyBybitWsAuth, type BybitCredentials } from './bybitSignature.ts';
import { EmulatorMatching, nowUs, UserSocketFanout } from './emulatorShared.ts';

export interface BybitTradingFaults {
  /** Private endpoints answer this much later. */
  ackDelayMs: number;
  /** Next N creates are processed, then the connection is destroyed without an answer. */
  loseAcks: number;
  /** Next N private requests answer 10006 "Too many visits!" without being processed. */
  rateLimit10006: number;
  /** Next N private requests answer 10016 "System error" without being processed. */
  server10016: number;
  /** Next N private requests are processed, then answered HTTP 502 (no retCode). */
  server5xx: number;
  /** Every execution push is sent twice. */
  duplicateExecutions: boolean;
  /** A fill's order push (its new state) is sent before its execution push (Bybit does not promise their order). */
  orderBeforeExecution: boolean;
  /**
   * /v5/order/realtime?openOnly=1 lists no closed order, as after a Bybit server release or restart
   * (the docs: such orders "should only be queried through order history").
   */
  closedOnlyInHistory: boolean;
  /** Next N cancel-all requests are processed, then answered HTTP 502. */
  cancelAll5xx: number;
}

export interface BybitAccountOptions extends BybitCredentials {
  /** Instruments that trade: bybit-spot or bybit-linear specs of symbols the capture replays. */
  readonly instruments: readonly InstrumentSpec[];
  /** Starting wallet, e.g. { USDT: '100000', ETH: '10' }. */
  readonly balances?: Readonly<Record<string, string>>;
  /** The replayed book's best ask of a symbol (spot market buys sized in the quote coin). */
  readonly bestAsk: (symbol: string) => string | undefined;
}

type Status = 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'PartiallyFilledCanceled';
const OPEN: ReadonlySet<Status> = new Set(['New', 'PartiallyFilled']);

interface Order {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly category: BybitCategory;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly orderType: 'Limit' | 'Market';
  readonly price: string;
  readonly qty: string;
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  readonly createdTime: number;
  cumExecQty: Decimal;
  cumExecValue: Decimal;
  cumExecFee: Decimal;
  status: Status;
  cancelType: string;
  rejectReason: string;
  updatedTime: number;
}

interface Execution { readonly execId: string; readonly order: Order; readonly execPrice: string; readonly execQty: string; readonly execFee: string; readonly feeCurrency: string; readonly feeRate: string; readonly isMaker: boolean; readonly execTime: number; readonly leavesQty: string; readonly seq: number }

interface Position { size: Decimal; cost: Decimal; realised: Decimal; updatedTime: number }

/** A definitive Bybit answer other than success: HTTP status, retCode, retMsg. */
export class BybitApiError extends Error {
  constructor(readonly status: number, readonly retCode: number, msg: string) { super(msg); }
}

const params = (m: string): BybitApiError => new BybitApiError(200, 10001, m);
const LINK_ID = /^[A-Za-z0-9_-]{1,36}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

interface Traded { readonly inst: Instrument; readonly spec: InstrumentSpec; readonly category: BybitCategory; readonly matching: EmulatorMatching; readonly sync: BybitBookSync; readonly lookup: InstrumentLookup }

export class BybitAccount {
  readonly faults: BybitTradingFaults = { ackDelayMs: 0, loseAcks: 0, rateLimit10006: 0, server10016: 0, server5xx: 0, duplicateExecutions: false, orderBeforeExecution: false, closedOnlyInHistory: false, cancelAll5xx: 0 };
  readonly stats = { createPosts: 0, ordersCreated: 0, duplicateRejects: 0, signatureFailures: 0, authFailures: 0, auths: 0, executionsSent: 0, ordersPushed: 0, rateLimited: 0, historyQueries: 0 };
  private readonly createWindows = new Map<BybitCategory, SlidingWindow>();
  /** By `category|symbol`. */
  private readonly traded = new Map<string, Traded>();
  /** By `category|orderLinkId` (or `category|#orderId` without one): the id the simulated venue knows. */
  private readonly orders = new Map<string, Order>();
  private readonly byOrderId = new Map<string, Order>();
  private readonly executions: Execution[] = [];
  private readonly wallet = new Map<string, Decimal>();
  private readonly positions = new Map<string, Position>();
  /** Sockets by subscribed topic (`order`, `order.spot`, `execution`, ...). */
  private readonly users = new UserSocketFanout<string>();
  private readonly privateSockets = new Set<WebSocket>();
  /** Executions held back by the orderBeforeExecution fault, sent after the order pushes of the same step. */
  private readonly heldExecutions: Execution[] = [];
  private seq = 0;

  constructor(private readonly o: BybitAccountOptions) {
    for (const spec of o.instruments) {
      const category: BybitCategory | undefined = spec.venue === 'bybit-spot' && spec.kind === 'spot' ? 'spot' : spec.venue === 'bybit-linear' && spec.kind === 'linear_perp' ? 'linear' : undefined;
      if (!category) throw new Error(`bybit emulator: ${spec.id} is neither a bybit-spot spot nor a bybit-linear linear_perp instrument`);
      const inst = makeInstrument(spec);
      const lookup = instrumentLookup(spec.venue as 'bybit-spot', [spec]);
      const key = `${category}|${spec.symbol}`;
      this.traded.set(key, { inst, spec, category, lookup, sync: new BybitBookSync(lookup), matching: new EmulatorMatching(inst, (r) => this.apply(key, r), 'y') });
    }
    for (const [a, v] of Object.entries(o.balances ?? { USDT: '100000', ETH: '10' })) this.wallet.set(a, new Decimal(v));
  }

  /** Drops every private WebSocket (a venue-side disconnect: pushes meanwhile reach nobody). */
  disconnectPrivate(): void { for (const ws of this.privateSockets) ws.terminate(); }

  /** orderLinkIds of the orders open on the venue. */
  openOrderIds(): string[] { return [...this.orders.values()].filter((x) => OPEN.has(x.status)).map((x) => x.orderLinkId); }

  /** How many orders carry this orderLinkId (at most one: a second create is refused with 110072). */
  ordersWithLinkId(id: string): number { return [...this.orders.values()].filter((x) => x.orderLinkId === id).length; }

  /** A replayed market message, as the venue's matching engine sees it (every category trading the symbol). */
  onMarket(m: BybitCaptureMessage): void {
    for (const t of this.traded.values()) {
      if (t.spec.symbol !== m.symbol) continue;
      const events: Iterable<MarketEvent> = m.kind === 'orderbook' ? t.sync.map(m.msg, nowUs()) : bybitTrades(m.msg, nowUs(), t.lookup);
      t.matching.feed(events);
    }
  }

  // ------------------------------------------------------------------------------------------ REST

  /** Whether this account answers the route (else the caller 404s). */
  handles(method: string, path: string): boolean { return ROUTES.has(`${method} ${path}`); }

  async rest(req: IncomingMessage, url: URL, body: string, destroy: () => void): Promise<unknown> {
    const method = req.method ?? 'GET';
    const route = `${method} ${url.pathname}`;
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const auth = verifyBybitRest(req.headers, method === 'GET' ? rawQuery : body, this.o, Date.now());
    if (!auth.ok) { this.stats.signatureFailures++; throw new BybitApiError(200, auth.retCode, auth.retMsg); }
    if (this.faults.rateLimit10006 > 0) { this.faults.rateLimit10006--; this.stats.rateLimited++; throw new BybitApiError(200, 10006, 'Too many visits!'); }
    if (this.faults.server10016 > 0) { this.faults.server10016--; throw new BybitApiError(200, 10016, 'System error. Please try again later.'); }
    if (this.faults.ackDelayMs > 0) await new Promise((r) => setTimeout(r, this.faults.ackDelayMs));
    const q = url.searchParams;
    const json = (): Record<string, unknown> => {
      try { const v = JSON.parse(body || '{}') as unknown; if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>; } catch { /* below */ }
      throw params('params error: request body is not a JSON object');
    };
    switch (route) {
      case 'POST /v5/order/create': {
        const p = json();
        const category = this.categoryOf(p.category);
        let w = this.createWindows.get(category);
        if (!w) { w = new SlidingWindow(BYBIT_LIMITS.create[category], BYBIT_WINDOW_MS, () => performance.now()); this.createWindows.set(category, w); }
        if (w.waitMs(1) > 0) { this.stats.rateLimited++; throw new BybitApiError(200, 10006, 'Too many visits!'); }
        w.take(1);
        this.stats.createPosts++;
        const out = ok(this.create(category, p));
        if (this.faults.loseAcks > 0) { this.faults.loseAcks--; destroy(); return undefined; }
        return this.after5xx(out);
      }
      case 'POST /v5/order/cancel': return this.after5xx(ok(this.cancel(json())));
      case 'POST /v5/order/cancel-all': {
        const p = json();
        const category = this.categoryOf(p.category);
        const symbol = typeof p.symbol === 'string' ? p.symbol : undefined;
        const list = [...this.orders.values()].filter((o) => o.category === category && OPEN.has(o.status) && (symbol === undefined || o.symbol === symbol));
        for (const o of list) this.cancelOrder(o);
        if (this.faults.cancelAll5xx > 0) { this.faults.cancelAll5xx--; throw new BybitApiError(502, 0, 'Bad Gateway'); }
        return this.after5xx(ok({ list: list.map((o) => ({ orderId: o.orderId, orderLinkId: o.orderLinkId })), success: '1' }));
      }
      case 'GET /v5/order/realtime': {
        const category = this.categoryOf(q.get('category'));
        const symbol = q.get('symbol'); const linkId = q.get('orderLinkId'); const orderId = q.get('orderId');
        const openOnly = q.get('openOnly') ?? '0';
        if (openOnly !== '0' && openOnly !== '1') throw params('params error: openOnly invalid');
        const list = [...this.orders.values()].filter((o) => o.category === category && (symbol === null || o.symbol === symbol) && (linkId === null || o.orderLinkId === linkId)
          && (orderId === null || o.orderId === orderId) && (openOnly === '0' ? OPEN.has(o.status) : !OPEN.has(o.status))).reverse();
        const shown = openOnly === '1' ? (this.faults.closedOnlyInHistory ? [] : list.slice(0, 500)) : list;
        return this.after5xx(ok(this.page(shown, q, 50, 20, (o) => this.orderJson(o), category)));
      }
      case 'GET /v5/order/history': {
        // Every order of the category, newest first (Bybit keeps 2 years; the emulator its session).
        this.stats.historyQueries++;
        const category = this.categoryOf(q.get('category'));
        const symbol = q.get('symbol'); const linkId = q.get('orderLinkId'); const orderId = q.get('orderId');
        const list = [...this.orders.values()].filter((o) => o.category === category && (symbol === null || o.symbol === symbol) && (linkId === null || o.orderLinkId === linkId)
          && (orderId === null || o.orderId === orderId)).reverse();
        return this.after5xx(ok(this.page(list, q, 50, 20, (o) => this.orderJson(o), category)));
      }
      case 'GET /v5/execution/list': {
        const category = this.categoryOf(q.get('category'));
        const symbol = q.get('symbol'); const orderId = q.get('orderId'); const linkId = q.get('orderLinkId');
        const list = this.executions.filter((x) => x.order.category === category && (symbol === null || x.order.symbol === symbol) && (orderId === null || x.order.orderId === orderId)
          && (linkId === null || x.order.orderLinkId === linkId)).reverse();
        return this.after5xx(ok(this.page(list, q, 100, 50, (x) => this.executionJson(x), category)));
      }
      case 'GET /v5/account/wallet-balance': {
        if (q.get('accountType') !== 'UNIFIED') throw params('accountType only support UNIFIED.');
        return ok({ list: [this.walletJson(q.get('coin'))] });
      }
      case 'GET /v5/position/list': {
        const category = q.get('category');
        if (category !== 'linear') throw params(category === 'spot' ? 'params error: category only support linear, inverse, option' : 'params error: category invalid');
        const symbol = q.get('symbol'); const settle = q.get('settleCoin');
        if (symbol === null && settle === null) throw params('Missing some parameters that must be filled in, symbol or settleCoin');
        const rows = [...this.traded.values()].filter((t) => t.category === 'linear' && (symbol === null || t.spec.symbol === symbol) && (settle === null || t.spec.settle === settle))
          .map((t) => ({ t, pos: this.positions.get(t.spec.symbol) }))
          .filter(({ pos }) => symbol !== null || (pos !== undefined && !pos.size.isZero()));
        return ok({ ...this.page(rows, q, 200, 20, ({ t, pos }) => this.positionJson(t, pos), 'linear') });
      }
      default: throw new BybitApiError(404, 10017, 'Route not found');
    }
  }

  private after5xx(out: unknown): unknown {
    if (this.faults.server5xx > 0) { this.faults.server5xx--; throw new BybitApiError(502, 0, 'Bad Gateway'); }
    return out;
  }

  /** A cursor page (the cursor is the next offset), newest first as given. */
  private page<T>(list: readonly T[], q: URLSearchParams, max: number, dflt: number, row: (x: T) => unknown, category: string): { category: string; list: unknown[]; nextPageCursor: string } {
    const limit = Number(q.get('limit') ?? dflt);
    if (!Number.isInteger(limit) || limit < 1 || limit > max) throw params(`params error: limit must be 1..${max}`);
    const from = Number(q.get('cursor') ?? 0);
    if (!Number.isInteger(from) || from < 0) throw params('params error: cursor invalid');
    const slice = list.slice(from, from + limit);
    return { category, list: slice.map(row), nextPageCursor: from + limit < list.length ? String(from + limit) : '' };
  }

  private categoryOf(v: unknown): BybitCategory {
    if (v === 'spot' || v === 'linear') return v;
    if (v === 'inverse' || v === 'option') throw params(`params error: category ${v} is not traded by this emulator (spot, linear)`);
    throw params('params error: category invalid');
  }

  /** The public instruments-info rows (https://bybit-exchange.github.io/docs/v5/market/instrument), real-shaped. */
  instrumentsInfo(category: string | null, symbol: string | null): Record<string, unknown> {
    if (category !== 'spot' && category !== 'linear' && category !== 'inverse' && category !== 'option') throw params('params error: category invalid');
    const list = [...this.traded.values()].filter((t) => t.category === category && (symbol === null || t.spec.symbol === symbol)).map(({ spec }) => category === 'spot' ? {
      symbol: spec.symbol, baseCoin: spec.base, quoteCoin: spec.quote, innovation: '0', status: 'Trading', marginTrading: 'none', stTag: '0',
      lotSizeFilter: { basePrecision: spec.orderLotSize ?? spec.lotSize, quotePrecision: '0.0000001', minOrderQty: spec.orderLotSize ?? spec.lotSize, maxOrderQty: '1000000', minOrderAmt: '1', maxOrderAmt: '2000000' },
      priceFilter: { tickSize: spec.orderTickSize ?? spec.tickSize }, riskParameters: { priceLimitRatioX: '0.05', priceLimitRatioY: '0.05' },
    } : {
      symbol: spec.symbol, contractType: 'LinearPerpetual', status: 'Trading', baseCoin: spec.base, quoteCoin: spec.quote, launchTime: '1585526400000', deliveryTime: '0', deliveryFeeRate: '',
      priceScale: String(Math.max(0, (spec.tickSize.split('.')[1] ?? '').length)), leverageFilter: { minLeverage: '1', maxLeverage: '50.00', leverageStep: '0.01' },
      priceFilter: { minPrice: spec.tickSize, maxPrice: '199999.90', tickSize: spec.orderTickSize ?? spec.tickSize },
      lotSizeFilter: { maxOrderQty: '1000.00', maxMktOrderQty: '1000.00', minOrderQty: spec.orderLotSize ?? spec.lotSize, qtyStep: spec.orderLotSize ?? spec.lotSize, postOnlyMaxOrderQty: '1000.00', minNotionalValue: '5' },
      unifiedMarginTrade: true, fundingInterval: 480, settleCoin: spec.settle, copyTrading: 'both', upperFundingRate: '0.005', lowerFundingRate: '-0.005', isPreListing: false, preListingInfo: null,
    });
    return { category, list, nextPageCursor: '' };
  }

  // ---------------------------------------------------------------------------------------- orders

  private create(category: BybitCategory, p: Record<string, unknown>): Record<string, unknown> {
    const s = (k: string): string => (typeof p[k] === 'string' ? (p[k] as string) : '');
    const symbol = s('symbol');
    const t = this.traded.get(`${category}|${symbol}`);
    if (!t) throw params('params error: symbol invalid');
    const side = s('side');
    if (side !== 'Buy' && side !== 'Sell') throw params('params error: side invalid');
    const orderType = s('orderType');
    if (orderType !== 'Limit' && orderType !== 'Market') throw params('params error: orderType invalid');
    const linkId = s('orderLinkId');
    if (linkId !== '' && !LINK_ID.test(linkId)) throw params('params error: orderLinkId invalid');
    if (linkId !== '' && this.orders.has(`${category}|${linkId}`)) { this.stats.duplicateRejects++; throw new BybitApiError(200, 110072, 'OrderLinkedID is duplicate'); }
    const tif = s('timeInForce') || (orderType === 'Market' ? 'IOC' : 'GTC');
    if (!['GTC', 'IOC', 'FOK', 'PostOnly'].includes(tif)) throw params('params error: timeInForce invalid');
    if (category === 'linear' && p.positionIdx !== undefined && Number(p.positionIdx) !== 0) throw new BybitApiError(200, 10001, 'position idx not match position mode');
    const qtyText = s('qty');
    if (!DECIMAL.test(qtyText) || new Decimal(qtyText).lte(0)) throw params('params error: qty invalid');
    let qty = new Decimal(qtyText);
    const market = orderType === 'Market';
    const marketUnit = s('marketUnit') || (side === 'Buy' ? 'quoteCoin' : 'baseCoin'); // spot market buys are in the quote coin by default
    const ask = this.o.bestAsk(symbol);
    if (category === 'spot' && market) {
      if (marketUnit !== 'baseCoin' && marketUnit !== 'quoteCoin') throw params('params error: marketUnit invalid');
      if (marketUnit === 'quoteCoin') {
        if (ask === undefined) throw new BybitApiError(200, 170134, 'Order price has too many decimals.');
        qty = qty.div(ask).toDecimalPlaces(t.inst.lot.decimals, Decimal.ROUND_DOWN);
      }
    }
    let sizeLots: number;
    try { sizeLots = t.inst.lot.toUnits(qty.toFixed()); } catch { throw new BybitApiError(200, category === 'spot' ? 170137 : 10001, category === 'spot' ? 'Order quantity has too many decimals.' : 'Qty invalid'); }
    if (sizeLots <= 0) throw new BybitApiError(200, category === 'spot' ? 170136 : 10001, category === 'spot' ? 'Order quantity is lower than the minimum.' : 'Qty invalid');
    let priceTicks = 0;
    const priceText = s('price');
    if (!market) {
      if (!DECIMAL.test(priceText) || new Decimal(priceText).lte(0)) throw params('params error: price invalid');
      try { priceTicks = t.inst.tick.toUnits(priceText); } catch { throw new BybitApiError(200, category === 'spot' ? 170134 : 10001, category === 'spot' ? 'Order price has too many decimals.' : 'Price invalid'); }
    }
    const reduceOnly = p.reduceOnly === true || p.reduceOnly === 'true';
    if (category === 'linear' && reduceOnly) {
      const pos = this.positions.get(symbol)?.size ?? new Decimal(0);
      if (pos.isZero() || (side === 'Buy') === pos.gt(0)) throw new BybitApiError(200, 110017, 'Reduce-only rule not satisfied');
    }
    if (category === 'spot') {
      // Spot: buys hold the quote coin, sells the base coin (what open orders hold is not available).
      const needCoin = side === 'Buy' ? t.spec.quote : t.spec.base;
      const need = side === 'Buy' ? qty.times(market ? (ask ?? 0) : priceText) : qty;
      if (this.available(needCoin).lt(need)) throw new BybitApiError(200, 170131, 'Insufficient balance.');
    }
    const ms = Math.floor(nowUs() / 1000);
    const o: Order = {
      orderId: randomUUID(), orderLinkId: linkId, category, symbol, side, orderType, price: market ? '' : priceText, qty: qty.toFixed(), timeInForce: tif, reduceOnly, createdTime: ms,
      cumExecQty: new Decimal(0), cumExecValue: new Decimal(0), cumExecFee: new Decimal(0), status: 'New', cancelType: 'UNKNOWN', rejectReason: 'EC_NoError', updatedTime: ms,
    };
    const key = this.keyOf(o);
    this.orders.set(key, o);
    this.byOrderId.set(o.orderId, o);
    this.stats.ordersCreated++;
    t.matching.submit({ clientOrderId: key, side: side === 'Buy' ? 'buy' : 'sell', type: market ? 'market' : 'limit', timeInForce: tif === 'PostOnly' ? 'POST_ONLY' : tif as 'GTC' | 'IOC' | 'FOK', priceTicks, sizeLots }, nowUs());
    return { orderId: o.orderId, orderLinkId: o.orderLinkId };
  }

  /** `category|orderLinkId`, or `category|#orderId` for an order without one ('#' is never in an orderLinkId). */
  private keyOf(o: Order): string { return `${o.category}|${o.orderLinkId !== '' ? o.orderLinkId : `#${o.orderId}`}`; }

  private cancel(p: Record<string, unknown>): Record<string, unknown> {
    const category = this.categoryOf(p.category);
    const symbol = typeof p.symbol === 'string' ? p.symbol : '';
    if (!this.traded.has(`${category}|${symbol}`)) throw params('params error: symbol invalid');
    const linkId = typeof p.orderLinkId === 'string' ? p.orderLinkId : undefined;
    const orderId = typeof p.orderId === 'string' ? p.orderId : undefined;
    if (linkId === undefined && orderId === undefined) throw params('params error: orderId or orderLinkId is required');
    const o = linkId !== undefined ? this.orders.get(`${category}|${linkId}`) : this.byOrderId.get(orderId!);
    if (!o || o.symbol !== symbol || o.category !== category || !OPEN.has(o.status)) throw new BybitApiError(200, category === 'spot' ? 170213 : 110001, category === 'spot' ? 'Order does not exist.' : 'order not exists or too late to cancel');
    this.cancelOrder(o);
    return { orderId: o.orderId, orderLinkId: o.orderLinkId };
  }

  private cancelOrder(o: Order): void {
    o.cancelType = 'CancelByUser';
    this.traded.get(`${o.category}|${o.symbol}`)!.matching.cancel(this.keyOf(o), nowUs());
  }

  /** A simulated-venue response: the order's new state, the account, the pushes. */
  private apply(tradedKey: string, r: VenueResponse): void {
    if (r.kind === 'funding') return;
    const o = this.orders.get(r.clientOrderId);
    if (!o) return;
    const t = this.traded.get(tradedKey)!;
    o.updatedTime = Math.floor(r.tsVenue / 1000);
    switch (r.kind) {
      case 'accepted': this.pushOrder(o); break;
      case 'filled': {
        const qty = new Decimal(r.size); const value = new Decimal(r.price).times(r.size);
        o.cumExecQty = o.cumExecQty.plus(qty);
        o.cumExecValue = o.cumExecValue.plus(value);
        o.cumExecFee = o.cumExecFee.plus(r.fee);
        o.status = r.leavesLots === 0 ? 'Filled' : 'PartiallyFilled';
        const signed = o.side === 'Buy' ? qty : qty.neg();
        if (o.category === 'spot') {
          this.credit(t.spec.base, signed);
          this.credit(t.spec.quote, signed.neg().times(r.price));
        } else this.credit(t.spec.settle, this.trade(o.symbol, signed, new Decimal(r.price), o.updatedTime));
        this.credit(r.feeCurrency, new Decimal(r.fee).neg());
        const x: Execution = {
          execId: randomUUID(), order: o, execPrice: r.price, execQty: r.size, execFee: r.fee, feeCurrency: r.feeCurrency,
          feeRate: r.liquidity === 'maker' ? t.spec.makerFeeRate : t.spec.takerFeeRate, isMaker: r.liquidity === 'maker', execTime: o.updatedTime,
          leavesQty: new Decimal(o.qty).minus(o.cumExecQty).toFixed(), seq: ++this.seq,
        };
        this.executions.push(x);
        this.stats.executionsSent++;
        // A remainder the venue cancels right after this fill is pushed in the same breath: with
        // orderBeforeExecution its Cancelled state overtakes the executions too.
        if (this.faults.orderBeforeExecution) { this.heldExecutions.push(x); this.pushOrder(o); queueMicrotask(() => this.flushExecutions()); break; }
        this.pushExecution(x);
        if (this.faults.duplicateExecutions) this.pushExecution(x);
        this.pushOrder(o);
        break;
      }
      case 'canceled': o.status = o.cumExecQty.isZero() ? 'Cancelled' : 'PartiallyFilledCanceled'; this.pushOrder(o); break;
      // IOC / FOK / market remainders: Bybit cancels them itself.
      case 'expired': o.status = o.cumExecQty.isZero() ? 'Cancelled' : 'PartiallyFilledCanceled'; o.cancelType = 'UNKNOWN'; this.pushOrder(o); break;
      // A post-only order that would take: placed, then cancelled by the venue.
      case 'rejected': o.status = 'Cancelled'; o.rejectReason = 'EC_PostOnlyWillTakeLiquidity'; o.cancelType = 'UNKNOWN'; this.pushOrder(o); break;
      default: break;
    }
  }

  /**
   * A linear fill on the one-way position: returns the realised P&L (settle coin). The position keeps
   * its entry cost (exact sum of entry notionals), so closing it all realises exactly proceeds - cost; a
   * partial close releases its share of the cost, rounded to 8 decimals like Bybit's USDT amounts.
   */
  private trade(symbol: string, signedQty: Decimal, price: Decimal, ms: number): Decimal {
    let p = this.positions.get(symbol);
    if (!p) { p = { size: new Decimal(0), cost: new Decimal(0), realised: new Decimal(0), updatedTime: ms }; this.positions.set(symbol, p); }
    p.updatedTime = ms;
    let realised = new Decimal(0);
    if (p.size.isZero() || p.size.isPositive() === signedQty.isPositive()) {
      p.cost = p.cost.plus(signedQty.abs().times(price));
      p.size = p.size.plus(signedQty);
    } else {
      const closed = Decimal.min(p.size.abs(), signedQty.abs());
      const released = closed.eq(p.size.abs()) ? p.cost : p.cost.times(closed).div(p.size.abs()).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
      realised = closed.times(price).minus(released).times(p.size.isPositive() ? 1 : -1);
      const after = p.size.plus(signedQty);
      p.cost = after.isZero() ? new Decimal(0) : after.isPositive() !== p.size.isPositive() ? after.abs().times(price) : p.cost.minus(released);
      p.size = after;
    }
    p.realised = p.realised.plus(realised);
    return realised;
  }

  private credit(coin: string, v: Decimal): void { this.wallet.set(coin, (this.wallet.get(coin) ?? new Decimal(0)).plus(v)); }

  private locked(coin: string): Decimal {
    let sum = new Decimal(0);
    for (const o of this.orders.values()) {
      if (o.category !== 'spot' || !OPEN.has(o.status) || o.orderType === 'Market') continue;
      const t = this.traded.get(`spot|${o.symbol}`)!;
      const left = new Decimal(o.qty).minus(o.cumExecQty);
      if (o.side === 'Buy' && t.spec.quote === coin) sum = sum.plus(left.times(o.price));
      if (o.side === 'Sell' && t.spec.base === coin) sum = sum.plus(left);
    }
    return sum;
  }

  private available(coin: string): Decimal { return (this.wallet.get(coin) ?? new Decimal(0)).minus(this.locked(coin)); }

  private orderJson(o: Order): Record<string, unknown> {
    const avg = o.cumExecQty.isZero() ? '' : o.cumExecValue.div(o.cumExecQty).toFixed();
    const leaves = OPEN.has(o.status) ? new Decimal(o.qty).minus(o.cumExecQty) : new Decimal(0);
    return {
      orderId: o.orderId, orderLinkId: o.orderLinkId, blockTradeId: '', symbol: o.symbol, price: o.price === '' ? '0' : o.price, qty: o.qty, side: o.side, isLeverage: '',
      positionIdx: 0, orderStatus: o.status, createType: 'CreateByUser', cancelType: o.cancelType, rejectReason: o.rejectReason, avgPrice: avg, leavesQty: leaves.toFixed(),
      leavesValue: o.price === '' ? '0' : leaves.times(o.price).toFixed(), cumExecQty: o.cumExecQty.toFixed(), cumExecValue: o.cumExecValue.toFixed(), cumExecFee: o.cumExecFee.toFixed(),
      timeInForce: o.timeInForce, orderType: o.orderType, stopOrderType: '', orderIv: '', marketUnit: '', triggerPrice: '0', takeProfit: '0', stopLoss: '0', tpslMode: '',
      ocoTriggerBy: '', tpLimitPrice: '', slLimitPrice: '', tpTriggerBy: '', slTriggerBy: '', triggerDirection: 0, triggerBy: '', lastPriceOnCreated: '', reduceOnly: o.reduceOnly,
      closeOnTrigger: false, placeType: '', smpType: 'None', smpGroup: 0, smpOrderId: '', createdTime: String(o.createdTime), updatedTime: String(o.updatedTime),
    };
  }

  private executionJson(x: Execution): Record<string, unknown> {
    const o = x.order;
    return {
      symbol: o.symbol, orderId: o.orderId, orderLinkId: o.orderLinkId, side: o.side, orderPrice: o.price === '' ? '0' : o.price, orderQty: o.qty, leavesQty: x.leavesQty,
      createType: 'CreateByUser', orderType: o.orderType, stopOrderType: '', execFee: x.execFee, execId: x.execId, execPrice: x.execPrice, execQty: x.execQty, execType: 'Trade',
      execValue: new Decimal(x.execPrice).times(x.execQty).toFixed(), execTime: String(x.execTime), feeCurrency: x.feeCurrency, isMaker: x.isMaker, feeRate: x.feeRate,
      tradeIv: '', markIv: '', markPrice: x.execPrice, indexPrice: '', underlyingPrice: '', blockTradeId: '', closedSize: '', seq: x.seq,
    };
  }

  private walletJson(coinFilter: string | null): Record<string, unknown> {
    const want = coinFilter ? new Set(coinFilter.split(',')) : undefined;
    const coin = [...this.wallet].filter(([c]) => !want || want.has(c)).map(([c, v]) => {
      const locked = this.locked(c);
      return {
        coin: c, equity: v.toFixed(), usdValue: '', walletBalance: v.toFixed(), free: '', locked: locked.toFixed(), spotHedgingQty: '0', borrowAmount: '0', accruedInterest: '0',
        totalOrderIM: '0', totalPositionIM: '0', totalPositionMM: '0', unrealisedPnl: '0', cumRealisedPnl: c === 'USDT' ? [...this.positions.values()].reduce((a, p) => a.plus(p.realised), new Decimal(0)).toFixed() : '0',
        bonus: '0', marginCollateral: true, collateralSwitch: true, availableToWithdraw: '',
      };
    });
    return { accountType: 'UNIFIED', accountIMRate: '0', accountMMRate: '0', totalEquity: '', totalWalletBalance: '', totalMarginBalance: '', totalAvailableBalance: '', totalPerpUPL: '0', totalInitialMargin: '0', totalMaintenanceMargin: '0', accountLTV: '0', coin };
  }

  private positionJson(t: Traded, p: Position | undefined): Record<string, unknown> {
    const size = p?.size ?? new Decimal(0);
    const avg = p && !size.isZero() ? p.cost.div(size.abs()).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed() : '0';
    return {
      positionIdx: 0, riskId: 1, riskLimitValue: '2000000', symbol: t.spec.symbol, side: size.isZero() ? '' : size.isPositive() ? 'Buy' : 'Sell', size: size.abs().toFixed(), avgPrice: avg,
      positionValue: p ? p.cost.toFixed() : '0', tradeMode: 0, autoAddMargin: 0, positionStatus: 'Normal', leverage: '10', markPrice: this.o.bestAsk(t.spec.symbol) ?? '', liqPrice: '',
      bustPrice: '', positionIM: '', positionMM: '', positionBalance: '', tpslMode: 'Full', takeProfit: '0', stopLoss: '0', trailingStop: '0', sessionAvgPrice: '', delta: '', gamma: '',
      vega: '', theta: '', unrealisedPnl: '0', curRealisedPnl: (p?.realised ?? new Decimal(0)).toFixed(), cumRealisedPnl: (p?.realised ?? new Decimal(0)).toFixed(), adlRankIndicator: 0,
      createdTime: String(p?.updatedTime ?? 0), updatedTime: String(p?.updatedTime ?? 0), seq: -1, isReduceOnly: false, mmrSysUpdatedTime: '', leverageSysUpdatedTime: '',
    };
  }

  // -------------------------------------------------------------------------- private WebSocket

  /** A connection to `/v5/private`: auth, then `order` / `execution` subscriptions. */
  onPrivateClient(ws: WebSocket): void {
    const connId = `${randomBytes(10).toString('hex')}-${randomBytes(2).toString('hex')}`;
    this.privateSockets.add(ws);
    ws.on('close', () => this.privateSockets.delete(ws));
    let authed = false;
    const send = (o: unknown): void => { if (ws.readyState === 1) ws.send(JSON.stringify(o)); };
    ws.on('message', (raw) => {
      let req: { op?: unknown; args?: unknown; req_id?: unknown };
      try { req = JSON.parse(raw.toString()) as typeof req; } catch { send({ success: false, ret_msg: 'error:json parse failed', conn_id: connId }); return; }
      const reqId = typeof req.req_id === 'string' ? { req_id: req.req_id } : {};
      if (req.op === 'ping') { send({ ...reqId, op: 'pong', args: [String(Date.now())], conn_id: connId }); return; }
      if (req.op === 'auth') {
        const r = verifyBybitWsAuth(req.args, this.o, Date.now());
        if (!r.ok) { this.stats.authFailures++; send({ success: false, ret_msg: r.retMsg, op: 'auth', conn_id: connId, ...reqId }); return; }
        authed = true;
        this.stats.auths++;
        send({ ...reqId, success: true, ret_msg: '', op: 'auth', conn_id: connId });
        return;
      }
      if ((req.op !== 'subscribe' && req.op !== 'unsubscribe') || !Array.isArray(req.args)) { send({ ...reqId, success: false, ret_msg: `error:unsupported op ${String(req.op)}`, op: String(req.op), conn_id: connId }); return; }
      if (!authed) { send({ ...reqId, success: false, ret_msg: 'Request not authorized', op: req.op, conn_id: connId }); return; }
      const topics = req.args as unknown[];
      const bad = topics.find((a) => typeof a !== 'string' || !PRIVATE_TOPICS.has(a));
      if (bad !== undefined) { send({ ...reqId, success: false, ret_msg: `error:handler not found,topic:${String(bad)}`, op: req.op, conn_id: connId }); return; }
      if (req.op === 'subscribe') for (const t of topics as string[]) this.users.add(t, ws);
      send({ ...reqId, success: true, ret_msg: '', op: req.op, conn_id: connId });
    });
  }

  private flushExecutions(): void {
    for (const x of this.heldExecutions.splice(0)) { this.pushExecution(x); if (this.faults.duplicateExecutions) this.pushExecution(x); }
  }

  private pushOrder(o: Order): void {
    this.stats.ordersPushed++;
    const data = JSON.stringify([{ category: o.category, ...this.orderJson(o) }]);
    this.users.broadcast((topic) => topic === 'order' || topic === `order.${o.category}` ? `{"id":"${randomUUID()}","topic":"${topic}","creationTime":${Date.now()},"data":${data}}` : undefined);
  }

  private pushExecution(x: Execution): void {
    const data = JSON.stringify([{ category: x.order.category, ...this.executionJson(x) }]);
    this.users.broadcast((topic) => topic === 'execution' || topic === `execution.${x.order.category}` ? `{"id":"${randomUUID()}","topic":"${topic}","creationTime":${Date.now()},"data":${data}}` : undefined);
  }
}

const PRIVATE_TOPICS: ReadonlySet<string> = new Set(['order', 'order.spot', 'order.linear', 'execution', 'execution.spot', 'execution.linear', 'position', 'wallet']);

const ROUTES = new Set([
  'POST /v5/order/create', 'POST /v5/order/cancel', 'POST /v5/order/cancel-all', 'GET /v5/order/realtime', 'GET /v5/order/history', 'GET /v5/execution/list',
  'GET /v5/account/wallet-balance', 'GET /v5/position/list',
]);

const ok = (result: unknown): Record<string, unknown> => ({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() });
