/**
 * Live Binance spot market data over `ws`: one combined-stream connection
 * (`/stream?streams=<sym>@depth@100ms/<sym>@trade/<sym>@bookTicker`), the diff depth synced with the
 * REST snapshot by the same BinanceBookSync the historical importer uses, and the same trade/BBO
 * normalizers. Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 *
 * Failures are in-band (STYLE: tardis-node): a sequence break, a disconnect or a silent feed becomes
 * a `gap` event for every instrument it affects, followed by a resync (new snapshot; after a
 * disconnect a new connection with exponential backoff). Nothing here reads the clock itself: the
 * caller injects `clockUs`, the receive timestamp of every message.
 */
import WebSocket from 'ws';
import { BinanceBookSync } from '../../feeds/binance/BinanceBookSync.ts';
import { binanceBookTicker } from '../../feeds/binance/bookTicker.ts';
import { binanceTrade } from '../../feeds/binance/trade.ts';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import type { Normalizer } from '../../feeds/normalizer.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { Gap, MarketEvent } from '../../model/market.ts';

export type BinanceStream = 'depth' | 'trade' | 'bookTicker';

export interface BinanceMarketDataOptions {
  readonly restUrl: string;
  readonly wsUrl: string;
  /** binance-spot instruments to subscribe. */
  readonly instruments: readonly InstrumentSpec[];
  readonly streams?: readonly BinanceStream[];
  /** Local wall clock, µs: the tsRecv of every message. */
  readonly clockUs: () => number;
  /** Normalized events of one venue message (or one snapshot), in order. Called synchronously. */
  readonly onEvents: (events: MarketEvent[]) => void;
  /** A feed with no message for this long is stale (gap 'stale', reconnect). Default 5000 ms. */
  readonly staleAfterMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** REST snapshot depth (default 1000). */
  readonly depthLimit?: number;
  readonly log?: (line: string) => void;
}

export interface MarketDataStats {
  messages: number;
  connects: number;
  snapshots: number;
  gaps: { sequence: number; checksum: number; disconnect: number; stale: number };
}

export class BinanceSpotMarketData {
  readonly stats: MarketDataStats = { messages: 0, connects: 0, snapshots: 0, gaps: { sequence: 0, checksum: 0, disconnect: 0, stale: 0 } };
  private ws: WebSocket | undefined;
  private sync!: BinanceBookSync;
  private readonly trade: Normalizer;
  private readonly bbo: Normalizer;
  private readonly specs: readonly InstrumentSpec[];
  private readonly lookup;
  private stopped = true;
  private backoffMs: number;
  private lastMessageMs = 0;
  private staleTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private staleReported = false;
  private readonly resyncing = new Set<string>();
  /** Bumped on every (re)connect: answers to an older connection's snapshot requests are dropped. */
  private epoch = 0;

  constructor(private readonly o: BinanceMarketDataOptions) {
    this.specs = o.instruments;
    for (const s of this.specs) if (s.venue !== 'binance-spot') throw new Error(`BinanceSpotMarketData: ${s.id} is not a binance-spot instrument`);
    this.lookup = instrumentLookup('binance-spot', this.specs);
    this.trade = binanceTrade('binance-spot', this.lookup);
    this.bbo = binanceBookTicker('binance-spot', this.lookup);
    this.backoffMs = o.backoffInitialMs ?? 100;
  }

  start(): void {
    this.stopped = false;
    this.connect();
    const staleMs = this.o.staleAfterMs ?? 5000;
    this.staleTimer = setInterval(() => this.checkStale(staleMs), Math.max(10, Math.floor(staleMs / 4)));
  }

  stop(): void {
    this.stopped = true;
    if (this.staleTimer) clearInterval(this.staleTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => {});
    this.ws?.terminate();
    this.ws = undefined;
  }

  /** Synced instruments (book usable). */
  isSynced(symbol: string): boolean { return this.sync?.isSynced(symbol) ?? false; }

  private streamNames(): string[] {
    const streams = this.o.streams ?? ['depth', 'trade', 'bookTicker'];
    return this.specs.flatMap((s) => streams.map((k) => `${s.symbol.toLowerCase()}@${k === 'depth' ? 'depth@100ms' : k}`));
  }

  private connect(): void {
    if (this.stopped) return;
    this.epoch++;
    // A fresh synchronizer per connection: nothing from the old chain can be trusted.
    this.sync = new BinanceBookSync('binance-spot', this.lookup);
    this.resyncing.clear();
    const ws = new WebSocket(`${this.o.wsUrl.replace(/\/$/, '')}/stream?streams=${this.streamNames().join('/')}`);
    this.ws = ws;
    const epoch = this.epoch;
    ws.on('open', () => {
      this.stats.connects++;
      this.lastMessageMs = this.o.clockUs() / 1000;
      this.staleReported = false;
      if ((this.o.streams ?? ['depth']).includes('depth')) for (const s of this.specs) this.resync(s.symbol, epoch);
    });
    ws.on('message', (raw: WebSocket.RawData) => this.onMessage(raw));
    ws.on('error', (e: Error) => this.o.log?.(`binance ws error: ${e.message}`));
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
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoffMaxMs ?? 5000);
    this.reconnectTimer = setTimeout(() => { this.reconnectTimer = undefined; this.connect(); }, wait);
  }

  private onMessage(raw: WebSocket.RawData): void {
    const tsRecv = this.o.clockUs();
    this.lastMessageMs = tsRecv / 1000;
    this.staleReported = false;
    this.stats.messages++;
    const msg = JSON.parse(raw.toString()) as { stream?: string; data?: { e?: string } };
    const e = msg.data?.e;
    const events: MarketEvent[] = [];
    if (e === 'depthUpdate') {
      for (const ev of this.sync.map(msg, tsRecv)) events.push(ev);
    } else if (e === 'trade') {
      for (const ev of this.trade.map(msg, tsRecv)) events.push(ev);
    } else if (msg.data && this.bbo.canHandle(msg)) {
      for (const ev of this.bbo.map(msg, tsRecv)) events.push(ev);
    }
    this.backoffMs = this.o.backoffInitialMs ?? 100;
    if (events.length === 0) return;
    this.o.onEvents(events);
    for (const ev of events) {
      if (ev.kind === 'gap') { this.stats.gaps[ev.reason]++; this.resync(this.symbolOf(ev.instrument), this.epoch); }
    }
  }

  private symbolOf(instrumentId: string): string { return instrumentId.slice(instrumentId.indexOf(':') + 1); }

  /** Requests a REST snapshot; BinanceBookSync buffers the diffs meanwhile and chains them after it. */
  private resync(symbol: string, epoch: number): void {
    if (this.resyncing.has(symbol)) return;
    this.resyncing.add(symbol);
    const url = `${this.o.restUrl.replace(/\/$/, '')}/api/v3/depth?symbol=${symbol}&limit=${this.o.depthLimit ?? 1000}`;
    const attempt = (): void => {
      fetch(url).then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
        return res.json();
      }).then((body: unknown) => {
        if (epoch !== this.epoch || this.stopped) return;
        this.resyncing.delete(symbol);
        const tsRecv = this.o.clockUs();
        const events = [...this.sync.snapshot(symbol, body, tsRecv)];
        this.stats.snapshots++;
        this.o.onEvents(events);
        for (const ev of events) if (ev.kind === 'gap') { this.stats.gaps[ev.reason]++; this.resync(symbol, epoch); }
      }).catch((err: Error) => {
        if (epoch !== this.epoch || this.stopped) return;
        this.o.log?.(`binance depth snapshot ${symbol} failed: ${err.message}; retrying`);
        setTimeout(attempt, this.backoffMs);
      });
    };
    attempt();
  }

  private checkStale(staleMs: number): void {
    if (this.stopped || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const nowMs = this.o.clockUs() / 1000;
    if (nowMs - this.lastMessageMs <= staleMs || this.staleReported) return;
    this.staleReported = true;
    this.gapAll('stale', `no message for ${Math.round(nowMs - this.lastMessageMs)} ms (limit ${staleMs} ms); reconnecting`);
    const ws = this.ws;
    this.ws = undefined;
    ws.removeAllListeners();
    ws.on('error', () => {});
    ws.terminate();
    this.scheduleReconnect();
  }

  private gapAll(reason: Gap['reason'], detail: string): void {
    const t = this.o.clockUs();
    const events: MarketEvent[] = this.specs.map((s) => ({ kind: 'gap', instrument: s.id, tsEvent: t, tsRecv: t, reason, detail }));
    this.stats.gaps[reason] += this.specs.length;
    this.o.onEvents(events);
  }
}
