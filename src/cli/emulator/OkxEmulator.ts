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
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { crc32 } from '../../feeds/okx/crc32.ts';
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
}

type Level = readonly string[];
interface Book { readonly bids: Map<string, Level>; readonly asks: Map<string, Level>; seqId: number | undefined }

const nowMs = (): number => Math.floor(performance.timeOrigin + performance.now());
const key = (channel: string, instId: string): string => `${channel}|${instId}`;

export class OkxEmulator {
  readonly faults: OkxEmulatorFaults = { dropBookUpdates: 0, corruptChecksums: 0, stallMarket: false };
  readonly stats = { marketSent: 0, snapshotsBuilt: 0, updatesDropped: 0, checksumsCorrupted: 0, connections: 0, subscribes: 0, unsubscribes: 0 };
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<Socket>();
  /** Per client: subscribed channel|instId keys; books keys only once the client has a snapshot. */
  private readonly clients = new Map<WebSocket, { subs: Set<string>; booksReady: Set<string> }>();
  private readonly books = new Map<string, Book>();
  private next = 0;
  private startWallMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OkxEmulatorOptions) {}

  get url(): { ws: string } {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? 0;
    return { ws: `ws://127.0.0.1:${port}/ws/v5/public` };
  }

  get remaining(): number { return this.opts.capture.messages.length - this.next; }

  /** Instruments the capture replays. */
  get instIds(): readonly string[] { return this.opts.capture.instIds; }

  async start(): Promise<{ ws: string }> {
    this.server = createServer((_req, res) => { res.writeHead(404); res.end(); });
    this.server.on('connection', (s: Socket) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    this.server.on('upgrade', (req: IncomingMessage, socket, head) => {
      if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/ws/v5/public') { (socket as Socket).end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
      this.wss.handleUpgrade(req, socket as Socket, head, (ws) => this.onClient(ws));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    if (!this.opts.paused && !this.opts.startOnSubscribe) this.resume();
    return this.url;
  }

  /** Starts the replay clock (once). */
  resume(): void {
    if (this.startWallMs !== 0) return;
    this.startWallMs = performance.now();
    this.pump();
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const ws of this.wss.clients) ws.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

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

  private pump(): void {
    const msgs = this.opts.capture.messages;
    const t0 = msgs[0]?.tsCapUs ?? 0;
    const elapsedUs = (performance.now() - this.startWallMs) * 1000 * this.opts.speed;
    while (this.next < msgs.length && msgs[this.next]!.tsCapUs - t0 <= elapsedUs) {
      if (this.faults.stallMarket) break;
      this.emit(msgs[this.next++]!);
    }
    if (this.next >= msgs.length) return;
    const dueMs = (msgs[this.next]!.tsCapUs - t0) / 1000 / this.opts.speed - (performance.now() - this.startWallMs);
    this.timer = setTimeout(() => this.pump(), Math.max(this.faults.stallMarket ? 5 : 0, Math.min(50, dueMs)));
  }

  private emit(m: OkxCaptureMessage): void {
    let text = m.text.replace(/"ts":"\d+"/g, `"ts":"${nowMs() - 1}"`);
    const k = key(m.channel, m.instId);
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

  private apply(instId: string, m: OkxCaptureMessage, snapshot: boolean): void {
    let b = this.books.get(instId);
    if (!b || snapshot) { b = { bids: new Map(), asks: new Map(), seqId: undefined }; this.books.set(instId, b); }
    for (const d of m.msg.data) {
      for (const [side, field] of [[b.bids, 'bids'], [b.asks, 'asks']] as const) {
        for (const l of d[field] as Level[]) {
          if (Number(l[1]) === 0) side.delete(l[0]!); else side.set(l[0]!, l);
        }
      }
      if (typeof d.seqId === 'number') b.seqId = d.seqId;
    }
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
