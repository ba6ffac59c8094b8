/**
 * The trading half of the OKX emulator: one spot account on the OKX v5 REST and private WebSocket
 * APIs, its orders matched by the simulated venue against the replayed capture (emulatorShared).
 *
 * REST (https://www.okx.com/docs-v5/en/#order-book-trading-trade): POST /api/v5/trade/order,
 * cancel-order, cancel-batch-orders; GET /api/v5/trade/order, orders-pending, fills;
 * GET /api/v5/account/balance; public GET /api/v5/public/time and /api/v5/public/instruments (what
 * ccxt's `okx` loads). Private requests are authenticated like OKX (okxSignature.ts). Answers use
 * OKX's envelope `{code, msg, data}`: an order the venue refuses is HTTP 200 with code "1" and the
 * reason in `data[0].sCode/sMsg` (e.g. 51008 insufficient balance, 51016 duplicated clOrdId), a query
 * for an unknown order is code 51603, authentication failures are HTTP 401 (50111, 50113, ...).
 *
 * Private WebSocket `/ws/v5/private`: `login` (okxSignature.ts), then the `orders` channel pushes every
 * state change: live, partially_filled and filled with the fill (`tradeId`, `fillPx`, `fillSz`,
 * `fillFee`, `execType` T/M), canceled (IOC/FOK/market remainders too; a post-only order that would
 * take is canceled with `cancelSource` 31, as OKX does).
 *
 * OKX's place-order limit (60 per 2 s per instrument) is enforced: the 61st request in any 2 s is
 * answered 50011 "Too Many Requests" (HTTP 429) without being processed.
 *
 * Amend: `POST /api/v5/trade/amend-order` through the simulated venue's modify, the outcome pushed on
 * `orders` with the request's reqId and `amendResult` (see `amend`).
 *
 * Deliberate limits: spot (`tdMode` cash) only; clOrdId is unique among every order of the session
 * (OKX checks it among pending orders).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Decimal } from 'decimal.js';
import { OKX_LIMITS, SlidingWindow } from '../../adapters/okx/OkxRateLimits.ts';
import type { WebSocket } from 'ws';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import type { Normalizer } from '../../feeds/normalizer.ts';
import { OkxBookSync } from '../../feeds/okx/OkxBookSync.ts';
import { okxTrades } from '../../feeds/okx/trades.ts';
import { instrument as makeInstrument, type Instrument, type InstrumentSpec } from '../../model/instrument.ts';
import type { MarketEvent } from '../../model/market.ts';
import type { VenueResponse } from '../../sim/VenueResponse.ts';
import { EmulatorMatching, nowUs, UserSocketFanout } from './emulatorShared.ts';
import type { OkxCaptureMessage } from './okxCapture.ts';
import { verifyOkxLogin, verifyOkxRest, type OkxCredentials } from './okxSignature.ts';

export interface OkxTradingFaults {
  /** Order endpoints answer this much later. */
  ackDelayMs: number;
  /** Next N place-order POSTs are processed, then the connection is destroyed without an answer. */
  loseAcks: number;
  /** Next N private requests answer 429 (code 50011) without being processed. */
  rateLimit429: number;
  /** Next N private requests are processed, then answered 503 (code 50001). */
  server5xx: number;
  /** Every fill push on the `orders` channel is sent twice. */
  duplicateFills: boolean;
  /**
   * Next N amend-order requests are acknowledged (sCode 0), then fail on the `orders` channel
   * (amendResult -1, code 51503), the order unchanged: the documented "acknowledgement returns
   * success and the amendment subsequently failed".
   */
  failAmendsAfterAck: number;
}

export interface OkxAccountOptions extends OkxCredentials {
  /** Instruments that trade (spot specs of instruments the capture replays). */
  readonly instruments: readonly InstrumentSpec[];
  /** Starting balances, e.g. { USDT: '100000', BTC: '10' }. */
  readonly balances?: Readonly<Record<string, string>>;
}

type OkxState = 'live' | 'partially_filled' | 'filled' | 'canceled';
const OPEN: ReadonlySet<OkxState> = new Set(['live', 'partially_filled']);

interface OkxOrder {
  readonly ordId: string;
  readonly clOrdId: string;
  readonly instId: string;
  readonly side: 'buy' | 'sell';
  readonly ordType: string;
  /** Price and total size change with each amendment. */
  px: string;
  sz: string;
  readonly tgtCcy: string;
  readonly cTime: number;
  accFillSz: Decimal;
  fillNotional: Decimal;
  /** Negative = charged (OKX's sign). */
  fee: Decimal;
  feeCcy: string;
  state: OkxState;
  uTime: number;
  cancelSource: string;
  last?: OkxFill;
  /** The amendment being applied: its reqId, then its result, code and message on the next push. */
  amend?: { reqId: string; result: string; code: string; msg: string };
}

interface OkxFill { readonly tradeId: string; readonly fillPx: string; readonly fillSz: string; readonly fillFee: string; readonly fillFeeCcy: string; readonly execType: 'T' | 'M'; readonly ts: number; readonly ordId: string; readonly clOrdId: string; readonly instId: string; readonly side: string; readonly billId: string }

/** A definitive OKX answer other than success: HTTP status, top-level code, message, per-item sCode. */
export class OkxApiError extends Error {
  constructor(readonly status: number, readonly code: string, msg: string, readonly data: readonly Record<string, unknown>[] = []) { super(msg); }
}

/** An order-level refusal: HTTP 200, code "1" "All operations failed", the reason in data[0]. */
const orderError = (sCode: string, sMsg: string, clOrdId = '', ordId = ''): OkxApiError =>
  new OkxApiError(200, '1', 'All operations failed', [{ clOrdId, ordId, tag: '', ts: String(Math.floor(nowUs() / 1000)), sCode, sMsg }]);

const CL_ORD_ID = /^[A-Za-z0-9]{1,32}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

interface Traded { readonly inst: Instrument; readonly spec: InstrumentSpec; readonly matching: EmulatorMatching }

export class OkxAccount {
  readonly faults: OkxTradingFaults = { ackDelayMs: 0, loseAcks: 0, rateLimit429: 0, server5xx: 0, duplicateFills: false, failAmendsAfterAck: 0 };
  readonly stats = { orderPosts: 0, amendPosts: 0, ordersCreated: 0, duplicateRejects: 0, signatureFailures: 0, loginFailures: 0, logins: 0, fillsSent: 0, ordersPushed: 0, rateLimited: 0 };
  /** OKX's place-order limit, enforced per instrument: 60 requests in any 2 s, else 50011 (HTTP 429). */
  private readonly placeWindows = new Map<string, SlidingWindow>();

  private readonly traded = new Map<string, Traded>();
  private readonly sync: OkxBookSync;
  private readonly trades: Normalizer;
  /** By clOrdId (or `#ordId` for a placement without one): the id the simulated venue knows. */
  private readonly orders = new Map<string, OkxOrder>();
  private readonly byOrdId = new Map<string, OkxOrder>();
  private readonly fills: OkxFill[] = [];
  private readonly balances = new Map<string, Decimal>();
  /** Subscribed `orders` sockets, grouped by the subscription's arg (the push echoes it). */
  private readonly users = new UserSocketFanout<string>();
  /** Every connection to /ws/v5/private (for disconnectPrivate). */
  private readonly privateSockets = new Set<WebSocket>();
  private ordSeq = 0;
  private tradeSeq = 0;
  private readonly uid = '4470000000000001';

  constructor(private readonly o: OkxAccountOptions) {
    for (const spec of o.instruments) {
      if (spec.venue !== 'okx' || spec.kind !== 'spot') throw new Error(`okx emulator: ${spec.id} is not an OKX spot instrument (order entry is spot only)`);
      const inst = makeInstrument(spec);
      this.traded.set(spec.symbol, { inst, spec, matching: new EmulatorMatching(inst, (r) => this.apply(spec.symbol, r), 'x') });
    }
    const lookup = instrumentLookup('okx', o.instruments);
    this.sync = new OkxBookSync(lookup);
    this.trades = okxTrades(lookup);
    for (const [a, v] of Object.entries(o.balances ?? { USDT: '100000', BTC: '10' })) this.balances.set(a, new Decimal(v));
  }

  /** Drops every private WebSocket (a venue-side disconnect: pushes meanwhile reach nobody). */
  disconnectPrivate(): void { for (const ws of this.privateSockets) ws.terminate(); }

  /** Client ids of the orders open on the venue. */
  openOrderIds(): string[] { return [...this.orders.values()].filter((x) => OPEN.has(x.state)).map((x) => x.clOrdId); }

  /** How many orders carry this clOrdId (at most one: a second placement is refused with 51016). */
  ordersWithClientId(id: string): number { return this.orders.has(id) ? 1 : 0; }

  /** A replayed market message, as the venue's matching engine sees it. */
  onMarket(m: OkxCaptureMessage): void {
    const t = this.traded.get(m.instId);
    if (!t) return;
    const events: Iterable<MarketEvent> = m.channel === 'books' ? this.sync.map(m.msg, nowUs()) : m.channel === 'trades' ? this.trades.map(m.msg, nowUs()) : [];
    t.matching.feed(events);
  }

  // ------------------------------------------------------------------------------------------ REST

  /** Whether this emulator answers the route (else the caller 404s). */
  handles(method: string, path: string): boolean {
    return path.startsWith('/api/v5/') && ROUTES.has(`${method} ${path}`);
  }

  async rest(req: IncomingMessage, url: URL, body: string, destroy: () => void): Promise<unknown> {
    const method = req.method ?? 'GET';
    const route = `${method} ${url.pathname}`;
    const q = url.searchParams;
    if (route === 'GET /api/v5/public/time') return ok([{ ts: String(Date.now()) }]);
    if (route === 'GET /api/v5/public/instruments') return ok(this.instrumentsOf(q.get('instType') ?? ''));
    const rawPath = (req.url ?? '').replace(/^https?:\/\/[^/]+/, '');
    const auth = verifyOkxRest(req.headers, method, rawPath, body, this.o, Date.now());
    if (!auth.ok) { this.stats.signatureFailures++; throw new OkxApiError(401, auth.code, auth.msg); }
    if (this.faults.rateLimit429 > 0) { this.faults.rateLimit429--; throw new OkxApiError(429, '50011', 'Too Many Requests'); }
    if (this.faults.ackDelayMs > 0) await new Promise((r) => setTimeout(r, this.faults.ackDelayMs));
    const json = (): Record<string, unknown> => {
      try { return JSON.parse(body || '{}') as Record<string, unknown>; } catch { throw new OkxApiError(400, '50002', 'Json data format error'); }
    };
    switch (route) {
      case 'POST /api/v5/trade/order': {
        const body0 = json();
        const instId = typeof body0.instId === 'string' ? body0.instId : '';
        if (this.traded.has(instId)) {
          let w = this.placeWindows.get(instId);
          if (!w) { w = new SlidingWindow(OKX_LIMITS.placeOrder.limit, OKX_LIMITS.placeOrder.windowMs, () => performance.now()); this.placeWindows.set(instId, w); }
          if (w.waitMs(1) > 0) { this.stats.rateLimited++; throw new OkxApiError(429, '50011', 'Too Many Requests'); }
          w.take(1);
        }
        this.stats.orderPosts++;
        const out = ok([this.place(json())]);
        if (this.faults.loseAcks > 0) { this.faults.loseAcks--; destroy(); return undefined; }
        return this.after5xx(out);
      }
      case 'POST /api/v5/trade/amend-order': {
        this.stats.amendPosts++;
        const out = ok([this.amend(json())]);
        if (this.faults.loseAcks > 0) { this.faults.loseAcks--; destroy(); return undefined; }
        return this.after5xx(out);
      }
      case 'POST /api/v5/trade/cancel-order': return this.after5xx(ok([this.cancel(json())]));
      case 'POST /api/v5/trade/cancel-batch-orders': {
        const items = JSON.parse(body || '[]') as unknown;
        if (!Array.isArray(items) || items.length === 0 || items.length > 20) throw new OkxApiError(400, '50014', 'Parameter orders can not be empty.');
        const res = items.map((it) => { try { return this.cancel(it as Record<string, unknown>); } catch (e) { if (e instanceof OkxApiError && e.data[0]) return e.data[0]; throw e; } });
        const failed = res.filter((r) => r.sCode !== '0').length;
        return this.after5xx({ code: failed === 0 ? '0' : failed === res.length ? '1' : '2', msg: failed === 0 ? '' : failed === res.length ? 'All operations failed' : 'Bulk operation partially succeeded.', data: res });
      }
      case 'GET /api/v5/trade/order': {
        const o = this.find(q.get('instId'), q.get('clOrdId'), q.get('ordId'));
        if (!o) throw new OkxApiError(200, '51603', 'Order does not exist');
        return this.after5xx(ok([this.orderJson(o)]));
      }
      case 'GET /api/v5/trade/orders-pending': {
        const instId = q.get('instId');
        const list = [...this.orders.values()].filter((o) => OPEN.has(o.state) && (instId === null || o.instId === instId)).reverse();
        return this.after5xx(ok(list.map((o) => this.orderJson(o))));
      }
      case 'GET /api/v5/trade/fills': {
        const instId = q.get('instId'); const ordId = q.get('ordId');
        const list = this.fills.filter((f) => (instId === null || f.instId === instId) && (ordId === null || f.ordId === ordId)).slice(-100).reverse();
        return ok(list.map((f) => ({
          instType: 'SPOT', instId: f.instId, tradeId: f.tradeId, ordId: f.ordId, clOrdId: f.clOrdId, billId: f.billId, subType: '1', tag: '', fillPx: f.fillPx, fillSz: f.fillSz,
          fillIdxPx: '', fillPnl: '0', fillPxVol: '', fillPxUsd: '', fillMarkVol: '', fillFwdPx: '', fillMarkPx: '', side: f.side, posSide: 'net', execType: f.execType,
          feeCcy: f.fillFeeCcy, fee: f.fillFee, ts: String(f.ts), fillTime: String(f.ts), feeRate: '',
        })));
      }
      case 'GET /api/v5/account/balance': return ok([this.balanceJson(q.get('ccy'))]);
      default: throw new OkxApiError(404, '50005', 'API is offline or unavailable.');
    }
  }

  private after5xx(out: unknown): unknown {
    if (this.faults.server5xx > 0) { this.faults.server5xx--; throw new OkxApiError(503, '50001', 'Service temporarily unavailable. Try again later'); }
    return out;
  }

  private instrumentsOf(instType: string): Record<string, unknown>[] {
    if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(instType)) throw new OkxApiError(400, '51000', 'Parameter instType error');
    if (instType !== 'SPOT') return [];
    return [...this.traded.values()].map(({ spec }) => ({
      alias: '', baseCcy: spec.base, category: '1', ctMult: '', ctType: '', ctVal: '', ctValCcy: '', expTime: '', instFamily: '', instId: spec.symbol, instType: 'SPOT',
      lever: '', listTime: '1548133413000', lotSz: spec.lotSize, maxIcebergSz: '9999999999', maxLmtAmt: '20000000', maxLmtSz: '9999999999', maxMktAmt: '1000000',
      maxMktSz: '1000000', maxStopSz: '1000000', maxTriggerSz: '9999999999', maxTwapSz: '9999999999', minSz: spec.lotSize, optType: '', quoteCcy: spec.quote,
      settleCcy: '', state: 'live', ruleType: 'normal', stk: '', tickSz: spec.tickSize, uly: '',
    }));
  }

  private find(instId: string | null | undefined, clOrdId: string | null | undefined, ordId: string | null | undefined): OkxOrder | undefined {
    if (!instId) throw new OkxApiError(400, '50014', 'Parameter instId can not be empty.');
    if (!this.traded.has(instId)) throw new OkxApiError(200, '51001', "Instrument ID doesn't exist.");
    const o = clOrdId ? this.orders.get(clOrdId) : ordId ? this.byOrdId.get(ordId) : undefined;
    if (!clOrdId && !ordId) throw new OkxApiError(400, '50015', 'Either parameter ordId or clOrdId is required.');
    return o && o.instId === instId ? o : undefined;
  }

  // ---------------------------------------------------------------------------------------- orders

  private place(p: Record<string, unknown>): Record<string, unknown> {
    const s = (k: string): string => (typeof p[k] === 'string' ? (p[k] as string) : '');
    const clOrdId = s('clOrdId');
    const fail = (sCode: string, sMsg: string): OkxApiError => orderError(sCode, sMsg, clOrdId);
    const instId = s('instId');
    const t = this.traded.get(instId);
    if (!t) throw fail('51001', "Instrument ID doesn't exist.");
    if (s('tdMode') !== 'cash') throw fail('51000', 'Parameter tdMode error');
    const side = s('side');
    if (side !== 'buy' && side !== 'sell') throw fail('51000', 'Parameter side error');
    const ordType = s('ordType');
    if (!['limit', 'post_only', 'ioc', 'fok', 'market'].includes(ordType)) throw fail('51000', 'Parameter ordType error');
    if (clOrdId !== '' && !CL_ORD_ID.test(clOrdId)) throw fail('51000', 'Parameter clOrdId error');
    if (clOrdId !== '' && this.orders.has(clOrdId)) { this.stats.duplicateRejects++; throw fail('51016', 'Duplicated clOrdId'); }
    const szText = s('sz');
    if (!DECIMAL.test(szText) || new Decimal(szText).lte(0)) throw fail('51000', 'Parameter sz error');
    const market = ordType === 'market';
    // Spot market buys are sized in the quote currency unless tgtCcy says base_ccy (OKX docs, tgtCcy).
    const tgtCcy = s('tgtCcy') || (market && side === 'buy' ? 'quote_ccy' : 'base_ccy');
    if (tgtCcy !== 'base_ccy' && tgtCcy !== 'quote_ccy') throw fail('51000', 'Parameter tgtCcy error');
    let sz = new Decimal(szText);
    if (market && tgtCcy === 'quote_ccy') {
      const ask = this.bestAsk(t);
      if (ask === undefined) throw fail('51000', 'Parameter sz error');
      sz = sz.div(ask).toDecimalPlaces(t.inst.lot.decimals, Decimal.ROUND_DOWN);
    }
    let sizeLots: number;
    try { sizeLots = t.inst.lot.toUnits(sz.toFixed()); } catch { throw fail('51121', `Order quantity must be a multiple of the lot size ${t.spec.lotSize}.`); }
    if (sizeLots <= 0) throw fail('51020', 'Your order should meet or exceed the minimum order amount.');
    let priceTicks = 0;
    const pxText = s('px');
    if (!market) {
      if (!DECIMAL.test(pxText) || new Decimal(pxText).lte(0)) throw fail('51000', 'Parameter px error');
      try { priceTicks = t.inst.tick.toUnits(pxText); } catch { throw fail('51000', 'Parameter px error'); }
    }
    // Balance check against what open orders already hold (spot cash: buys hold quote, sells base).
    const needCcy = side === 'buy' ? t.spec.quote : t.spec.base;
    const need = side === 'buy' ? (market ? sz.times(this.bestAsk(t) ?? 0) : sz.times(pxText)) : sz;
    if (this.available(needCcy).lt(need)) throw fail('51008', `Order failed. Insufficient ${needCcy} balance in account.`);
    const tUs = nowUs();
    const ms = Math.floor(tUs / 1000);
    const ordId = String(600_000_000_000_000 + ++this.ordSeq) + '000';
    const cid = clOrdId;
    const o: OkxOrder = {
      ordId, clOrdId: cid, instId, side, ordType, px: market ? '' : pxText, sz: sz.toFixed(), tgtCcy, cTime: ms,
      accFillSz: new Decimal(0), fillNotional: new Decimal(0), fee: new Decimal(0), feeCcy: side === 'buy' ? t.spec.base : t.spec.quote, state: 'live', uTime: ms, cancelSource: '',
    };
    // Keyed by clOrdId, or by `#ordId` when the placement has none ('#' is never in a clOrdId).
    const key = cid !== '' ? cid : `#${ordId}`;
    this.orders.set(key, o);
    this.byOrdId.set(ordId, o);
    this.stats.ordersCreated++;
    const tif = ordType === 'post_only' ? 'POST_ONLY' : ordType === 'ioc' ? 'IOC' : ordType === 'fok' ? 'FOK' : 'GTC';
    t.matching.submit({ clientOrderId: key, side, type: market ? 'market' : 'limit', timeInForce: tif, priceTicks, sizeLots }, tUs);
    return { clOrdId: cid, ordId, tag: '', ts: String(ms), sCode: '0', sMsg: 'Order placed' };
  }

  private cancel(p: Record<string, unknown>): Record<string, unknown> {
    const instId = typeof p.instId === 'string' ? p.instId : '';
    const clOrdId = typeof p.clOrdId === 'string' ? p.clOrdId : undefined;
    const ordId = typeof p.ordId === 'string' ? p.ordId : undefined;
    const o = this.find(instId, clOrdId, ordId);
    if (!o) throw orderError('51400', 'Order cancellation failed as the order has been filled, canceled or does not exist', clOrdId ?? '', ordId ?? '');
    if (o.state === 'canceled') throw orderError('51401', 'Order has been canceled', o.clOrdId, o.ordId);
    if (o.state === 'filled') throw orderError('51402', 'Order has been completed', o.clOrdId, o.ordId);
    o.cancelSource = '1'; // canceled by the user
    this.traded.get(instId)!.matching.cancel(o.clOrdId !== '' ? o.clOrdId : `#${o.ordId}`, nowUs());
    return { clOrdId: o.clOrdId, ordId: o.ordId, ts: String(Math.floor(nowUs() / 1000)), sCode: '0', sMsg: '' };
  }

  /**
   * `POST /api/v5/trade/amend-order` (https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-amend-order):
   * by clOrdId or ordId, `newSz` (the new total size, filled part included) and / or `newPx`, `reqId`
   * echoed. Refusals in the answer: 51503 no such order, 51509 canceled, 51510 completed, 51506 not a
   * limit-priced order, 51511 a post-only price that would take, 51000 a malformed value or a size at
   * or below the filled size (the code OKX uses there is not documented: the emulator's choice). An
   * accepted request (sCode 0) goes through the simulated venue's modify; the `orders` push that
   * follows carries the reqId and amendResult 0 (or -1 with code and msg; `cxlOnFail` true cancels
   * the order instead, amendResult 1).
   */
  private amend(p: Record<string, unknown>): Record<string, unknown> {
    const s = (k: string): string => (typeof p[k] === 'string' ? (p[k] as string) : '');
    const instId = s('instId');
    const clOrdId = s('clOrdId') || undefined;
    const ordId = s('ordId') || undefined;
    const reqId = s('reqId');
    const fail = (sCode: string, sMsg: string): OkxApiError => orderError(sCode, sMsg, clOrdId ?? '', ordId ?? '');
    if (reqId !== '' && !CL_ORD_ID.test(reqId)) throw fail('51000', 'Parameter reqId error');
    const o = this.find(instId, clOrdId, ordId);
    if (!o) throw fail('51503', 'Order modification failed as the order does not exist.');
    if (o.state === 'canceled') throw fail('51509', 'Modification failed as the order has been canceled.');
    if (o.state === 'filled') throw fail('51510', 'Modification failed as the order has been completed.');
    if (!['limit', 'post_only'].includes(o.ordType)) throw fail('51506', 'Order modification unavailable for the order type.');
    const t = this.traded.get(instId)!;
    const newSz = s('newSz'); const newPx = s('newPx');
    if (newSz === '' && newPx === '') throw fail('51500', 'Either order price or amount is required');
    if (newSz !== '' && (!DECIMAL.test(newSz) || new Decimal(newSz).lte(o.accFillSz))) throw fail('51000', 'Parameter newSz error');
    if (newPx !== '' && (!DECIMAL.test(newPx) || new Decimal(newPx).lte(0))) throw fail('51000', 'Parameter newPx error');
    let sizeLots: number; let priceTicks: number;
    try { sizeLots = t.inst.lot.toUnits(newSz || o.sz); } catch { throw fail('51000', 'Parameter newSz error'); }
    try { priceTicks = t.inst.tick.toUnits(newPx || o.px); } catch { throw fail('51000', 'Parameter newPx error'); }
    const key = o.clOrdId !== '' ? o.clOrdId : `#${o.ordId}`;
    const ms = Math.floor(nowUs() / 1000);
    const answer = { clOrdId: o.clOrdId, ordId: o.ordId, ts: String(ms), reqId, sCode: '0', sMsg: '' };
    if (this.faults.failAmendsAfterAck > 0) {
      this.faults.failAmendsAfterAck--;
      o.amend = { reqId, result: '-1', code: '51503', msg: 'Order modification failed as the order does not exist.' };
      queueMicrotask(() => { this.push(o); o.amend = undefined; });
      return answer;
    }
    const tUs = nowUs();
    o.amend = { reqId, result: '', code: '0', msg: '' };
    const rs = t.matching.modify(key, { priceTicks, sizeLots }, tUs);
    const refused = rs.find((r) => r.kind === 'update-rejected' && r.clientOrderId === key);
    o.amend = undefined;
    if (refused && 'reason' in refused) {
      if (/post-only/.test(refused.reason)) {
        if (p.cxlOnFail === true || p.cxlOnFail === 'true') {
          o.cancelSource = '1';
          o.amend = { reqId, result: '1', code: '51511', msg: 'Modification failed as the order price did not meet the requirement for Post Only.' };
          t.matching.cancel(key, tUs);
          o.amend = undefined;
          return answer;
        }
        throw fail('51511', 'Modification failed as the order price did not meet the requirement for Post Only.');
      }
      throw fail('51503', `Order modification failed as the order does not exist. (${refused.reason})`);
    }
    return answer;
  }

  /** A simulated-venue response: the order's new state, the account, the `orders` push. */
  private apply(instId: string, r: VenueResponse): void {
    if (r.kind === 'funding') return;
    const o = this.orders.get(r.clientOrderId);
    if (!o) return;
    const t = this.traded.get(instId)!;
    const ms = Math.floor(r.tsVenue / 1000);
    o.uTime = ms;
    switch (r.kind) {
      case 'accepted': this.push(o); break;
      case 'filled': {
        const sign = o.side === 'buy' ? 1 : -1;
        const quote = new Decimal(r.price).times(r.size);
        o.accFillSz = o.accFillSz.plus(r.size);
        o.fillNotional = o.fillNotional.plus(quote);
        // The simulated venue charges in the quote currency; OKX reports charges negative.
        o.fee = o.fee.minus(r.fee);
        o.feeCcy = r.feeCurrency;
        o.state = r.leavesLots === 0 ? 'filled' : 'partially_filled';
        this.credit(t.spec.base, new Decimal(r.size).times(sign));
        this.credit(t.spec.quote, quote.times(-sign));
        this.credit(r.feeCurrency, new Decimal(r.fee).neg());
        const f: OkxFill = {
          tradeId: String(300_000_000 + ++this.tradeSeq), fillPx: r.price, fillSz: r.size, fillFee: new Decimal(r.fee).neg().toFixed(), fillFeeCcy: r.feeCurrency,
          execType: r.liquidity === 'maker' ? 'M' : 'T', ts: ms, ordId: o.ordId, clOrdId: o.clOrdId, instId, side: o.side, billId: String(700_000_000 + this.tradeSeq),
        };
        this.fills.push(f);
        o.last = f;
        this.push(o);
        this.stats.fillsSent++;
        if (this.faults.duplicateFills) this.push(o);
        o.last = undefined;
        break;
      }
      case 'updated':
        // Pushed with the amendment's reqId and amendResult 0 (set by `amend` around the modify).
        o.px = t.inst.tick.toDecimal(r.priceTicks);
        o.sz = t.inst.lot.toDecimal(r.sizeLots);
        if (o.amend) o.amend.result = '0';
        this.push(o);
        o.amend = undefined; // fills that follow are pushed without the amendment's fields
        break;
      case 'canceled': o.state = 'canceled'; this.push(o); break;
      // IOC / FOK / market remainders: OKX cancels them (cancelSource 14: "canceled: order did not fill completely").
      case 'expired': o.state = 'canceled'; o.cancelSource = '14'; this.push(o); break;
      // A post-only order that would take: OKX places it, then cancels it (cancelSource 31).
      case 'rejected': o.state = 'canceled'; o.cancelSource = '31'; this.push(o); break;
      default: break;
    }
  }

  private credit(ccy: string, v: Decimal): void { this.balances.set(ccy, (this.balances.get(ccy) ?? new Decimal(0)).plus(v)); }

  private frozen(ccy: string): Decimal {
    let sum = new Decimal(0);
    for (const o of this.orders.values()) {
      if (!OPEN.has(o.state) || o.ordType === 'market') continue;
      const t = this.traded.get(o.instId)!;
      const left = new Decimal(o.sz).minus(o.accFillSz);
      if (o.side === 'buy' && t.spec.quote === ccy) sum = sum.plus(left.times(o.px));
      if (o.side === 'sell' && t.spec.base === ccy) sum = sum.plus(left);
    }
    return sum;
  }

  private available(ccy: string): Decimal { return (this.balances.get(ccy) ?? new Decimal(0)).minus(this.frozen(ccy)); }

  private bestAsk(t: Traded): Decimal | undefined {
    const book = this.sync.bookOf(t.spec.symbol);
    const ticks = book?.bestAsk();
    return ticks === undefined || !(ticks > 0) || !Number.isFinite(ticks) ? undefined : new Decimal(t.inst.tick.toDecimal(ticks));
  }

  private orderJson(o: OkxOrder): Record<string, unknown> {
    const f = o.last;
    const avgPx = o.accFillSz.isZero() ? '' : o.fillNotional.div(o.accFillSz).toFixed();
    return {
      instType: 'SPOT', instId: o.instId, tgtCcy: o.tgtCcy, ccy: '', ordId: o.ordId, clOrdId: o.clOrdId, tag: '', px: o.px, pxUsd: '', pxVol: '', pxType: '', sz: o.sz,
      pnl: '0', ordType: o.ordType, side: o.side, posSide: 'net', tdMode: 'cash', accFillSz: o.accFillSz.toFixed(), fillPx: f ? f.fillPx : '', tradeId: f ? f.tradeId : '',
      fillSz: f ? f.fillSz : '0', fillTime: f ? String(f.ts) : '', fillFee: f ? f.fillFee : '0', fillFeeCcy: f ? f.fillFeeCcy : '', execType: f ? f.execType : '',
      avgPx, state: o.state, lever: '', attachAlgoClOrdId: '', tpTriggerPx: '', tpTriggerPxType: '', tpOrdPx: '', slTriggerPx: '', slTriggerPxType: '', slOrdPx: '',
      attachAlgoOrds: [], stpId: '', stpMode: 'cancel_maker', feeCcy: o.feeCcy, fee: o.fee.toFixed(), rebateCcy: o.feeCcy, rebate: '0', source: '', category: 'normal',
      reduceOnly: 'false', isTpLimit: 'false', cancelSource: o.cancelSource, cancelSourceReason: '', quickMgnType: '', algoClOrdId: '', algoId: '',
      reqId: o.amend?.reqId ?? '', amendResult: o.amend?.result ?? '', amendSource: '', code: o.amend?.code ?? '0', msg: o.amend?.msg ?? '',
      uTime: String(o.uTime), cTime: String(o.cTime),
    };
  }

  private balanceJson(ccyFilter: string | null): Record<string, unknown> {
    const want = ccyFilter ? new Set(ccyFilter.split(',')) : undefined;
    const now = String(Date.now());
    const details = [...this.balances].filter(([c]) => !want || want.has(c)).map(([ccy, v]) => {
      const frozen = this.frozen(ccy);
      return {
        ccy, eq: v.toFixed(), cashBal: v.toFixed(), availBal: v.minus(frozen).toFixed(), availEq: v.minus(frozen).toFixed(), frozenBal: frozen.toFixed(), ordFrozen: frozen.toFixed(),
        disEq: '', eqUsd: '', isoEq: '0', liab: '0', upl: '0', uplLiab: '0', crossLiab: '0', isoLiab: '0', mgnRatio: '', interest: '0', twap: '0', maxLoan: '', notionalLever: '0',
        stgyEq: '0', isoUpl: '0', spotInUseAmt: '', uTime: now,
      };
    });
    return { adjEq: '', imr: '', isoEq: '0', mgnRatio: '', mmr: '', notionalUsd: '', ordFroz: '', totalEq: '', uTime: now, details };
  }

  // -------------------------------------------------------------------------- private WebSocket

  /** A connection to `/ws/v5/private`: login, then `orders` subscriptions. */
  onPrivateClient(ws: WebSocket): void {
    const connId = randomBytes(4).toString('hex');
    this.privateSockets.add(ws);
    ws.on('close', () => this.privateSockets.delete(ws));
    let loggedIn = false;
    const send = (o: unknown): void => { if (ws.readyState === 1) ws.send(JSON.stringify(o)); };
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text === 'ping') { ws.send('pong'); return; }
      let req: { op?: unknown; args?: unknown };
      try { req = JSON.parse(text) as typeof req; } catch { send({ event: 'error', code: '60012', msg: `Invalid request: ${text.slice(0, 100)}`, connId }); return; }
      const args = Array.isArray(req.args) ? (req.args as Record<string, unknown>[]) : undefined;
      if (req.op === 'login') {
        const r = args?.length === 1 ? verifyOkxLogin(args[0]!, this.o, Date.now()) : { ok: false as const, code: '60009', msg: 'Login failed.' };
        if (!r.ok) { this.stats.loginFailures++; send({ event: 'error', code: r.code, msg: r.msg, connId }); return; }
        loggedIn = true;
        this.stats.logins++;
        send({ event: 'login', code: '0', msg: '', connId });
        return;
      }
      if ((req.op !== 'subscribe' && req.op !== 'unsubscribe') || !args) { send({ event: 'error', code: '60012', msg: `Invalid request: ${text.slice(0, 100)}`, connId }); return; }
      if (!loggedIn) { send({ event: 'error', code: '60011', msg: 'Please log in', connId }); return; }
      for (const a of args) {
        const instType = typeof a.instType === 'string' ? a.instType : '';
        if (a.channel !== 'orders' || !['SPOT', 'ANY', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(instType)) {
          send({ event: 'error', code: '60018', msg: `Wrong URL or channel:${String(a.channel)},instType:${instType} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`, connId });
          continue;
        }
        const arg: Record<string, string> = { channel: 'orders', instType, ...(typeof a.instId === 'string' ? { instId: a.instId } : {}) };
        if (req.op === 'subscribe') this.users.add(JSON.stringify({ ...arg, uid: this.uid }), ws);
        send({ event: req.op, arg, connId });
      }
    });
  }

  /** The order's current state to every `orders` subscription that covers it. */
  private push(o: OkxOrder): void {
    const data = JSON.stringify([this.orderJson(o)]);
    this.stats.ordersPushed++;
    this.users.broadcast((key) => {
      const arg = JSON.parse(key) as { instType: string; instId?: string };
      if (!(arg.instType === 'SPOT' || arg.instType === 'ANY') || (arg.instId !== undefined && arg.instId !== o.instId)) return undefined;
      return `{"arg":${key},"data":${data}}`;
    });
  }
}

const ROUTES = new Set([
  'GET /api/v5/public/time', 'GET /api/v5/public/instruments', 'POST /api/v5/trade/order', 'POST /api/v5/trade/amend-order', 'POST /api/v5/trade/cancel-order', 'POST /api/v5/trade/cancel-batch-orders',
  'GET /api/v5/trade/order', 'GET /api/v5/trade/orders-pending', 'GET /api/v5/trade/fills', 'GET /api/v5/account/balance',
]);

const ok = (data: unknown[]): { code: string; msg: string; data: unknown[] } => ({ code: '0', msg: '', data });
