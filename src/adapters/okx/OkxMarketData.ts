/**
 * Live OKX v5 public market data over `ws` (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel):
 * one connection to `/ws/v5/public`, `books` (400 levels: a snapshot, then incremental updates),
 * `trades` and `tickers` per instrument. Every books message carries a CRC32 checksum of the top 25
 * levels: OkxBookSync verifies it on every message (and `prevSeqId` where the venue sends it); a bad
 * checksum or a seq break is an in-band `gap`, and the resync is an unsubscribe + subscribe of that
 * instrument's `books`, which makes OKX send a fresh snapshot (the docs' prescribed recovery).
 *
 * OKX drops a connection that sends nothing for 30 s: a text `ping` goes out every `pingEveryMs`
 * (default 20 s) and its `pong` answer is consumed here. Reconnect, backoff, stale: LiveWsFeed.
 */
import type WebSocket from 'ws';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import type { InstrumentLookup, Normalizer } from '../../feeds/normalizer.ts';
import { isOkxBooks, OkxBookSync } from '../../feeds/okx/OkxBookSync.ts';
import { okxTickers } from '../../feeds/okx/tickers.ts';
import { okxTrades } from '../../feeds/okx/trades.ts';
import type { MarketEvent } from '../../model/market.ts';
import { LiveWsFeed, type LiveFeedOptions } from '../feed/LiveWsFeed.ts';

export type OkxChannel = 'books' | 'trades' | 'tickers';

export interface OkxMarketDataOptions extends LiveFeedOptions {
  /** Full public WebSocket URL, e.g. wss://ws.okx.com:8443/ws/v5/public or ws://127.0.0.1:PORT/ws/v5/public. */
  readonly wsUrl: string;
  readonly channels?: readonly OkxChannel[];
  readonly pingEveryMs?: number;
}

export class OkxMarketData extends LiveWsFeed {
  private sync!: OkxBookSync;
  private readonly lookup: InstrumentLookup;
  private readonly trades: Normalizer;
  private readonly tickers: Normalizer;
  private pingTimer: NodeJS.Timeout | undefined;
  /** Venue answers to our requests that were errors (`{"event":"error"}`), for reports. */
  readonly errors: string[] = [];

  constructor(private readonly o: OkxMarketDataOptions) {
    super(o, 'okx');
    for (const s of o.instruments) if (s.venue !== 'okx') throw new Error(`OkxMarketData: ${s.id} is not an okx instrument`);
    this.lookup = instrumentLookup('okx', o.instruments);
    this.trades = okxTrades(this.lookup);
    this.tickers = okxTickers(this.lookup);
  }

  isSynced(symbol: string): boolean { return this.sync?.isSynced(symbol) ?? false; }

  /** Checksums checked and matched since the last (re)connect. */
  get checksums(): { readonly checked: number; readonly matched: number } {
    return { checked: this.sync?.stats.checksums ?? 0, matched: this.sync?.stats.checksumsMatched ?? 0 };
  }

  override stop(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    super.stop();
  }

  protected url(): string { return this.o.wsUrl; }

  protected resetSync(): void { this.sync = new OkxBookSync(this.lookup); }

  protected onOpen(ws: WebSocket, _epoch: number): void {
    const channels = this.o.channels ?? ['books', 'trades', 'tickers'];
    ws.send(JSON.stringify({ op: 'subscribe', args: this.o.instruments.flatMap((s) => channels.map((channel) => ({ channel, instId: s.symbol }))) }));
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => { if (this.ws?.readyState === 1) this.ws.send('ping'); }, this.o.pingEveryMs ?? 20_000);
  }

  /**
   * Before `start`: the socket's message path run on OKX's answer to our ping ('pong'), nothing
   * reaching the session (LiveWsFeed.warmMessagePath). No synthetic market messages here (Binance's
   * `warm` has them): returns no events.
   */
  warm(): MarketEvent[] {
    this.warmMessagePath('pong');
    return [];
  }

  protected handle(text: string, tsRecv: number): MarketEvent[] {
    if (text === 'pong') return [];
    const msg = JSON.parse(text) as { event?: string; msg?: string; code?: string; action?: string };
    if (msg.event !== undefined) {
      if (msg.event === 'error') { this.errors.push(`${msg.code}: ${msg.msg}`); this.log(`error ${msg.code}: ${msg.msg}`); }
      return [];
    }
    if (isOkxBooks(msg)) {
      if (msg.action === 'snapshot') this.stats.snapshots++;
      return [...this.sync.map(msg, tsRecv)];
    }
    if (this.trades.canHandle(msg)) return [...this.trades.map(msg, tsRecv)];
    if (this.tickers.canHandle(msg)) return [...this.tickers.map(msg, tsRecv)];
    return [];
  }

  protected resync(instrumentId: string, _epoch: number): void {
    const arg = { channel: 'books', instId: instrumentId.slice(instrumentId.indexOf(':') + 1) };
    if (this.ws?.readyState !== 1) return; // a reconnect subscribes afresh
    this.ws.send(JSON.stringify({ op: 'unsubscribe', args: [arg] }));
    this.ws.send(JSON.stringify({ op: 'subscribe', args: [arg] }));
  }
}
