/**
 * A local Binance venue on 127.0.0.1 for paper/live tests: the real REST and WebSocket protocols, the
 * real captured market messages, and orders matched by the simulated venue. The capture decides the
 * product: spot (`/api/v3`, `executionReport`), USDⓈ-M (`/fapi/v1`, `/fapi/v2|v3` account) or COIN-M
 * (`/dapi/v1`), futures pushing `ORDER_TRADE_UPDATE` on the listenKey stream.
 *
 * - Market data: `/stream?streams=<s1>/<s2>/...` combined streams replay the capture verbatim, on the
 *   recorder's schedule divided by `speed`; the only edit is `E`/`T`, re-stamped to the emulator's
 *   clock minus 1 ms (a replay of 2024 data must look live to a client). `/api/v3/depth` serves the
 *   book those very messages built, with `lastUpdateId` = the last diff's `u` sent, so the documented
 *   snapshot sync works against it.
 * - Trading: SIGNED endpoints check the HMAC-SHA256 signature, the `X-MBX-APIKEY` header and the
 *   timestamp/recvWindow like Binance (binanceSignature.ts); orders go to a SimVenue fed with the same
 *   rows the clients receive (zero added latency: the socket is the latency). Fills, cancels and
 *   expiries are pushed as `executionReport` on the listenKey user-data stream. Futures also answer
 *   `PUT .../order` (Modify Order) through the simulated venue's modify, pushing ORDER_TRADE_UPDATE
 *   with execution type AMENDMENT.
 * - Futures positions: `GET /fapi/v2/positionRisk` / `/dapi/v1/positionRisk` answer the one-way row of
 *   the capture's symbol in Binance's field names; the `position` option starts the account holding one,
 *   and `tradeOutside` / `POST /emulator/position` moves it outside any run (a position drift).
 * - Faults (`faults`, or POST /emulator/faults): market disconnects, dropped diffs (a sequence gap),
 *   a stalled feed, delayed or lost order acks, 429 rate limits, 5xx after processing (Binance: "the
 *   execution status is UNKNOWN"), duplicate fill messages.
 *
 * A CLI-side tool: it reads files and the wall clock, which the engine below never does.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Decimal } from 'decimal.js';
import type { WebSocket } from 'ws';
import { BINANCE_PRODUCT_OF_VENUE, type BinanceProduct } from '../../adapters/binance/binanceCcxt.ts';
import { BINANCE_DEPTH_PATH, type BinanceVenue } from '../../adapters/binance/BinanceMarketData.ts';
import { BinanceBookSync } from '../../feeds/binance/BinanceBookSync.ts';
import { captureInstruments } from '../../feeds/binance/captureInstruments.ts';
import { binanceTrade } from '../../feeds/binance/trade.ts';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import { instrument as makeInstrument, type Instrument } from '../../model/instrument.ts';
import type { VenueResponse } from '../../sim/VenueResponse.ts';
import type { CaptureSession } from './binanceCapture.ts';
import { CaptureReplay, EmulatorMatching, LocalServer, nowUs, readBody, UserSocketFanout } from './emulatorShared.ts';
import { verifyBinanceSignature } from './binanceSignature.ts';

export interface EmulatorFaults {
  /** Next N depth diffs are applied to the book but not sent (clients see a sequence gap). */
  dropDiffs: number;
  /** Market messages are not sent while true (a stale feed; the socket stays open). */
  stallMarket: boolean;
  /** Order endpoints answer this much later. */
  ackDelayMs: number;
  /** Next N order POSTs are processed, then the connection is destroyed without an answer. */
  loseAcks: number;
  /** Next N SIGNED requests answer 429 (code -1003, Retry-After) without being processed. */
  rateLimit429: number;
  /** Next N SIGNED requests are processed, then answered 503 (execution status unknown). */
  server5xx: number;
  /** Every TRADE executionReport is sent twice. */
  duplicateFills: boolean;
  /**
   * Each order POST waits, unprocessed, until this many more open-order queries have been answered
   * (0 = off): an order in flight that the venue accepts after a client's look at its open orders
   * (the kill switch's race, test/live/killSwitchRace.int.test.ts).
   */
  holdOrdersForLooks: number;
}

export interface EmulatorOptions {
  readonly capture: CaptureSession;
  /** Replay speed-up (1 = real time). */
  readonly speed: number;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** 0 = any free port. */
  readonly port?: number;
  /** Starting balances, e.g. { USDT: '10000', BTC: '1' }. */
  readonly balances?: Readonly<Record<string, string>>;
  /**
   * Futures only: the account starts holding this position in the capture's symbol (one-way mode, as
   * left by an earlier session or a manual trade), e.g. { positionAmt: '-0.010', entryPrice: '56000.1' }.
   * `positionAmt` is signed, in the instrument's size unit (USDⓈ-M base asset, COIN-M contracts).
   */
  readonly position?: { readonly positionAmt: string; readonly entryPrice: string };
}

interface EmuOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly timeInForce: string;
  /** Price and total quantity change with each amendment (futures PUT order). */
  price: string;
  origQty: string;
  readonly reduceOnly: boolean;
  /** Amendments applied (futures refuse the 10000th, -5026). */
  modifications: number;
  executedQty: Decimal;
  cumQuote: Decimal;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
  readonly time: number;
  updateTime: number;
}

interface EmuTrade { id: number; orderId: number; price: string; qty: string; quoteQty: string; commission: string; commissionAsset: string; time: number; isBuyer: boolean; isMaker: boolean }

class BinanceApiError extends Error {
  constructor(readonly status: number, readonly code: number, msg: string) { super(msg); }
}

type Op = 'ping' | 'time' | 'exchangeInfo' | 'listenKey.new' | 'listenKey.keep' | 'order.new' | 'order.modify' | 'order.cancel' | 'order.get' | 'openOrders' | 'cancelAll' | 'trades' | 'account' | 'balance' | 'positionRisk';

/** The routes of each product (Binance spot, USDⓈ-M and COIN-M REST docs). */
function productRoutes(product: BinanceProduct): Map<string, Op> {
  const p = product === 'spot' ? '/api/v3' : product === 'usdm' ? '/fapi/v1' : '/dapi/v1';
  const r: [string, Op][] = [
    [`GET ${p}/ping`, 'ping'], [`GET ${p}/time`, 'time'], [`GET ${p}/exchangeInfo`, 'exchangeInfo'],
    [`POST ${p}/order`, 'order.new'], [`DELETE ${p}/order`, 'order.cancel'], [`GET ${p}/order`, 'order.get'], [`GET ${p}/openOrders`, 'openOrders'],
  ];
  if (product === 'spot') {
    r.push(['POST /api/v3/userDataStream', 'listenKey.new'], ['PUT /api/v3/userDataStream', 'listenKey.keep'], ['DELETE /api/v3/userDataStream', 'listenKey.keep'],
      ['DELETE /api/v3/openOrders', 'cancelAll'], ['GET /api/v3/myTrades', 'trades'], ['GET /api/v3/account', 'account']);
  } else {
    r.push([`PUT ${p}/order`, 'order.modify']);
    r.push([`POST ${p}/listenKey`, 'listenKey.new'], [`PUT ${p}/listenKey`, 'listenKey.keep'], [`DELETE ${p}/listenKey`, 'listenKey.keep'],
      [`DELETE ${p}/allOpenOrders`, 'cancelAll'], [`GET ${p}/userTrades`, 'trades']);
    if (product === 'usdm') for (const v of ['v2', 'v3']) r.push([`GET /fapi/${v}/account`, 'account'], [`GET /fapi/${v}/balance`, 'balance'], [`GET /fapi/${v}/positionRisk`, 'positionRisk']);
    else r.push(['GET /dapi/v1/account', 'account'], ['GET /dapi/v1/balance', 'balance'], ['GET /dapi/v1/positionRisk', 'positionRisk']);
  }
  return new Map(r);
}

export class BinanceSpotEmulator {
  readonly faults: EmulatorFaults = { dropDiffs: 0, stallMarket: false, ackDelayMs: 0, loseAcks: 0, rateLimit429: 0, server5xx: 0, duplicateFills: false, holdOrdersForLooks: 0 };
  /** Counters tests assert on. */
  readonly stats = { marketSent: 0, diffsDropped: 0, orderPosts: 0, orderModifies: 0, ordersCreated: 0, duplicateRejects: 0, signatureFailures: 0, fillsSent: 0, marketConnections: 0, openOrderLooks: 0, ordersHeld: 0 };
  /** Order POSTs held by `faults.holdOrdersForLooks`, each until `stats.openOrderLooks` reaches its mark. */
  private readonly heldOrders: { untilLooks: number; release: () => void }[] = [];

  private readonly inst: Instrument;
  private readonly symbolLower: string;
  private readonly http = new LocalServer((req, res) => { void this.handle(req, res); }, (req, socket, head) => this.upgrade(req, socket, head));
  private readonly marketClients = new Map<WebSocket, Set<string>>();
  private readonly users = new UserSocketFanout<string>();
  private readonly listenKeys = new Set<string>();
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();
  private lastUpdateId: number;
  private readonly replay: CaptureReplay<CaptureSession['messages'][number]>;
  private readonly matching: EmulatorMatching;
  private readonly sync: BinanceBookSync;
  private readonly tradeNorm;
  private readonly orders = new Map<string, EmuOrder>();
  private readonly byVenueId = new Map<string, EmuOrder>();
  private readonly trades: EmuTrade[] = [];
  private readonly balances = new Map<string, Decimal>();
  private orderSeq = 1_000_000;
  private tradeSeq = 5_000_000;
  private venueOrderIds = new Map<string, string>();
  private readonly responses: VenueResponse[] = [];
  /** `/api/v3/depth`, `/fapi/v1/depth` or `/dapi/v1/depth`: the product of the capture. */
  private readonly depthRoute: string;
  private readonly api: BinanceProduct;
  private readonly ops: Map<string, Op>;
  /** Futures: signed position in lots, and its average entry price (0 when flat). */
  private positionLots = 0;
  private entryPrice = new Decimal(0);
  private positionUpdateMs = 0;

  constructor(private readonly opts: EmulatorOptions) {
    const spec = captureInstruments.find((s) => s.venue === opts.capture.venue && s.symbol === opts.capture.symbol);
    if (!spec) throw new Error(`emulator: no instrument spec for ${opts.capture.venue} ${opts.capture.symbol}`);
    this.inst = makeInstrument(spec);
    this.depthRoute = `GET ${BINANCE_DEPTH_PATH[opts.capture.venue as BinanceVenue]}`;
    this.api = BINANCE_PRODUCT_OF_VENUE[opts.capture.venue]!;
    this.ops = productRoutes(this.api);
    this.symbolLower = spec.symbol.toLowerCase();
    for (const [p, q] of opts.capture.snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of opts.capture.snapshot.asks) this.asks.set(p, q);
    this.lastUpdateId = opts.capture.snapshot.lastUpdateId;
    const lookup = instrumentLookup(opts.capture.venue, [spec]);
    this.sync = new BinanceBookSync(opts.capture.venue, lookup);
    this.tradeNorm = binanceTrade(opts.capture.venue, lookup);
    this.matching = new EmulatorMatching(this.inst, (r) => this.applyResponse(r));
    this.matching.feed(this.sync.snapshot(spec.symbol, opts.capture.snapshot, nowUs()));
    this.replay = new CaptureReplay(opts.capture.messages, opts.speed, (m) => this.emit(m), () => this.faults.stallMarket);
    const defaults = this.api === 'spot' ? { USDT: '100000', BTC: '10' } : { [spec.settle]: this.api === 'usdm' ? '100000' : '10' };
    for (const [a, v] of Object.entries(opts.balances ?? defaults)) this.balances.set(a, new Decimal(v));
    if (opts.position) {
      if (this.api === 'spot') throw new Error(`emulator: option position: ${opts.capture.venue} is spot, which has no positions`);
      try { this.positionLots = this.inst.lot.toUnits(opts.position.positionAmt); } catch (e) { throw new Error(`emulator: option position.positionAmt '${opts.position.positionAmt}': ${(e as Error).message}`); }
      this.entryPrice = new Decimal(opts.position.entryPrice);
      if (this.positionLots !== 0 && !this.entryPrice.gt(0)) throw new Error(`emulator: option position.entryPrice must be > 0 for a non-zero position, got '${opts.position.entryPrice}'`);
      this.positionUpdateMs = Date.now();
    }
  }

  get url(): { rest: string; ws: string } {
    const port = this.http.port;
    return { rest: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
  }

  /** Messages still to replay. */
  get remaining(): number { return this.replay.remaining; }

  /** Instrument id of the capture, e.g. `binance-usdm:BTCUSDT`. */
  get product(): string { return `${this.opts.capture.venue}:${this.opts.capture.symbol}`; }

  async start(): Promise<{ rest: string; ws: string }> {
    await this.http.listen(this.opts.port ?? 0);
    this.replay.start();
    return this.url;
  }

  async close(): Promise<void> {
    this.replay.stop();
    await this.http.close();
  }

  /** Drops every market-data connection (a venue-side disconnect). */
  disconnectMarket(): void {
    for (const ws of this.marketClients.keys()) ws.terminate();
  }

  /** Client order ids of the orders open on the venue. */
  openOrderIds(): string[] {
    return [...this.orders.values()].filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').map((o) => o.clientOrderId);
  }

  /** How many order records carry this client id (Binance keeps one per accepted newClientOrderId). */
  ordersWithClientId(id: string): number { return this.orders.has(id) ? 1 : 0; }

  // ------------------------------------------------------------------------------------ market replay

  private emit(m: (typeof this.opts.capture.messages)[number]): void {
    const tUs = nowUs();
    const stampMs = Math.floor(tUs / 1000) - 1;
    const json = m.dataJson.replace(/"([ET])":\d+/g, (_all, k: string) => `"${k}":${stampMs}`);
    const data = m.data;
    let send = true;
    if (data.e === 'depthUpdate') {
      for (const [p, q] of data.b as [string, string][]) { if (Number(q) === 0) this.bids.delete(p); else this.bids.set(p, q); }
      for (const [p, q] of data.a as [string, string][]) { if (Number(q) === 0) this.asks.delete(p); else this.asks.set(p, q); }
      this.lastUpdateId = data.u as number;
      if (this.faults.dropDiffs > 0) { this.faults.dropDiffs--; this.stats.diffsDropped++; send = false; }
      this.matching.feed(this.sync.map({ ...data, E: stampMs }, tUs));
    } else if (data.e === 'trade') {
      this.matching.feed(this.tradeNorm.map({ ...data, T: stampMs, E: stampMs }, tUs));
    }
    if (send) {
      const text = `{"stream":"${m.stream}","data":${json}}`;
      for (const [ws, streams] of this.marketClients) {
        if (streams.has(m.stream) && ws.readyState === 1) { ws.send(text); this.stats.marketSent++; }
      }
    }
  }

  private applyResponse(r: VenueResponse): void {
    if (r.kind === 'funding') return;
    const o = this.orders.get(r.clientOrderId);
    if (!o) return;
    const ms = Math.floor(r.tsVenue / 1000);
    o.updateTime = ms;
    switch (r.kind) {
      case 'accepted':
        this.venueOrderIds.set(r.clientOrderId, r.venueOrderId);
        this.byVenueId.set(r.venueOrderId, o);
        this.pushReport(o, 'NEW', ms);
        break;
      case 'filled': {
        o.executedQty = o.executedQty.plus(r.size);
        const quote = new Decimal(r.price).times(r.size);
        o.cumQuote = o.cumQuote.plus(quote);
        o.status = r.leavesLots === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
        const sign = o.side === 'BUY' ? 1 : -1;
        if (this.api === 'spot') {
          this.balances.set(this.inst.base, (this.balances.get(this.inst.base) ?? new Decimal(0)).plus(new Decimal(r.size).times(sign)));
          this.balances.set(this.inst.quote, (this.balances.get(this.inst.quote) ?? new Decimal(0)).minus(quote.times(sign)).minus(r.fee));
        } else {
          // Futures: the position moves, the fee is paid from the margin asset (realized PnL not modelled).
          this.movePosition(sign * r.sizeLots, r.price, ms);
          this.balances.set(r.feeCurrency, (this.balances.get(r.feeCurrency) ?? new Decimal(0)).minus(r.fee));
        }
        const tr: EmuTrade = { id: this.tradeSeq++, orderId: o.orderId, price: r.price, qty: r.size, quoteQty: quote.toFixed(), commission: r.fee, commissionAsset: r.feeCurrency, time: ms, isBuyer: o.side === 'BUY', isMaker: r.liquidity === 'maker' };
        this.trades.push(tr);
        this.pushReport(o, 'TRADE', ms, tr);
        if (this.faults.duplicateFills) this.pushReport(o, 'TRADE', ms, tr);
        break;
      }
      case 'updated':
        // Futures PUT order: ORDER_TRADE_UPDATE with execution type AMENDMENT, the order as amended.
        o.price = new Decimal(this.inst.tick.toDecimal(r.priceTicks)).toFixed(this.inst.tick.decimals);
        o.origQty = new Decimal(this.inst.lot.toDecimal(r.sizeLots)).toFixed(this.inst.lot.decimals);
        o.modifications++;
        this.pushReport(o, 'AMENDMENT', ms);
        break;
      case 'canceled': o.status = 'CANCELED'; this.pushReport(o, 'CANCELED', ms); break;
      case 'expired': o.status = 'EXPIRED'; this.pushReport(o, 'EXPIRED', ms); break;
      case 'rejected': o.status = 'REJECTED'; break;
      default: break;
    }
  }

  private pushReport(o: EmuOrder, x: string, ms: number, tr?: EmuTrade): void {
    if (this.api !== 'spot') { this.pushFuturesReport(o, x, ms, tr); return; }
    const report = {
      e: 'executionReport', E: ms, s: this.inst.symbol, c: x === 'CANCELED' ? `web_${o.orderId}` : o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce,
      q: o.origQty, p: o.price, P: '0.00000000', F: '0.00000000', g: -1, C: x === 'CANCELED' ? o.clientOrderId : '', x, X: o.status, r: 'NONE',
      i: o.orderId, l: tr ? tr.qty : '0.00000000', z: o.executedQty.toFixed(8), L: tr ? tr.price : '0.00000000', n: tr ? tr.commission : '0', N: tr ? tr.commissionAsset : null,
      T: ms, t: tr ? tr.id : -1, I: 0, w: o.status === 'NEW', m: tr ? tr.isMaker : false, M: false, O: o.time, Z: o.cumQuote.toFixed(8),
      Y: tr ? tr.quoteQty : '0.00000000', Q: '0.00000000', W: o.time, V: 'EXPIRE_MAKER',
    };
    const text = JSON.stringify(report);
    if (x === 'TRADE') this.stats.fillsSent++;
    this.users.broadcast(text);
  }

  /** Futures user data: ORDER_TRADE_UPDATE, the order in `o`, `c` its own client id also on cancels. */
  private pushFuturesReport(o: EmuOrder, x: string, ms: number, tr?: EmuTrade): void {
    const avg = o.executedQty.isZero() ? '0' : this.avgPrice(o);
    const report = {
      e: 'ORDER_TRADE_UPDATE', E: ms, T: ms,
      o: {
        s: this.inst.symbol, c: o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce, q: o.origQty, p: o.price, ap: avg, sp: '0', x, X: o.status,
        i: o.orderId, l: tr ? tr.qty : '0', z: o.executedQty.toFixed(), L: tr ? tr.price : '0', N: tr ? tr.commissionAsset : this.inst.settle, n: tr ? tr.commission : '0',
        T: ms, t: tr ? tr.id : 0, b: '0', a: '0', m: tr ? tr.isMaker : false, R: o.reduceOnly, wt: 'CONTRACT_PRICE', ot: o.type, ps: 'BOTH', cp: false, rp: '0', pP: false,
        si: 0, ss: 0, V: 'NONE', pm: 'NONE', gtd: 0, ...(this.api === 'coinm' ? { ma: this.inst.settle } : {}),
      },
    };
    const text = JSON.stringify(report);
    if (x === 'TRADE') this.stats.fillsSent++;
    this.users.broadcast(text);
  }

  /** Average fill price: quote / base on USDⓈ-M; COIN-M's cumQuote is in contracts·price, same formula. */
  private avgPrice(o: EmuOrder): string {
    return o.cumQuote.div(o.executedQty).toDecimalPlaces(this.inst.tick.decimals).toFixed();
  }

  private avgPriceNumber(o: EmuOrder): Decimal { return o.cumQuote.div(o.executedQty); }

  /** USDⓈ-M / COIN-M exchangeInfo for the capture's contract (the fields ccxt's parseMarket reads). */
  private futuresExchangeInfo(): unknown {
    const i = this.inst;
    const usdm = this.api === 'usdm';
    return {
      timezone: 'UTC', serverTime: Date.now(),
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: usdm ? 2400 : 6000 },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
        ...(usdm ? [{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 }] : []),
      ],
      exchangeFilters: [],
      ...(usdm ? { assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }] } : {}),
      symbols: [{
        symbol: i.symbol, pair: i.symbol.replace(/_.*/, ''), contractType: 'PERPETUAL', deliveryDate: 4133404800000, onboardDate: 1569398400000,
        ...(usdm ? { status: 'TRADING' } : { contractStatus: 'TRADING', contractSize: Number(i.contractMultiplier) }),
        maintMarginPercent: '2.5000', requiredMarginPercent: '5.0000', baseAsset: i.base, quoteAsset: i.quote, marginAsset: i.settle,
        pricePrecision: i.tick.decimals, quantityPrecision: i.lot.decimals, baseAssetPrecision: 8, quotePrecision: 8, underlyingType: 'COIN', underlyingSubType: [],
        triggerProtect: '0.0500', liquidationFee: '0.012500', marketTakeBound: '0.05',
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: i.tickSize, maxPrice: '4529764', tickSize: i.tickSize },
          { filterType: 'LOT_SIZE', minQty: i.lotSize, maxQty: '1000', stepSize: i.lotSize },
          { filterType: 'MARKET_LOT_SIZE', minQty: i.lotSize, maxQty: '120', stepSize: i.lotSize },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          ...(usdm ? [{ filterType: 'MIN_NOTIONAL', notional: '100' }] : []),
          { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
        ],
        orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
      }],
    };
  }

  // --------------------------------------------------------------------------------------- websocket

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/stream') {
      const streams = new Set((url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== ''));
      this.http.wss.handleUpgrade(req, socket, head, (ws) => {
        this.stats.marketConnections++;
        this.marketClients.set(ws, streams);
        ws.on('close', () => this.marketClients.delete(ws));
      });
      return;
    }
    const m = /^\/ws\/([A-Za-z0-9]+)$/.exec(url.pathname);
    if (m && this.listenKeys.has(m[1]!)) {
      const key = m[1]!;
      this.http.wss.handleUpgrade(req, socket, head, (ws) => this.users.add(key, ws));
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  }

  // -------------------------------------------------------------------------------------------- REST

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const route = `${req.method} ${url.pathname}`;
    try {
      const out = await this.route(route, url, rawQuery, body, req, res);
      if (out === undefined) return; // answered (or deliberately not) by the route
      this.json(res, 200, out);
    } catch (e) {
      if (e instanceof BinanceApiError) {
        if (e.status === 429) res.setHeader('Retry-After', '1');
        this.json(res, e.status, { code: e.code, msg: e.message });
      } else this.json(res, 500, { code: -1000, msg: `An unknown error occurred while processing the request. ${(e as Error).message}` });
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'x-mbx-used-weight-1m': '1' });
    res.end(text);
  }

  private signed(req: IncomingMessage, rawQuery: string, body: string): URLSearchParams {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key === '') throw new BinanceApiError(401, -2014, 'API-key format invalid.');
    if (key !== this.opts.apiKey) throw new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const v = verifyBinanceSignature(rawQuery, body, this.opts.apiSecret, Date.now());
    if (!v.ok) { this.stats.signatureFailures++; throw new BinanceApiError(v.code === -1022 ? 400 : 400, v.code!, v.msg!); }
    if (this.faults.rateLimit429 > 0) {
      this.faults.rateLimit429--;
      throw new BinanceApiError(429, -1003, 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.');
    }
    return v.params;
  }

  /** 5xx after processing: the client cannot know whether the request took effect. */
  /** The request was processed: its answer, unless a fault loses it (socket dropped) or turns it into a 503. */
  private answerAfterProcessing(out: unknown, res: ServerResponse): unknown {
    if (this.faults.loseAcks > 0) {
      this.faults.loseAcks--;
      res.socket?.destroy();
      return undefined;
    }
    this.maybe5xx();
    return out;
  }

  private maybe5xx(): void {
    if (this.faults.server5xx > 0) { this.faults.server5xx--; throw new BinanceApiError(503, -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.'); }
  }

  private async route(route: string, url: URL, rawQuery: string, body: string, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const sym = (p: URLSearchParams): void => {
      const s = p.get('symbol');
      if (s !== this.inst.symbol) throw new BinanceApiError(400, -1121, 'Invalid symbol.');
    };
    const spot = this.api === 'spot';
    const op = this.ops.get(route);
    switch (route === this.depthRoute ? 'depth' : op ?? route) {
      case 'ping': return {};
      case 'time': return { serverTime: Date.now() };
      case 'exchangeInfo': return spot ? this.exchangeInfo() : this.futuresExchangeInfo();
      case 'depth': {
        sym(url.searchParams);
        const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 5000);
        const side = (m: Map<string, string>, desc: boolean): [string, string][] => [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]))).slice(0, limit);
        const book = { lastUpdateId: this.lastUpdateId, bids: side(this.bids, true), asks: side(this.asks, false) };
        if (spot) return book;
        // Futures snapshots also carry E (message output time) and T (transaction time).
        const ms = Math.floor(nowUs() / 1000) - 1;
        return { lastUpdateId: this.lastUpdateId, E: ms, T: ms, ...(this.opts.capture.venue === 'binance-coinm' ? { symbol: this.inst.symbol, pair: this.inst.symbol.replace(/_.*/, '') } : {}), bids: book.bids, asks: book.asks };
      }
      case 'listenKey.new': {
        if (req.headers['x-mbx-apikey'] !== this.opts.apiKey) throw new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
        const key = randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 60);
        this.listenKeys.add(key);
        return { listenKey: key };
      }
      case 'listenKey.keep': return {};
      case 'POST /emulator/faults': {
        Object.assign(this.faults, JSON.parse(body || '{}'));
        if (JSON.parse(body || '{}').disconnectMarket) this.disconnectMarket();
        return { faults: this.faults };
      }
      case 'GET /emulator/state': return { stats: this.stats, openOrders: this.openOrderIds(), remaining: this.remaining };
      case 'POST /emulator/position': {
        let o: unknown;
        try { o = JSON.parse(body || '{}'); } catch (e) { throw new BinanceApiError(400, -1102, `emulator: POST /emulator/position: body is not JSON: ${(e as Error).message}`); }
        const { tradeAmt, price } = (o ?? {}) as Record<string, unknown>;
        if (typeof tradeAmt !== 'string' || typeof price !== 'string') throw new BinanceApiError(400, -1102, 'emulator: POST /emulator/position: expected {"tradeAmt": "<signed decimal>", "price": "<decimal>"}');
        try { this.tradeOutside(tradeAmt, price); } catch (e) { throw new BinanceApiError(400, -1102, `emulator: POST /emulator/position: ${(e as Error).message}`); }
        return { positionAmt: this.inst.lot.toDecimal(this.positionLots), entryPrice: this.entryPrice.toString() };
      }
      default: break;
    }
    if (op === undefined) throw new BinanceApiError(404, -1000, `emulator (${this.api}): no route ${route}`);
    const p = this.signed(req, rawQuery, body);
    if (this.faults.ackDelayMs > 0) await new Promise((r) => setTimeout(r, this.faults.ackDelayMs));
    const open = (): EmuOrder[] => [...this.orders.values()].filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED');
    switch (op) {
      case 'order.new': {
        sym(p);
        if (this.faults.holdOrdersForLooks > 0) {
          this.stats.ordersHeld++;
          const untilLooks = this.stats.openOrderLooks + this.faults.holdOrdersForLooks;
          await new Promise<void>((release) => this.heldOrders.push({ untilLooks, release }));
        }
        this.stats.orderPosts++;
        return this.answerAfterProcessing(this.newOrder(p), res);
      }
      case 'order.modify': {
        sym(p);
        this.stats.orderModifies++;
        return this.answerAfterProcessing(this.modifyOrder(p), res);
      }
      case 'order.cancel': {
        sym(p);
        const o = this.find(p);
        if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') throw new BinanceApiError(400, -2011, 'Unknown order sent.');
        this.matching.cancel(o.clientOrderId, nowUs());
        this.maybe5xx();
        return this.orderJson(o);
      }
      case 'order.get': sym(p); this.maybe5xx(); return this.orderJson(this.find(p));
      case 'openOrders': {
        this.maybe5xx();
        const list = open().map((o) => this.orderJson(o));
        // Held orders are released after the answer is taken: this look did not see them.
        this.stats.openOrderLooks++;
        for (let i = this.heldOrders.length - 1; i >= 0; i--) {
          const h = this.heldOrders[i]!;
          if (h.untilLooks <= this.stats.openOrderLooks) { this.heldOrders.splice(i, 1); h.release(); }
        }
        return list;
      }
      case 'cancelAll': {
        sym(p);
        const list = open();
        // Spot: -2011 when nothing is open, else the canceled orders; futures: always {code: 200, msg}.
        if (spot && list.length === 0) throw new BinanceApiError(400, -2011, 'Unknown order sent.');
        const t = nowUs();
        for (const o of list) this.matching.cancel(o.clientOrderId, t);
        return spot ? list.map((o) => this.orderJson(o)) : { code: 200, msg: 'The operation of cancel all open order is done.' };
      }
      case 'trades':
        sym(p);
        return this.trades.map((t) => (spot
          ? { symbol: this.inst.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: t.price, qty: t.qty, quoteQty: t.quoteQty, commission: t.commission, commissionAsset: t.commissionAsset, time: t.time, isBuyer: t.isBuyer, isMaker: t.isMaker, isBestMatch: true }
          : { symbol: this.inst.symbol, id: t.id, orderId: t.orderId, side: t.isBuyer ? 'BUY' : 'SELL', price: t.price, qty: t.qty, realizedPnl: '0', marginAsset: this.inst.settle, quoteQty: t.quoteQty, commission: t.commission, commissionAsset: t.commissionAsset, time: t.time, positionSide: 'BOTH', buyer: t.isBuyer, maker: t.isMaker }));
      case 'account':
        if (spot) {
          return {
            makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0, canTrade: true, canWithdraw: false, canDeposit: false,
            updateTime: Date.now(), accountType: 'SPOT', permissions: ['SPOT'],
            balances: [...this.balances].map(([asset, v]) => ({ asset, free: v.toFixed(8), locked: '0.00000000' })),
          };
        }
        return { canTrade: true, canDeposit: false, canWithdraw: false, updateTime: 0, assets: this.futuresAssets(), positions: [this.futuresPosition()] };
      case 'balance': return this.futuresAssets().map((a) => ({ accountAlias: 'emulator', ...a, balance: a.walletBalance, crossWalletBalance: a.walletBalance }));
      case 'positionRisk': return [this.futuresPosition()];
      default:
        throw new BinanceApiError(404, -1000, `emulator: no route ${route}`);
    }
  }

  private futuresAssets(): Record<string, unknown>[] {
    return [...this.balances].map(([asset, v]) => ({
      asset, walletBalance: v.toFixed(8), unrealizedProfit: '0', marginBalance: v.toFixed(8), maintMargin: '0', initialMargin: '0', positionInitialMargin: '0',
      openOrderInitialMargin: '0', maxWithdrawAmount: v.toFixed(8), crossWalletBalance: v.toFixed(8), crossUnPnl: '0', availableBalance: v.toFixed(8), updateTime: Date.now(),
    }));
  }

  /**
   * Average entry price as Binance keeps it: adding to a position averages the price in, reducing keeps
   * it, flipping through zero starts the new side at the fill price, flat is 0.
   */
  private movePosition(deltaLots: number, price: string, ms: number): void {
    const before = this.positionLots;
    const after = before + deltaLots;
    if (after === 0) this.entryPrice = new Decimal(0);
    else if (before === 0 || Math.sign(before) !== Math.sign(after)) this.entryPrice = new Decimal(price);
    else if (Math.abs(after) > Math.abs(before)) {
      // Linear: quantity-weighted price; inverse (COIN-M): the harmonic mean, contracts over contracts / price.
      const px = new Decimal(price);
      this.entryPrice = this.api === 'coinm'
        ? new Decimal(Math.abs(after)).div(new Decimal(Math.abs(before)).div(this.entryPrice).plus(new Decimal(Math.abs(deltaLots)).div(px)))
        : this.entryPrice.times(Math.abs(before)).plus(px.times(Math.abs(deltaLots))).div(Math.abs(after));
    }
    this.positionLots = after;
    this.positionUpdateMs = ms;
  }

  /**
   * Futures: the account's position moves by `tradeAmt` (signed, the instrument's size unit) at
   * `price` outside any run — a trade from another session, the web UI, a liquidation — with no order
   * and no user-stream message (what a run's drift check must find by asking positionRisk).
   * Also `POST /emulator/position` {"tradeAmt": "-0.005", "price": "61800"}.
   */
  tradeOutside(tradeAmt: string, price: string): void {
    if (this.api === 'spot') throw new Error(`${this.opts.capture.venue} is spot, which has no positions`);
    const lots = this.inst.lot.toUnits(tradeAmt);
    if (!(new Decimal(price).gt(0))) throw new Error(`price must be > 0, got '${price}'`);
    this.movePosition(lots, price, Date.now());
  }

  /** Mid of the replayed book (the emulator's mark price; Binance's is an index-based mark). */
  private markPrice(): Decimal {
    let bid = 0; let ask = Infinity;
    for (const p of this.bids.keys()) bid = Math.max(bid, Number(p));
    for (const p of this.asks.keys()) ask = Math.min(ask, Number(p));
    return bid > 0 && Number.isFinite(ask) ? new Decimal(bid).plus(ask).div(2).toDecimalPlaces(this.inst.tick.decimals + 2) : new Decimal(0);
  }

  /**
   * The one-way ('BOTH') row of `GET /fapi/v2/positionRisk` or `GET /dapi/v1/positionRisk`, in the
   * documented field names and order (Binance answers every TRADING symbol, zero rows included; the
   * emulator has one symbol). Margin, leverage and liquidation are not modelled: the fixed values of a
   * 20x cross account without liquidation. (`/fapi/v3/positionRisk` is answered the same, unverified.)
   */
  private futuresPosition(): Record<string, unknown> {
    const qty = new Decimal(this.inst.lot.toDecimal(this.positionLots));
    const mark = this.markPrice();
    const entry = this.entryPrice;
    const flat = qty.isZero();
    // At the symbol's quantity precision, as Binance writes it ("0.000", "-0.010"; COIN-M "3").
    const amt = qty.toFixed(this.inst.lot.decimals);
    const entryStr = flat ? '0.0' : entry.toFixed();
    if (this.api === 'usdm') {
      const upnl = flat || mark.isZero() ? new Decimal(0) : mark.minus(entry).times(qty);
      return {
        symbol: this.inst.symbol, positionAmt: amt, entryPrice: entryStr, breakEvenPrice: entryStr, markPrice: mark.toFixed(8), unRealizedProfit: upnl.toFixed(8),
        liquidationPrice: '0', leverage: '20', maxNotionalValue: '20000000', marginType: 'cross', isolatedMargin: '0.00000000', isAutoAddMargin: 'false',
        positionSide: 'BOTH', notional: qty.times(mark).toFixed(8), isolatedWallet: '0', updateTime: this.positionUpdateMs,
      };
    }
    // COIN-M: contracts of `contractMultiplier` USD; PnL and notional in the base coin.
    const usd = qty.times(this.inst.contractMultiplier);
    const upnl = flat || mark.isZero() ? new Decimal(0) : usd.div(entry).minus(usd.div(mark));
    return {
      symbol: this.inst.symbol, positionAmt: amt, entryPrice: entryStr, breakEvenPrice: entryStr, markPrice: mark.toFixed(8), unRealizedProfit: upnl.toFixed(8),
      liquidationPrice: '0', leverage: '20', maxQty: '50', marginType: 'cross', isolatedMargin: '0.00000000', isAutoAddMargin: 'false',
      positionSide: 'BOTH', notionalValue: mark.isZero() ? '0' : usd.div(mark).toFixed(8), isolatedWallet: '0', updateTime: this.positionUpdateMs,
    };
  }

  private find(p: URLSearchParams): EmuOrder {
    const cid = p.get('origClientOrderId');
    const oid = p.get('orderId');
    const o = cid ? this.orders.get(cid) : [...this.orders.values()].find((x) => String(x.orderId) === oid);
    if (!o) throw new BinanceApiError(400, -2013, 'Order does not exist.');
    return o;
  }

  private newOrder(p: URLSearchParams): unknown {
    const spot = this.api === 'spot';
    const side = p.get('side');
    const type = p.get('type');
    const qty = p.get('quantity');
    const price = p.get('price') ?? '0';
    if (side !== 'BUY' && side !== 'SELL') throw new BinanceApiError(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    // Spot's post-only is the LIMIT_MAKER type; futures' is timeInForce GTX.
    if (!(type === 'LIMIT' || type === 'MARKET' || (spot && type === 'LIMIT_MAKER'))) throw new BinanceApiError(400, -1116, 'Invalid orderType.');
    if (!qty) throw new BinanceApiError(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    const tif = type === 'LIMIT' ? (p.get('timeInForce') ?? '') : 'GTC';
    if (type === 'LIMIT' && !(spot ? ['GTC', 'IOC', 'FOK'] : ['GTC', 'IOC', 'FOK', 'GTX']).includes(tif)) throw new BinanceApiError(400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
    const cid = p.get('newClientOrderId') ?? `emu${this.orderSeq + 1}`;
    if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(cid)) throw new BinanceApiError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    const existing = this.orders.get(cid);
    if (existing && (existing.status === 'NEW' || existing.status === 'PARTIALLY_FILLED' || existing.status === 'FILLED')) {
      this.stats.duplicateRejects++;
      if (spot) throw new BinanceApiError(400, -2010, 'Duplicate order sent.');
      throw new BinanceApiError(400, -4116, 'ClientOrderId is duplicated.');
    }
    let priceTicks = 0; let sizeLots = 0;
    try {
      sizeLots = this.inst.lot.toUnits(qty);
      if (type !== 'MARKET') priceTicks = this.inst.tick.toUnits(price);
    } catch { throw new BinanceApiError(400, -1013, 'Filter failure: PRICE_FILTER'); }
    // USDⓈ-M MIN_NOTIONAL filter (100 USDT on BTCUSDT), reduce-only exempt.
    if (this.api === 'usdm' && type === 'LIMIT' && p.get('reduceOnly') !== 'true' && new Decimal(price).times(qty).lt(100)) {
      throw new BinanceApiError(400, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only).");
    }
    const t = nowUs();
    const dp = spot ? 8 : this.inst.tick.decimals;
    const o: EmuOrder = {
      orderId: ++this.orderSeq, clientOrderId: cid, side, type, timeInForce: tif, price: type === 'MARKET' ? new Decimal(0).toFixed(dp) : new Decimal(price).toFixed(dp),
      origQty: new Decimal(qty).toFixed(spot ? 8 : this.inst.lot.decimals), reduceOnly: p.get('reduceOnly') === 'true',
      executedQty: new Decimal(0), cumQuote: new Decimal(0), modifications: 0, status: 'NEW', time: Math.floor(t / 1000), updateTime: Math.floor(t / 1000),
    };
    this.orders.set(cid, o);
    const postOnly = type === 'LIMIT_MAKER' || tif === 'GTX';
    const rs = this.matching.submit({ clientOrderId: cid, side: side === 'BUY' ? 'buy' : 'sell', type: type === 'MARKET' ? 'market' : 'limit', timeInForce: postOnly ? 'POST_ONLY' : (tif as 'GTC' | 'IOC' | 'FOK'), priceTicks, sizeLots }, t);
    if (rs.some((r) => r.kind === 'rejected' && r.clientOrderId === cid)) {
      this.orders.delete(cid);
      if (spot) throw new BinanceApiError(400, -2010, 'Order would immediately match and take.');
      throw new BinanceApiError(400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history');
    }
    this.stats.ordersCreated++;
    if (!spot) return this.orderJson(o);
    const fills = this.trades.filter((x) => x.orderId === o.orderId).map((x) => ({ price: x.price, qty: x.qty, commission: x.commission, commissionAsset: x.commissionAsset, tradeId: x.id }));
    return { ...this.orderJson(o), transactTime: o.time, fills };
  }

  /**
   * Futures `PUT /fapi/v1/order` / `PUT /dapi/v1/order` (Modify Order, LIMIT only) by orderId or
   * origClientOrderId: USDⓈ-M needs side, quantity and price; COIN-M side and either. The change goes
   * through the simulated venue's modify (the order keeps its ids; its fills and the AMENDMENT push
   * come from the responses). As documented: filters failing leave the order as it is; a new quantity
   * at or below the executed one, or a GTX order priced through the book, CANCELS the order (answered
   * with the canceled order); fewer than 10000 modifications per order (-5026); nothing changed is
   * -5027 "No need to modify the order."; a closed or unknown order -2013 (Binance's answer for a
   * filled order is not documented: -2013 is the emulator's choice).
   */
  private modifyOrder(p: URLSearchParams): unknown {
    const usdm = this.api === 'usdm';
    const o = this.find(p);
    const side = p.get('side');
    if (side !== 'BUY' && side !== 'SELL') throw new BinanceApiError(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    if (side !== o.side) throw new BinanceApiError(400, -1102, "Parameter 'side' does not match the order's side.");
    const qty = p.get('quantity') ?? (usdm ? null : o.origQty);
    const price = p.get('price') ?? (usdm ? null : o.price);
    if (!qty) throw new BinanceApiError(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    if (!price) throw new BinanceApiError(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
    if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') throw new BinanceApiError(400, -2013, 'Order does not exist.');
    if (o.type !== 'LIMIT') throw new BinanceApiError(400, -5025, 'Only limit order is supported.');
    let priceTicks = 0; let sizeLots = 0;
    try { sizeLots = this.inst.lot.toUnits(qty); } catch { throw new BinanceApiError(400, -1013, 'Filter failure: LOT_SIZE'); }
    try { priceTicks = this.inst.tick.toUnits(price); } catch { throw new BinanceApiError(400, -1013, 'Filter failure: PRICE_FILTER'); }
    if (sizeLots <= 0) throw new BinanceApiError(400, -1013, 'Filter failure: LOT_SIZE');
    if (priceTicks <= 0) throw new BinanceApiError(400, -1013, 'Filter failure: PRICE_FILTER');
    if (sizeLots === this.inst.lot.toUnits(o.origQty) && priceTicks === this.inst.tick.toUnits(o.price)) throw new BinanceApiError(400, -5027, 'No need to modify the order.');
    if (o.modifications >= 9999) throw new BinanceApiError(400, -5026, 'Exceed maximum modify order limit.');
    if (usdm && !o.reduceOnly && new Decimal(price).times(qty).lt(100)) throw new BinanceApiError(400, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only).");
    const t = nowUs();
    if (sizeLots <= this.inst.lot.toUnits(o.executedQty.toFixed())) {
      this.matching.cancel(o.clientOrderId, t);
      return this.orderJson(o);
    }
    const rs = this.matching.modify(o.clientOrderId, { priceTicks, sizeLots }, t);
    const refused = rs.find((r) => r.kind === 'update-rejected' && r.clientOrderId === o.clientOrderId);
    if (refused && 'reason' in refused && /post-only/.test(refused.reason)) {
      this.matching.cancel(o.clientOrderId, t); // GTX priced through the book: canceled by the amendment
      return this.orderJson(o);
    }
    if (refused && 'reason' in refused) throw new BinanceApiError(400, -2013, `Order does not exist. (${refused.reason})`);
    return this.orderJson(o);
  }

  private orderJson(o: EmuOrder): Record<string, unknown> {
    if (this.api !== 'spot') {
      const filled = o.executedQty.toFixed(this.inst.lot.decimals);
      return {
        orderId: o.orderId, symbol: this.inst.symbol, ...(this.api === 'coinm' ? { pair: this.inst.symbol.replace(/_.*/, '') } : {}), status: o.status, clientOrderId: o.clientOrderId,
        price: o.price, avgPrice: o.executedQty.isZero() ? '0' : this.avgPrice(o), origQty: o.origQty, executedQty: filled, cumQty: filled,
        ...(this.api === 'usdm' ? { cumQuote: o.cumQuote.toFixed(8) } : { cumBase: o.cumQuote.div(o.executedQty.isZero() ? 1 : this.avgPriceNumber(o)).times(this.inst.contractMultiplier).toFixed(8) }),
        timeInForce: o.timeInForce, type: o.type, reduceOnly: o.reduceOnly, closePosition: false, side: o.side, positionSide: 'BOTH', stopPrice: '0', workingType: 'CONTRACT_PRICE',
        priceProtect: false, origType: o.type, priceMatch: 'NONE', selfTradePreventionMode: 'NONE', goodTillDate: 0, time: o.time, updateTime: o.updateTime,
      };
    }
    return {
      symbol: this.inst.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: o.price, origQty: o.origQty,
      executedQty: o.executedQty.toFixed(8), cummulativeQuoteQty: o.cumQuote.toFixed(8), status: o.status, timeInForce: o.timeInForce,
      type: o.type, side: o.side, stopPrice: '0.00000000', icebergQty: '0.00000000', time: o.time, updateTime: o.updateTime,
      isWorking: true, workingTime: o.time, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }

  private exchangeInfo(): unknown {
    const i = this.inst;
    return {
      timezone: 'UTC', serverTime: Date.now(),
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
      ],
      exchangeFilters: [],
      symbols: [{
        symbol: i.symbol, status: 'TRADING', baseAsset: i.base, baseAssetPrecision: 8, quoteAsset: i.quote, quotePrecision: 8, quoteAssetPrecision: 8,
        baseCommissionPrecision: 8, quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true, ocoAllowed: true, otoAllowed: true, quoteOrderQtyMarketAllowed: true, allowTrailingStop: true, cancelReplaceAllowed: true,
        isSpotTradingAllowed: true, isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: i.tickSize, maxPrice: '1000000.00000000', tickSize: i.tickSize },
          { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
          { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        ],
        permissions: [], permissionSets: [['SPOT']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      }],
    };
  }
}
