/**
 * The parts every local venue emulator (Binance, OKX) shares: the HTTP + WebSocket server on
 * 127.0.0.1, the capture replay clock, the fan-out of private pushes to the connected user sockets,
 * and the simulated venue that matches the orders against the same market rows the clients receive.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Instrument } from '../../model/instrument.ts';
import { allocBatch, pushEvent, type MarketEvent } from '../../model/market.ts';
import { ConstantLatency } from '../../sim/ConstantLatency.ts';
import { RiskAverseQueue } from '../../sim/RiskAverseQueue.ts';
import { SimVenue, type ModifyRequest, type SubmitRequest } from '../../sim/SimVenue.ts';
import type { VenueResponse } from '../../sim/VenueResponse.ts';

/** The emulator's clock, µs since the epoch. */
export const nowUs = (): number => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/**
 * One port for REST and WebSocket upgrades. Connections are tracked so `close()` ends them all at once
 * (a test or `hft emulator --for` does not wait for keep-alive sockets).
 */
export class LocalServer {
  readonly wss = new WebSocketServer({ noServer: true });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void, private readonly onUpgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => void) {}

  /** 0 before `listen`. */
  get port(): number { return (this.server?.address() as AddressInfo | null)?.port ?? 0; }

  async listen(port = 0): Promise<void> {
    const server = createServer(this.onRequest);
    this.server = server;
    server.on('connection', (s: Socket) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => this.onUpgrade(req, socket as Socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A request's whole body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Replays captured messages on the recorder's schedule divided by `speed`; `stalled` holds it (a stale feed). */
export class CaptureReplay<M extends { readonly tsCapUs: number }> {
  private next = 0;
  private startWallMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly messages: readonly M[], private readonly speed: number, private readonly emit: (m: M) => void, private readonly stalled: () => boolean) {}

  /** Messages still to replay. */
  get remaining(): number { return this.messages.length - this.next; }

  get started(): boolean { return this.startWallMs !== 0; }

  /** Starts the replay clock (once). */
  start(): void {
    if (this.startWallMs !== 0) return;
    this.startWallMs = performance.now();
    this.pump();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    const msgs = this.messages;
    const t0 = msgs[0]?.tsCapUs ?? 0;
    const elapsedUs = (performance.now() - this.startWallMs) * 1000 * this.speed;
    while (this.next < msgs.length && msgs[this.next]!.tsCapUs - t0 <= elapsedUs) {
      if (this.stalled()) break;
      this.emit(msgs[this.next++]!);
    }
    if (this.next >= msgs.length) return;
    const dueMs = (msgs[this.next]!.tsCapUs - t0) / 1000 / this.speed - (performance.now() - this.startWallMs);
    this.timer = setTimeout(() => this.pump(), Math.max(this.stalled() ? 5 : 0, Math.min(50, dueMs)));
  }
}

/**
 * Private (user) sockets grouped by what admitted them (a Binance listenKey, an OKX login); a push
 * goes to every open one. A socket leaves its group when it closes.
 */
export class UserSocketFanout<K> {
  private readonly groups = new Map<K, Set<WebSocket>>();

  add(key: K, ws: WebSocket): void {
    let set = this.groups.get(key);
    if (!set) { set = new Set(); this.groups.set(key, set); }
    set.add(ws);
    ws.on('close', () => set.delete(ws));
  }

  /**
   * Sends `text` to every open socket, or per group the text `text(key)` builds (undefined: that
   * group gets nothing); returns how many sockets got it.
   */
  broadcast(text: string | ((key: K) => string | undefined)): number {
    let n = 0;
    for (const [key, set] of this.groups) {
      if (set.size === 0) continue;
      const t = typeof text === 'string' ? text : text(key);
      if (t === undefined) continue;
      for (const ws of set) if (ws.readyState === 1) { ws.send(t); n++; }
    }
    return n;
  }
}

/**
 * The simulated venue behind an emulator: one instrument, zero added latency (the socket is the
 * latency), risk-averse queue, partial fills. Market rows and requests are stamped with the
 * emulator's clock; every response goes to `onResponse` as it is drained.
 */
export class EmulatorMatching {
  private readonly venue: SimVenue;
  private readonly batch = allocBatch(4096);

  constructor(inst: Instrument, private readonly onResponse: (r: VenueResponse) => void, idPrefix = 'e') {
    this.venue = new SimVenue({ instrument: inst, latency: new ConstantLatency(0, 0), queue: new RiskAverseQueue(), fillMode: 'partial', idPrefix });
  }

  /** Market rows to the matching engine at the emulator's clock. */
  feed(events: Iterable<MarketEvent>): VenueResponse[] {
    const b = this.batch;
    b.length = 0;
    const t = nowUs();
    for (const e of events) {
      if (b.length === b.kind.length) break;
      pushEvent(b, { ...e, tsEvent: t, tsRecv: t } as MarketEvent, 0);
    }
    for (let i = 0; i < b.length; i++) this.venue.onMarket(b, i);
    return this.drain(t);
  }

  submit(request: SubmitRequest, t: number): VenueResponse[] {
    this.venue.submit(request, t);
    return this.drain(t);
  }

  cancel(clientOrderId: string, t: number): VenueResponse[] {
    this.venue.cancel(clientOrderId, t);
    return this.drain(t);
  }

  /** Amends price and total size (SimVenue.modify: a size cut at the same price keeps the queue, anything else re-enters). */
  modify(clientOrderId: string, change: ModifyRequest, t: number): VenueResponse[] {
    this.venue.modify(clientOrderId, change, t);
    return this.drain(t);
  }

  drain(t: number): VenueResponse[] {
    this.venue.advanceTo(t);
    const out = this.venue.drainResponses(t, []);
    for (const r of out) this.onResponse(r);
    return out;
  }
}
