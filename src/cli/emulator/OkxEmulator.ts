/**
 * A local OKX v5 public WebSocket venue on 127.0.0.1 (`/ws/v5/public`) replaying a real cryptofeed
 * capture: `books` snapshots and updates, `trades`, `tickers`, verbatim except `ts` (re-stamped to the
 * emulator's clock minus 1 ms), on the recorder's schedule divided by `speed`.
 *
 * Subscriptions are answered like OKX (`{"event":"subscribe","arg":...,"connId":...}`). A `books`
 * subscription made after the capture's snapshot gets a snapshot of the book the replayed messages
 * built, with OKX's CRC32 checksum of its top 25 levels computed from the level strings as received
 * (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel): the captured
 * updates that follow carry OKX's own checksums, so a client that rebuilds the book correctly verifies
 * every one of them. Text `ping` is answered `pong`.
 *
 * Faults (`faults`): dropped book updates (applied here, not sent: the next checksum fails on the
 * client), corrupted checksums, a stalled feed, disconnects.
 *
 * With `account`, the emulator also trades: OKX v5 REST order entry and the private WebSocket
 * (`/ws/v5/private`, login + `orders` channel) on the same port, orders matched by the simulated venue
 * against the replayed capture (OkxAccount.ts; amend-order included, its outcome pushed on `orders` with
 * `reqId` and `amendResult`). `POST /emulator/faults` sets market and trading
 * faults; `GET /emulator/state` shows the counters and open orders; `GET /api/v5/market/books` serves
 * the replayed book.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { crc32 } from '../../feeds/okx/crc32.ts';
import { CaptureReplay, LocalServer, readBody } from './emulatorShared.ts';
import { OkxAccount, OkxApiError, type OkxAccountOptions } from './OkxAccount.ts';
import type { OkxCapture, OkxCaptureMessage } from './okxCapture.ts';

export interface OkxEmulatorFaults {
  /** Next N `books` updates are applied to the book but not sent. */
  dropBookUpdates: number;
  /** Next N `books` updates are sent with a wrong checksum. */
  corruptChecksums: number;
  /** Market messages are not sent while true (the socket stays open). */
  stallMarket: boolean;
}

export interface OkxEmulatorOptions {
  readonly capture: OkxCapture;
  readonly speed: number;
  readonly port?: number;
  /** Start with the replay held until `resume()` (a test that wants every captured message verbatim). */
  readonly paused?: boolean;
  /**
   * Hold the replay until the first subscribe request has been answered (a client in another process,
   * e.g. `hft paper`, then receives the capture from its first message; OkxMarketData subscribes to all
   * its channels in one request).
   */
  readonly startOnSubscribe?: boolean;
  /** Order entry for this account (REST + private WebSocket); omitted = market data only. */
  readonly account?: OkxAccountOptions;
}

type Level = readonly string[];
interface Book { readonly bids: Map<string, Level>; readonly asks: Map<string, Level>; seqId: number | undefined }

const nowMs = (): number => Math.floor(performance.timeOrigin + performance.now());
const key = (channel: string, instId: string): string => `${channel}|${instId}`;

export class OkxEmulator {
  readonly faults: OkxEmulatorFaults = { dropBookUpdates: 0, corruptChecksums: 0, stallMarket: false };
  readonly stats = { marketSent: 0, snapshotsBuilt: 0, updatesDropped: 0, checksumsCorrupted: 0, connections: 0, subscribes: 0, unsubscribes: 0 };
  private readonly http = new LocalServer((req, res) => { void this.handle(req, res); }, (req, socket, head) => this.upgrade(req, socket, head));
  /** Per client: subscribed channel|instId keys; books keys only once the client has a snapshot. */
  private readonly clients = new Map<WebSocket, { subs: Set<string>; booksReady: Set<string> }>();
  private readonly books = new Map<string, Book>();
  private readonly replay: CaptureReplay<OkxCaptureMessage>;
  /** The trading account, when the emulator has order entry. */
  readonly account: OkxAccount | undefined;

  constructor(private readonly opts: OkxEmulatorOptions) {
    this.replay = new CaptureReplay(opts.capture.messages, opts.speed, (m) => this.emit(m), () => this.faults.stallMarket);
    if (opts.account) {
      for (const s of opts.account.instruments) if (!opts.capture.instIds.includes(s.symbol)) throw new Error(`okx emulator: ${s.symbol} trades but the capture ${opts.capture.file} does not replay it`);
      this.account = new OkxAccount(opts.account);
    }
  }

  /** `ws`: the public WebSocket; `rest` and `wsPrivate`: order entry (when the emulator trades). */
  get url(): { ws: string; rest: string; wsPrivate: string } {
    const port = this.http.port;
    return { ws: `ws://127.0.0.1:${port}/ws/v5/public`, rest: `http://127.0.0.1:${port}`, wsPrivate: `ws://127.0.0.1:${port}/ws/v5/private` };
  }

  get remaining(): number { return this.replay.remaining; }

  /** Instruments with order entry. */
  get tradedInstIds(): readonly string[] { return this.opts.account?.instruments.map((s) => s.symbol) ?? []; }

  /** Instruments the capture replays. */
  get instIds(): readonly string[] { return this.opts.capture.instIds; }

  async start(): Promise<{ ws: string; rest: string; wsPrivate: string }> {
    await this.http.listen(this.opts.port ?? 0);
    if (!this.opts.paused && !this.opts.startOnSubscribe) this.resume();
    return this.url;
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const account = this.account;
    if (path === '/ws/v5/private' && account) { this.http.wss.handleUpgrade(req, socket, head, (ws) => account.onPrivateClient(ws)); return; }
    if (path !== '/ws/v5/public') { socket.end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
    this.http.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
  }

  /** Starts the replay clock (once). */
  resume(): void { this.replay.start(); }

  async close(): Promise<void> {
    this.replay.stop();
    await this.http.close();
  }

  /** Client ids of the orders open on the venue (none without an account). */
  openOrderIds(): string[] { return this.account?.openOrderIds() ?? []; }

  /** How many orders carry this clOrdId. */
  ordersWithClientId(id: string): number { return this.account?.ordersWithClientId(id) ?? 0; }

  disconnectMarket(): void { for (const ws of this.clients.keys()) ws.terminate(); }

  // ------------------------------------------------------------------------------------- clients

  private onClient(ws: WebSocket): void {
    this.stats.connections++;
    const c = { subs: new Set<string>(), booksReady: new Set<string>() };
    this.clients.set(ws, c);
    const connId = randomBytes(4).toString('hex');
    ws.on('close', () => this.clients.delete(ws));
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text === 'ping') { ws.send('pong'); return; }
      let req: { op?: unknown; args?: unknown };
      try { req = JSON.parse(text) as typeof req; } catch {
        ws.send(JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text.slice(0, 100)}`, connId })); return;
      }
      if ((req.op !== 'subscribe' && req.op !== 'unsubscribe') || !Array.isArray(req.args)) {
        ws.send(JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text.slice(0, 100)}`, connId })); return;
      }
      for (const a of req.args as { channel?: unknown; instId?: unknown }[]) {
        if (typeof a.channel !== 'string' || typeof a.instId !== 'string') { ws.send(JSON.stringify({ event: 'error', code: '60018', msg: `Wrong URL or channel:${JSON.stringify(a)} doesn't exist.`, connId })); continue; }
        if (!['books', 'trades', 'tickers'].includes(a.channel) || !this.opts.capture.instIds.includes(a.instId)) {
          ws.send(JSON.stringify({ event: 'error', code: '60018', msg: `Wrong URL or channel:${a.channel},instId:${a.instId} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`, connId }));
          continue;
        }
        const k = key(a.channel, a.instId);
        const arg = { channel: a.channel, instId: a.instId };
        if (req.op === 'unsubscribe') {
          this.stats.unsubscribes++;
          c.subs.delete(k); c.booksReady.delete(k);
          ws.send(JSON.stringify({ event: 'unsubscribe', arg, connId }));
          continue;
        }
        this.stats.subscribes++;
        c.subs.add(k);
        ws.send(JSON.stringify({ event: 'subscribe', arg, connId }));
        if (a.channel === 'books') {
          const book = this.books.get(a.instId);
          if (book) { ws.send(this.snapshotText(a.instId, book)); c.booksReady.add(k); this.stats.snapshotsBuilt++; }
        }
      }
      if (req.op === 'subscribe' && this.opts.startOnSubscribe) this.resume();
    });
  }

  // --------------------------------------------------------------------------------------- replay

  private emit(m: OkxCaptureMessage): void {
    let text = m.text.replace(/"ts":"\d+"/g, `"ts":"${nowMs() - 1}"`);
    const k = key(m.channel, m.instId);
    this.account?.onMarket(m);
    if (m.channel === 'books') {
      const snapshot = m.msg.action === 'snapshot';
      this.apply(m.instId, m, snapshot);
      if (snapshot) {
        // The capture's own snapshot reaches every books subscriber (OKX may resend one at any time).
        for (const [ws, c] of this.clients) if (c.subs.has(k)) { this.send(ws, text); c.booksReady.add(k); }
        return;
      }
      if (this.faults.dropBookUpdates > 0) { this.faults.dropBookUpdates--; this.stats.updatesDropped++; return; }
      if (this.faults.corruptChecksums > 0) {
        this.faults.corruptChecksums--; this.stats.checksumsCorrupted++;
        text = text.replace(/"checksum":(-?\d+)/, (_a, v: string) => `"checksum":${(Number(v) ^ 0x5a5a5a5a) | 0}`);
      }
      for (const [ws, c] of this.clients) if (c.booksReady.has(k)) this.send(ws, text);
      return;
    }
    for (const [ws, c] of this.clients) if (c.subs.has(k)) this.send(ws, text);
  }

  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== 1) return;
    ws.send(text);
    this.stats.marketSent++;
  }

  /**
   * Before the replay has built a book (it starts on the first subscription, or paused): the book the
   * replay will open with, from the capture's first snapshot of the instrument, as the venue would
   * serve its current book to a client priming before it subscribes. Undefined for an instrument the
   * capture does not replay.
   */
  private openingBook(instId: string): Book | undefined {
    const first = this.opts.capture.messages.find((m) => m.channel === 'books' && m.instId === instId && m.msg.action === 'snapshot');
    if (!first) return undefined;
    const b: Book = { bids: new Map(), asks: new Map(), seqId: undefined };
    this.fill(b, first);
    return b;
  }

  private apply(instId: string, m: OkxCaptureMessage, snapshot: boolean): void {
    let b = this.books.get(instId);
    if (!b || snapshot) { b = { bids: new Map(), asks: new Map(), seqId: undefined }; this.books.set(instId, b); }
    this.fill(b, m);
  }

  private fill(b: Book, m: OkxCaptureMessage): void {
    for (const d of m.msg.data) {
      for (const [side, field] of [[b.bids, 'bids'], [b.asks, 'asks']] as const) {
        for (const l of d[field] as Level[]) {
          if (Number(l[1]) === 0) side.delete(l[0]!); else side.set(l[0]!, l);
        }
      }
      if (typeof d.seqId === 'number') b.seqId = d.seqId;
    }
  }

  // ------------------------------------------------------------------------------------------ REST

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const route = `${req.method} ${url.pathname}`;
    try {
      let out: unknown;
      if (route === 'POST /emulator/faults') {
        const f = JSON.parse(body || '{}') as Record<string, unknown>;
        for (const [k, v] of Object.entries(f)) {
          if (k in this.faults) (this.faults as unknown as Record<string, unknown>)[k] = v;
          else if (this.account && k in this.account.faults) (this.account.faults as unknown as Record<string, unknown>)[k] = v;
          else if (k !== 'disconnectMarket' && k !== 'disconnectPrivate') throw new OkxApiError(400, '51000', `Parameter ${k} error (emulator faults: ${[...Object.keys(this.faults), ...Object.keys(this.account?.faults ?? {}), 'disconnectMarket', 'disconnectPrivate'].join(', ')})`);
        }
        if (f.disconnectMarket) this.disconnectMarket();
        if (f.disconnectPrivate) this.account?.disconnectPrivate();
        out = { faults: { ...this.faults, ...this.account?.faults } };
      } else if (route === 'GET /emulator/state') {
        out = { stats: { ...this.stats, ...this.account?.stats }, openOrders: this.account?.openOrderIds() ?? [], remaining: this.remaining };
      } else if (route === 'GET /api/v5/market/books') {
        // Public order book (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-order-book): the replayed book.
        const instId = url.searchParams.get('instId') ?? '';
        const book = this.books.get(instId) ?? this.openingBook(instId);
        if (!book) throw new OkxApiError(200, '51001', "Instrument ID doesn't exist.");
        const n = Math.min(Number(url.searchParams.get('sz') ?? 1), 400);
        const bids = [...book.bids.values()].sort((x, y) => Number(y[0]) - Number(x[0])).slice(0, n);
        const asks = [...book.asks.values()].sort((x, y) => Number(x[0]) - Number(y[0])).slice(0, n);
        out = { code: '0', msg: '', data: [{ asks, bids, ts: String(nowMs() - 1) }] };
      } else if (this.account?.handles(req.method ?? 'GET', url.pathname)) {
        out = await this.account.rest(req, url, body, () => res.socket?.destroy());
        if (out === undefined) return; // deliberately unanswered (a lost ack)
      } else throw new OkxApiError(404, '50005', `API endpoint ${route} is offline or unavailable on this emulator${this.account ? '' : ' (market data only)'}`);
      this.json(res, 200, out);
    } catch (e) {
      if (e instanceof OkxApiError) this.json(res, e.status, { code: e.code, msg: e.message, data: e.data });
      else this.json(res, 500, { code: '50026', msg: `System error. ${(e as Error).message}`, data: [] });
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Top 25 of each side as `bid:ask` pairs interleaved, from the strings as received (OKX checksum rule). */
  private snapshotText(instId: string, b: Book): string {
    const bids = [...b.bids.values()].sort((x, y) => Number(y[0]) - Number(x[0]));
    const asks = [...b.asks.values()].sort((x, y) => Number(x[0]) - Number(y[0]));
    const parts: string[] = [];
    for (let i = 0; i < 25; i++) {
      if (i < bids.length) parts.push(`${bids[i]![0]}:${bids[i]![1]}`);
      if (i < asks.length) parts.push(`${asks[i]![0]}:${asks[i]![1]}`);
    }
    const data: Record<string, unknown> = { asks, bids, ts: String(nowMs() - 1), checksum: crc32(parts.join(':')) };
    if (b.seqId !== undefined) { data.prevSeqId = -1; data.seqId = b.seqId; }
    return JSON.stringify({ arg: { channel: 'books', instId }, action: 'snapshot', data: [data] });
  }
}
