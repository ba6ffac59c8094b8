/**
 * Live Binance market data over `ws` for spot, USDⓈ-M and COIN-M: one combined-stream connection
 * (`/stream?streams=<sym>@depth@<speed>/<sym>@trade/<sym>@aggTrade/<sym>@bookTicker`), the diff depth
 * synced with the product's REST snapshot (`/api/v3/depth`, `/fapi/v1/depth`, `/dapi/v1/depth`) by the
 * same BinanceBookSync the historical importer uses (spot chains `U == previous u + 1`, futures
 * `pu == previous u`), and the same trade/aggTrade/BBO normalizers.
 * Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams,
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams,
 * https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams
 *
 * Reconnect, backoff, stale detection and in-band gaps: LiveWsFeed. A gap's resync here is a new REST
 * snapshot (BinanceBookSync buffers the diffs meanwhile and chains them after it).
 */
import type WebSocket from 'ws';
import { BinanceBookSync } from '../../feeds/binance/BinanceBookSync.ts';
import { binanceAggTrade } from '../../feeds/binance/aggTrade.ts';
import { binanceBookTicker } from '../../feeds/binance/bookTicker.ts';
import { binanceTrade } from '../../feeds/binance/trade.ts';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import type { InstrumentLookup, Normalizer } from '../../feeds/normalizer.ts';
import type { Increment } from '../../core/fixed.ts';
import type { WarmTop } from '../../engine/live/HotPathWarmer.ts';
import type { MarketEvent } from '../../model/market.ts';
import { LiveWsFeed, type LiveFeedOptions } from '../feed/LiveWsFeed.ts';

/** What Binance answers a stream request with ({"method":"SUBSCRIBE",...,"id":1}): no market event. */
const QUIET_MESSAGE = '{"result":null,"id":1}';
/** Levels a side of the synthetic depth snapshot `warm` parses. */
const WARM_DEPTH_LEVELS = 100;

/**
 * `units` of `inc` written as Binance writes prices and quantities: the canonical decimal
 * (Increment.toDecimal) with its fraction padded to 8 digits (more if the increment has more):
 * 9123456 of '0.01' -> '91234.56000000'.
 */
export function binanceDecimal(inc: Increment, units: number): string {
  const d = inc.toDecimal(units);
  const dot = d.indexOf('.');
  return `${dot < 0 ? d : d.slice(0, dot)}.${(dot < 0 ? '' : d.slice(dot + 1)).padEnd(Math.max(8, inc.decimals), '0')}`;
}

export type BinanceVenue = 'binance-spot' | 'binance-usdm' | 'binance-coinm';
export type BinanceStream = 'depth' | 'trade' | 'aggTrade' | 'bookTicker';

/** REST depth path of each product. */
export const BINANCE_DEPTH_PATH: Readonly<Record<BinanceVenue, string>> = {
  'binance-spot': '/api/v3/depth', 'binance-usdm': '/fapi/v1/depth', 'binance-coinm': '/dapi/v1/depth',
};

export interface BinanceMarketDataOptions extends LiveFeedOptions {
  readonly venue: BinanceVenue;
  readonly restUrl: string;
  readonly wsUrl: string;
  /** Default: depth, trade, bookTicker. */
  readonly streams?: readonly BinanceStream[];
  /**
   * Diff depth update speed. Spot: '100ms' (or '1000ms'); futures: '0ms' (real time, what the
   * captures hold), '100ms', '250ms', '500ms'. Default: '100ms' spot, '0ms' futures.
   */
  readonly depthSpeed?: '0ms' | '100ms' | '250ms' | '500ms' | '1000ms';
  /** REST snapshot depth (default 1000). */
  readonly depthLimit?: number;
}

export class BinanceMarketData extends LiveWsFeed {
  private sync!: BinanceBookSync;
  private readonly lookup: InstrumentLookup;
  private readonly trade: Normalizer;
  private readonly aggTrade: Normalizer;
  private readonly bbo: Normalizer;
  private readonly resyncing = new Set<string>();

  constructor(private readonly o: BinanceMarketDataOptions) {
    super(o, o.venue);
    for (const s of o.instruments) if (s.venue !== o.venue) throw new Error(`BinanceMarketData: ${s.id} is not a ${o.venue} instrument`);
    this.lookup = instrumentLookup(o.venue, o.instruments);
    this.trade = binanceTrade(o.venue, this.lookup);
    this.aggTrade = binanceAggTrade(o.venue, this.lookup);
    this.bbo = binanceBookTicker(o.venue, this.lookup);
  }

  isSynced(symbol: string): boolean { return this.sync?.isSynced(symbol) ?? false; }

  private get streams(): readonly BinanceStream[] { return this.o.streams ?? ['depth', 'trade', 'bookTicker']; }

  protected url(): string {
    const speed = this.o.depthSpeed ?? (this.o.venue === 'binance-spot' ? '100ms' : '0ms');
    const names = this.o.instruments.flatMap((s) => this.streams.map((k) => `${s.symbol.toLowerCase()}@${k === 'depth' ? `depth@${speed}` : k}`));
    return `${this.o.wsUrl.replace(/\/$/, '')}/stream?streams=${names.join('/')}`;
  }

  protected resetSync(): void {
    this.sync = new BinanceBookSync(this.o.venue, this.lookup);
    this.resyncing.clear();
  }

  protected onOpen(_ws: WebSocket, epoch: number): void {
    if (this.streams.includes('depth')) for (const s of this.o.instruments) this.snapshot(s.symbol, epoch);
  }

  protected handle(text: string, tsRecv: number): MarketEvent[] {
    const msg = JSON.parse(text) as { stream?: string; data?: { e?: string } };
    const e = msg.data?.e;
    if (e === 'depthUpdate') return [...this.sync.map(msg, tsRecv)];
    if (e === 'trade') return [...this.trade.map(msg, tsRecv)];
    if (e === 'aggTrade') return [...this.aggTrade.map(msg, tsRecv)];
    if (msg.data && this.bbo.canHandle(msg)) return [...this.bbo.map(msg, tsRecv)];
    return [];
  }

  /**
   * Before `start`: the parse and normalize path of the streams run `rounds` times on synthetic
   * messages per instrument, the events dropped. A session's first market message decides its first
   * quotes, and it paid V8's first compilation of this path (bench/live: the first message of a run
   * was its slowest). bookTicker and trade messages go through this feed's normalizers (stateless);
   * depth goes through a throwaway BinanceBookSync (the feed's own keeps the book's sequence state,
   * untouched): a REST-shaped snapshot of WARM_DEPTH_LEVELS levels a side every 10 rounds, a one-level
   * diff a round. Prices and sizes are those of `tops` (the venue's REST top of book, in ticks and
   * lots, as `fetchTops` gives) written as Binance writes them (8 decimals): with one tick and one
   * lot the parsed values were small integers, and the real first message's prices deoptimized the
   * parse (`toUnits` "not a Smi", `--trace-deopt`, bench/live 2026-12-07); without `tops`, one tick
   * and one lot. Times from the clock, as real ones are. Then the socket's message handler on a
   * subscription answer (LiveWsFeed.warmMessagePath). Returns the last round's events, depth rows
   * included (a session can warm its own copy path with them).
   */
  warm(rounds = 200, tops?: readonly WarmTop[]): MarketEvent[] {
    let out: MarketEvent[] = [];
    let sync = new BinanceBookSync(this.o.venue, this.lookup);
    for (let r = 0; r < rounds; r++) {
      out = [];
      if (r % 10 === 0) sync = new BinanceBookSync(this.o.venue, this.lookup);
      this.o.instruments.forEach((s, k) => {
        const sym = s.symbol.toLowerCase();
        const tsRecv = this.o.clockUs();
        const ms = Math.floor(tsRecv / 1000);
        const t = tops?.[k];
        const shift = r % 2;
        const inst = this.lookup(s.symbol);
        const px = (ticks: number): string => (t ? binanceDecimal(inst.tick, ticks) : s.tickSize);
        const qty = (lots: number, m: number): string => (t ? binanceDecimal(inst.lot, Math.max(1, Math.round(lots * m))) : s.lotSize);
        const bid = t ? t.bidTicks - shift : 1; const ask = t ? t.askTicks + shift : 1;
        const bidLots = t?.bidLots ?? 1; const askLots = t?.askLots ?? 1;
        const bbo = `{"stream":"${sym}@bookTicker","data":{"u":${r + 1},"s":"${s.symbol}","b":"${px(bid)}","B":"${qty(bidLots, 1)}","a":"${px(ask)}","A":"${qty(askLots, 1)}"}}`;
        const trade = `{"stream":"${sym}@trade","data":{"e":"trade","E":${ms},"s":"${s.symbol}","t":${r + 1},"p":"${px(r % 2 === 0 ? ask : bid)}","q":"${qty(bidLots, 0.37)}","T":${ms},"m":${r % 2 === 0},"M":true}}`;
        out.push(...this.handle(bbo, tsRecv), ...this.handle(trade, tsRecv));
        if (!this.streams.includes('depth')) return;
        const id = 1_000 + 10 * r;
        if (r % 10 === 0) {
          const side = (dir: number, top: number, lots: number): string[][] => Array.from({ length: WARM_DEPTH_LEVELS }, (_, i) => {
            const p = top + dir * i;
            return [px(p > 0 ? p : 1), qty(lots, 1 + (i % 5) / 4)];
          });
          out.push(...sync.snapshot(s.symbol, { lastUpdateId: id, bids: side(-1, bid, bidLots), asks: side(1, ask, askLots) }, tsRecv));
        }
        // Futures chain their diffs by `pu` (spot messages have none).
        const pu = this.o.venue === 'binance-spot' ? '' : `"pu":${id},`;
        const diff = `{"stream":"${sym}@depth@100ms","data":{"e":"depthUpdate","E":${ms},"s":"${s.symbol}","U":${id + 1},"u":${id + 10},${pu}"b":[["${px(bid - 1 - shift)}","${qty(bidLots, 0.5)}"],["${px(bid - 3)}","0.00000000"]],"a":[["${px(ask + 1 + shift)}","${qty(askLots, 0.5)}"]]}}`;
        out.push(...sync.map(JSON.parse(diff), tsRecv));
      });
    }
    // The socket's own message path, on the answer Binance gives to a subscription request.
    this.warmMessagePath(QUIET_MESSAGE);
    return out;
  }

  protected resync(instrumentId: string, epoch: number): void {
    this.snapshot(instrumentId.slice(instrumentId.indexOf(':') + 1), epoch);
  }

  /** Requests a REST snapshot for `symbol`, retried with the backoff until this connection ends. */
  private snapshot(symbol: string, epoch: number): void {
    if (this.resyncing.has(symbol)) return;
    this.resyncing.add(symbol);
    const url = `${this.o.restUrl.replace(/\/$/, '')}${BINANCE_DEPTH_PATH[this.o.venue]}?symbol=${symbol}&limit=${this.o.depthLimit ?? 1000}`;
    const attempt = (): void => {
      fetch(url).then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
        return res.json();
      }).then((body: unknown) => {
        if (epoch !== this.epoch || this.stopped) return;
        this.resyncing.delete(symbol);
        const events = [...this.sync.snapshot(symbol, body, this.o.clockUs())];
        this.stats.snapshots++;
        this.emit(events);
      }).catch((err: Error) => {
        if (epoch !== this.epoch || this.stopped) return;
        this.log(`depth snapshot ${symbol} failed: ${err.message}; retrying`);
        setTimeout(attempt, this.retryDelayMs);
      });
    };
    attempt();
  }
}
