/**
 * What every live WebSocket market-data feed shares, whatever the venue: one connection, reconnect
 * with exponential backoff, stale-feed detection, and failures as in-band `gap` events (STYLE:
 * tardis-node) followed by the venue's own resync (Binance: a new REST snapshot; OKX and Bybit: a
 * resubscription, which makes the venue send a new snapshot).
 *
 * A venue subclass supplies the URL, what to do once open (subscribe, request snapshots), how to turn
 * one message into normalized events, and how to resync one instrument after a gap. Nothing here
 * reads the clock itself: `clockUs` (the receive time of every message) is injected.
 */
import WebSocket from 'ws';
import type { WarmTop } from '../../engine/live/HotPathWarmer.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { Gap, MarketEvent } from '../../model/market.ts';

export interface LiveFeedOptions {
  readonly instruments: readonly InstrumentSpec[];
  /** Local wall clock, µs: the tsRecv of every message. */
  readonly clockUs: () => number;
  /** Normalized events of one venue message (or one snapshot), in order. Called synchronously. */
  readonly onEvents: (events: MarketEvent[]) => void;
  /** A feed with no message for this long is stale (gap 'stale', reconnect). Default 5000 ms. */
  readonly staleAfterMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  readonly log?: (line: string) => void;
}

export interface MarketDataStats {
  messages: number;
  connects: number;
  snapshots: number;
  gaps: { sequence: number; checksum: number; disconnect: number; stale: number };
}

/** The face a session runner needs from any venue's feed. */
export interface LiveMarketData {
  readonly stats: MarketDataStats;
  start(): void;
  stop(): void;
  /** True once the book of this venue symbol is synced (usable). */
  isSynced(symbol: string): boolean;
  /**
   * Before `start`, where the venue's feed has it: its parse and normalize path run on synthetic
   * messages, the events dropped; returns the last ones (BinanceMarketData.warm). `tops`: the venue's
   * top of book per instrument (ticks, lots), so the synthetic prices and sizes are the real ones.
   */
  warm?(rounds?: number, tops?: readonly WarmTop[]): MarketEvent[];
}

export abstract class LiveWsFeed implements LiveMarketData {
  readonly stats: MarketDataStats = { messages: 0, connects: 0, snapshots: 0, gaps: { sequence: 0, checksum: 0, disconnect: 0, stale: 0 } };
  protected ws: WebSocket | undefined;
  protected stopped = true;
  /** Bumped on every (re)connect: answers that belong to an older connection are dropped. */
  protected epoch = 0;
  private backoffMs: number;
  private lastMessageMs = 0;
  private staleTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private staleReported = false;
  /** Every connection's message handler (one function, so `warmMessagePath` warms the one in use). */
  private readonly onRaw = (raw: WebSocket.RawData): void => this.onMessage(raw);

  constructor(protected readonly base: LiveFeedOptions, protected readonly name: string) {
    this.backoffMs = base.backoffInitialMs ?? 100;
  }

  /** WebSocket URL to connect to. */
  protected abstract url(): string;
  /** A new connection: reset the synchronizers (nothing from the old chain can be trusted). */
  protected abstract resetSync(): void;
  /** The socket is open: subscribe and/or request snapshots. */
  protected abstract onOpen(ws: WebSocket, epoch: number): void;
  /** One message's normalized events (gaps included); control messages yield nothing. */
  protected abstract handle(text: string, tsRecv: number): MarketEvent[];
  /** After a sequence or checksum gap on `instrumentId`: get a fresh book for it. */
  protected abstract resync(instrumentId: string, epoch: number): void;

  abstract isSynced(symbol: string): boolean;

  start(): void {
    this.stopped = false;
    this.connect();
    const staleMs = this.base.staleAfterMs ?? 5000;
    this.staleTimer = setInterval(() => this.checkStale(staleMs), Math.max(10, Math.floor(staleMs / 4)));
  }

  stop(): void {
    this.stopped = true;
    if (this.staleTimer) clearInterval(this.staleTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.drop();
  }

  /** Current backoff, for retries of side requests (snapshots) while connected. */
  protected get retryDelayMs(): number { return this.backoffMs; }

  protected log(line: string): void { this.base.log?.(`${this.name}: ${line}`); }

  private drop(): void {
    const ws = this.ws;
    this.ws = undefined;
    if (!ws) return;
    ws.removeAllListeners();
    ws.on('error', () => {});
    ws.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    this.epoch++;
    this.resetSync();
    const ws = new WebSocket(this.url());
    this.ws = ws;
    const epoch = this.epoch;
    ws.on('open', () => {
      this.stats.connects++;
      this.lastMessageMs = this.base.clockUs() / 1000;
      this.staleReported = false;
      this.onOpen(ws, epoch);
    });
    ws.on('message', this.onRaw);
    ws.on('error', (e: Error) => this.log(`ws error: ${e.message}`));
    ws.on('close', () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = undefined;
      this.gapAll('disconnect', 'websocket closed; reconnecting');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.base.backoffMaxMs ?? 5000);
    this.reconnectTimer = setTimeout(() => { this.reconnectTimer = undefined; this.connect(); }, wait);
  }

  /**
   * Before `start`: the socket's message handler, `onMessage` and `emit` run `rounds` times on
   * `quiet`, a message of the venue's protocol that carries no market event (a subscription answer,
   * a pong): nothing reaches the session, and the counters the calls touch are put back. A venue's
   * `warm` runs `handle` on synthetic market messages, but these three were first called (compiled)
   * by the session's first real message, the one that decides its first quotes (bench/live,
   * 2026-12-07). Throws if `quiet` yields events (it would have reached the session).
   */
  protected warmMessagePath(quiet: string, rounds = 20): void {
    // A quiet message that yields events would reach the session: refused before any is sent.
    if (this.handle(quiet, this.base.clockUs()).length > 0) throw new Error(`${this.name}: warm-up message yields market events: ${quiet}`);
    const { messages } = this.stats;
    const { lastMessageMs, staleReported, backoffMs } = this;
    const raw = Buffer.from(quiet);
    try {
      for (let r = 0; r < rounds; r++) this.onRaw(raw);
    } finally {
      this.stats.messages = messages;
      this.lastMessageMs = lastMessageMs;
      this.staleReported = staleReported;
      this.backoffMs = backoffMs;
    }
  }

  private onMessage(raw: WebSocket.RawData): void {
    const tsRecv = this.base.clockUs();
    this.lastMessageMs = tsRecv / 1000;
    this.staleReported = false;
    this.stats.messages++;
    // A message is proof the connection works: the next disconnect starts the backoff again.
    this.backoffMs = this.base.backoffInitialMs ?? 100;
    this.emit(this.handle(raw.toString(), tsRecv));
  }

  /** Hands events to the session, counts gaps and starts a resync for each gapped instrument. */
  protected emit(events: MarketEvent[]): void {
    if (events.length === 0) return;
    this.base.onEvents(events);
    for (const ev of events) {
      if (ev.kind !== 'gap') continue;
      this.stats.gaps[ev.reason]++;
      if (ev.reason === 'sequence' || ev.reason === 'checksum') this.resync(ev.instrument, this.epoch);
    }
  }

  private checkStale(staleMs: number): void {
    if (this.stopped || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const nowMs = this.base.clockUs() / 1000;
    if (nowMs - this.lastMessageMs <= staleMs || this.staleReported) return;
    this.staleReported = true;
    this.gapAll('stale', `no message for ${Math.round(nowMs - this.lastMessageMs)} ms (limit ${staleMs} ms); reconnecting`);
    this.drop();
    this.scheduleReconnect();
  }

  private gapAll(reason: Gap['reason'], detail: string): void {
    const t = this.base.clockUs();
    const events: MarketEvent[] = this.base.instruments.map((s) => ({ kind: 'gap', instrument: s.id, tsEvent: t, tsRecv: t, reason, detail }));
    this.stats.gaps[reason] += events.length;
    this.base.onEvents(events);
  }
}
