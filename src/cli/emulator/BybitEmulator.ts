/**
 * A local Bybit v5 venue on 127.0.0.1. Public market data on `/v5/public/linear` (and `/v5/public/spot`):
 * `orderbook.50.<S>` snapshot + delta and `publicTrade.<S>`, replayed on the recorder's schedule divided
 * by `speed` from the legacy 2021 capture TRANSLATED into v5 shape (bybitCapture.ts: not verbatim; `ts`,
 * `cts` and trade `T` re-stamped to the emulator's clock minus 1 ms). The capture is of USDT
 * perpetuals; `/v5/public/spot` serves the same book, a stand-in (no Bybit spot capture exists).
 *
 * Subscriptions are answered like Bybit v5 (`{"success":true,"ret_msg":"subscribe","conn_id":...,
 * "op":"subscribe"}`); an `orderbook` subscription gets a snapshot of the book the replay has built
 * (Bybit always starts a book topic with a snapshot), then the deltas that follow it (`u` + 1 each).
 * `{"op":"ping"}` is answered `{"success":true,"ret_msg":"pong",...,"op":"ping"}`.
 *
 * With `account`, the emulator trades (BybitAccount.ts): v5 REST order entry and the private WebSocket
 * `/v5/private` on the same port, matched by the simulated venue against the replayed book.
 * Public REST: GET /v5/market/time, /v5/market/instruments-info (what ccxt's `bybit` loadMarkets and
 * BybitExecution's start-up check read), /v5/market/orderbook (the replayed book). `POST
 * /emulator/faults` sets market and trading faults; `GET /emulator/state` shows counters and open orders.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { BybitAccount, BybitApiError, type BybitAccountOptions } from './BybitAccount.ts';
import type { BybitCapture, BybitCaptureMessage } from './bybitCapture.ts';
import { CaptureReplay, LocalServer, readBody } from './emulatorShared.ts';

export interface BybitEmulatorFaults {
  /** Next N book deltas are applied to the book but not sent (the client sees a `u` gap). */
  dropBookUpdates: number;
  /** Market messages are not sent while true (the socket stays open). */
  stallMarket: boolean;
}

export interface BybitEmulatorOptions {
  readonly capture: BybitCapture;
  readonly speed: number;
  readonly port?: number;
  /** Start with the replay held until `resume()`. */
  readonly paused?: boolean;
  /** Hold the replay until the first subscribe request has been answered. */
  readonly startOnSubscribe?: boolean;
  /** Order entry (REST + private WebSocket); omitted = market data only. */
  readonly account?: Omit<BybitAccountOptions, 'bestAsk'>;
}

interface Book { readonly bids: Map<string, string>; readonly asks: Map<string, string>; u: number; seq: number }

const nowMs = (): number => Math.floor(performance.timeOrigin + performance.now());
const PUBLIC_PATHS = new Set(['/v5/public/linear', '/v5/public/spot']);

export class BybitEmulator {
  readonly faults: BybitEmulatorFaults = { dropBookUpdates: 0, stallMarket: false };
  readonly stats = { marketSent: 0, snapshotsBuilt: 0, updatesDropped: 0, connections: 0, subscribes: 0, unsubscribes: 0 };
  private readonly http = new LocalServer((req, res) => { void this.handle(req, res); }, (req, socket, head) => this.upgrade(req, socket, head));
  /** Per client: subscribed topics; orderbook topics only once the client has a snapshot. */
  private readonly clients = new Map<WebSocket, { subs: Set<string>; booksReady: Set<string> }>();
  private readonly books = new Map<string, Book>();
  private readonly replay: CaptureReplay<BybitCaptureMessage>;
  readonly account: BybitAccount | undefined;

  constructor(private readonly opts: BybitEmulatorOptions) {
    this.replay = new CaptureReplay(opts.capture.messages, opts.speed, (m) => this.emit(m), () => this.faults.stallMarket);
    if (opts.account) {
      for (const s of opts.account.instruments) if (!opts.capture.symbols.includes(s.symbol)) throw new Error(`bybit emulator: ${s.symbol} trades but the capture ${opts.capture.file} does not replay it`);
      this.account = new BybitAccount({ ...opts.account, bestAsk: (symbol) => this.bestAsk(symbol) });
    }
  }

  /** `ws`: the public linear socket (`wsSpot` beside it); `rest` and `wsPrivate`: order entry. */
  get url(): { ws: string; wsSpot: string; rest: string; wsPrivate: string } {
    const port = this.http.port;
    return { ws: `ws://127.0.0.1:${port}/v5/public/linear`, wsSpot: `ws://127.0.0.1:${port}/v5/public/spot`, rest: `http://127.0.0.1:${port}`, wsPrivate: `ws://127.0.0.1:${port}/v5/private` };
  }

  get remaining(): number { return this.replay.remaining; }

  get symbols(): readonly string[] { return this.opts.capture.symbols; }

  /** Instrument ids with order entry. */
  get tradedIds(): readonly string[] { return this.opts.account?.instruments.map((s) => s.id) ?? []; }

  async start(): Promise<{ ws: string; wsSpot: string; rest: string; wsPrivate: string }> {
    await this.http.listen(this.opts.port ?? 0);
    if (!this.opts.paused && !this.opts.startOnSubscribe) this.resume();
    return this.url;
  }

  resume(): void { this.replay.start(); }

  async close(): Promise<void> {
    this.replay.stop();
    await this.http.close();
  }

  openOrderIds(): string[] { return this.account?.openOrderIds() ?? []; }

  ordersWithLinkId(id: string): number { return this.account?.ordersWithLinkId(id) ?? 0; }

  disconnectMarket(): void { for (const ws of this.clients.keys()) ws.terminate(); }

  bestAsk(symbol: string): string | undefined {
    const b = this.books.get(symbol);
    return b ? [...b.asks.keys()].sort((x, y) => Number(x) - Number(y))[0] : undefined;
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const account = this.account;
    if (path === '/v5/private' && account) { this.http.wss.handleUpgrade(req, socket, head, (ws) => account.onPrivateClient(ws)); return; }
    if (!PUBLIC_PATHS.has(path)) { socket.end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
    this.http.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
  }

  // ------------------------------------------------------------------------------------- clients

  private onClient(ws: WebSocket): void {
    this.stats.connections++;
    const c = { subs: new Set<string>(), booksReady: new Set<string>() };
    this.clients.set(ws, c);
    const connId = `${randomBytes(10).toString('hex')}-${randomBytes(2).toString('hex')}`;
    ws.on('close', () => this.clients.delete(ws));
    ws.on('message', (raw) => {
      const text = raw.toString();
      let req: { op?: unknown; args?: unknown; req_id?: unknown };
      try { req = JSON.parse(text) as typeof req; } catch { ws.send(JSON.stringify({ success: false, ret_msg: 'error:json parse failed', conn_id: connId })); return; }
      const reqId = typeof req.req_id === 'string' ? { req_id: req.req_id } : {};
      if (req.op === 'ping') { ws.send(JSON.stringify({ success: true, ret_msg: 'pong', conn_id: connId, ...reqId, op: 'ping' })); return; }
      if ((req.op !== 'subscribe' && req.op !== 'unsubscribe') || !Array.isArray(req.args)) {
        ws.send(JSON.stringify({ success: false, ret_msg: `error:unsupported op ${String(req.op)}`, conn_id: connId, ...reqId, op: String(req.op) })); return;
      }
      const topics = req.args as unknown[];
      const bad = topics.find((t) => typeof t !== 'string' || !this.knownTopic(t));
      if (bad !== undefined) { ws.send(JSON.stringify({ success: false, ret_msg: `error:handler not found,topic:${String(bad)}`, conn_id: connId, ...reqId, op: req.op })); return; }
      if (req.op === 'unsubscribe') {
        this.stats.unsubscribes++;
        for (const t of topics as string[]) { c.subs.delete(t); c.booksReady.delete(t); }
        ws.send(JSON.stringify({ success: true, ret_msg: '', conn_id: connId, ...reqId, op: 'unsubscribe' }));
        return;
      }
      this.stats.subscribes++;
      for (const t of topics as string[]) c.subs.add(t);
      ws.send(JSON.stringify({ success: true, ret_msg: 'subscribe', conn_id: connId, ...reqId, op: 'subscribe' }));
      for (const t of topics as string[]) {
        if (!t.startsWith('orderbook.')) continue;
        const symbol = t.slice(t.lastIndexOf('.') + 1);
        const book = this.books.get(symbol);
        if (book) { this.send(ws, this.snapshotText(t, symbol, book)); c.booksReady.add(t); this.stats.snapshotsBuilt++; }
      }
      if (this.opts.startOnSubscribe) this.resume();
    });
  }

  /** `orderbook.<1|50|200>.<S>` (all served from the replayed book) and `publicTrade.<S>` of the capture's symbols. */
  private knownTopic(t: string): boolean {
    const m = /^(?:orderbook\.(?:1|50|200)|publicTrade)\.([A-Z0-9]+)$/.exec(t);
    return m !== null && this.opts.capture.symbols.includes(m[1]!);
  }

  // --------------------------------------------------------------------------------------- replay

  private emit(m: BybitCaptureMessage): void {
    const ts = nowMs() - 1;
    this.account?.onMarket(m);
    if (m.kind === 'publicTrade') {
      const data = (m.msg.data as Record<string, unknown>[]).map((d) => ({ ...d, T: ts }));
      const text = JSON.stringify({ ...m.msg, ts, data });
      const topic = `publicTrade.${m.symbol}`;
      for (const [ws, c] of this.clients) if (c.subs.has(topic)) this.send(ws, text);
      return;
    }
    const snapshot = m.msg.type === 'snapshot';
    const d = m.msg.data as { b: string[][]; a: string[][]; u: number; seq: number };
    this.apply(m.symbol, d, snapshot);
    if (!snapshot && this.faults.dropBookUpdates > 0) { this.faults.dropBookUpdates--; this.stats.updatesDropped++; return; }
    for (const [ws, c] of this.clients) {
      for (const topic of c.subs) {
        if (!topic.startsWith('orderbook.') || !topic.endsWith(`.${m.symbol}`)) continue;
        if (!snapshot && !c.booksReady.has(topic)) continue;
        this.send(ws, JSON.stringify({ ...m.msg, topic, ts, cts: ts }));
        c.booksReady.add(topic);
      }
    }
  }

  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== 1) return;
    ws.send(text);
    this.stats.marketSent++;
  }

  /**
   * Before the replay has built a book (it starts on the first subscription, or paused): the book the
   * replay will open with, from the capture's first snapshot of the symbol, as the venue would serve
   * its current book to a client priming before it subscribes. Undefined for a symbol the capture does
   * not replay.
   */
  private openingBook(symbol: string): Book | undefined {
    const first = this.opts.capture.messages.find((m) => m.kind === 'orderbook' && m.symbol === symbol && m.msg.type === 'snapshot');
    if (!first) return undefined;
    const b: Book = { bids: new Map(), asks: new Map(), u: 0, seq: 0 };
    this.fill(b, first.msg.data as { b: string[][]; a: string[][]; u: number; seq: number });
    return b;
  }

  private apply(symbol: string, d: { b: string[][]; a: string[][]; u: number; seq: number }, snapshot: boolean): void {
    let b = this.books.get(symbol);
    if (!b || snapshot) { b = { bids: new Map(), asks: new Map(), u: 0, seq: 0 }; this.books.set(symbol, b); }
    this.fill(b, d);
  }

  private fill(b: Book, d: { b: string[][]; a: string[][]; u: number; seq: number }): void {
    for (const [side, levels] of [[b.bids, d.b], [b.asks, d.a]] as const) {
      for (const [px, sz] of levels) { if (Number(sz) === 0) side.delete(px!); else side.set(px!, sz!); }
    }
    b.u = d.u; b.seq = d.seq;
  }

  private sorted(b: Book, n = Number.POSITIVE_INFINITY): { b: string[][]; a: string[][] } {
    return {
      b: [...b.bids].sort((x, y) => Number(y[0]) - Number(x[0])).slice(0, n).map(([p, s]) => [p, s]),
      a: [...b.asks].sort((x, y) => Number(x[0]) - Number(y[0])).slice(0, n).map(([p, s]) => [p, s]),
    };
  }

  private snapshotText(topic: string, symbol: string, b: Book): string {
    const depth = Number(topic.split('.')[1]);
    const ts = nowMs() - 1;
    return JSON.stringify({ topic, type: 'snapshot', ts, data: { s: symbol, ...this.sorted(b, depth), u: b.u, seq: b.seq }, cts: ts });
  }

  // ------------------------------------------------------------------------------------------ REST

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const route = `${req.method} ${url.pathname}`;
    const q = url.searchParams;
    try {
      let out: unknown;
      if (route === 'POST /emulator/faults') {
        const f = JSON.parse(body || '{}') as Record<string, unknown>;
        const names = [...Object.keys(this.faults), ...Object.keys(this.account?.faults ?? {}), 'disconnectMarket', 'disconnectPrivate'];
        for (const [k, v] of Object.entries(f)) {
          if (k in this.faults) (this.faults as unknown as Record<string, unknown>)[k] = v;
          else if (this.account && k in this.account.faults) (this.account.faults as unknown as Record<string, unknown>)[k] = v;
          else if (k !== 'disconnectMarket' && k !== 'disconnectPrivate') throw new BybitApiError(400, 10001, `params error: unknown emulator fault ${k} (faults: ${names.join(', ')})`);
        }
        if (f.disconnectMarket) this.disconnectMarket();
        if (f.disconnectPrivate) this.account?.disconnectPrivate();
        out = { faults: { ...this.faults, ...this.account?.faults } };
      } else if (route === 'GET /emulator/state') {
        out = { stats: { ...this.stats, ...this.account?.stats }, openOrders: this.openOrderIds(), remaining: this.remaining };
      } else if (route === 'GET /v5/market/time') {
        const ms = nowMs();
        out = { retCode: 0, retMsg: 'OK', result: { timeSecond: String(Math.floor(ms / 1000)), timeNano: `${ms}000000` }, retExtInfo: {}, time: ms };
      } else if (route === 'GET /v5/market/instruments-info') {
        const category = q.get('category');
        const result = this.account ? this.account.instrumentsInfo(category, q.get('symbol'))
          : { category, list: [], nextPageCursor: '' };
        out = { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: nowMs() };
      } else if (route === 'GET /v5/market/orderbook') {
        // https://bybit-exchange.github.io/docs/v5/market/orderbook: the replayed book.
        const symbol = q.get('symbol') ?? '';
        const book = this.books.get(symbol) ?? this.openingBook(symbol);
        if (!book) throw new BybitApiError(200, 10001, 'params error: symbol invalid');
        const n = Math.min(Number(q.get('limit') ?? 1), 200);
        const ts = nowMs() - 1;
        out = { retCode: 0, retMsg: 'OK', result: { s: symbol, ...this.sorted(book, n), ts, u: book.u, seq: book.seq, cts: ts }, retExtInfo: {}, time: ts + 1 };
      } else if (this.account?.handles(req.method ?? 'GET', url.pathname)) {
        out = await this.account.rest(req, url, body, () => res.socket?.destroy());
        if (out === undefined) return; // the connection was dropped on purpose
      } else {
        throw new BybitApiError(404, 10017, 'Route not found');
      }
      this.json(res, 200, out);
    } catch (e) {
      if (e instanceof BybitApiError && e.status === 502) { this.text(res, 502, 'Bad Gateway'); return; }
      if (e instanceof BybitApiError) this.json(res, e.status, { retCode: e.retCode, retMsg: e.message, result: {}, retExtInfo: {}, time: nowMs() });
      else this.json(res, 500, { retCode: 10016, retMsg: `System error. ${(e as Error).message}`, result: {}, retExtInfo: {}, time: nowMs() });
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private text(res: ServerResponse, status: number, body: string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  }
}
