/**
 * Live Bybit v5 public market data (https://bybit-exchange.github.io/docs/v5/ws/connect): one connection
 * to `/v5/public/<category>` (spot, linear, inverse), topics `orderbook.<depth>.<symbol>` (default 50)
 * and `publicTrade.<symbol>`. Book sync: BybitBookSync (snapshot + delta, `u` chain); a gap is
 * resynced by unsubscribing and resubscribing the topic, which makes Bybit send a new snapshot.
 * Bybit asks for `{"op":"ping"}` every 20 s; its answer (`"op":"ping"` / `"ret_msg":"pong"`) is consumed.
 *
 * Written from the documented v5 format only: no v5 capture exists in data/ (README says so).
 * Instruments use venue ids `bybit-spot`, `bybit-linear`, `bybit-inverse` (the v5 category).
 */
import type WebSocket from 'ws';
import { HftError } from '../../core/errors.ts';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import type { InstrumentLookup } from '../../feeds/normalizer.ts';
import type { MarketEvent } from '../../model/market.ts';
import { LiveWsFeed, type LiveFeedOptions } from '../feed/LiveWsFeed.ts';
import { BybitBookSync } from './BybitBookSync.ts';
import { bybitTrades, isBybitTrade } from './bybitTrade.ts';

export const BYBIT_VENUES = ['bybit-spot', 'bybit-linear', 'bybit-inverse'] as const;
/** Bybit v5's answer to {"op":"ping"} on a public stream (the shape of its docs' example). */
const BYBIT_PONG = '{"success":true,"ret_msg":"pong","conn_id":"warm-up","op":"ping"}';
export type BybitVenue = (typeof BYBIT_VENUES)[number];

export interface BybitMarketDataOptions extends LiveFeedOptions {
  /** Full public URL of the category, e.g. wss://stream.bybit.com/v5/public/linear. */
  readonly wsUrl: string;
  /** Order book depth topic: 1, 50, 200 or 1000 (spot: 1, 50, 200). Default 50. */
  readonly depth?: 1 | 50 | 200 | 1000;
  readonly trades?: boolean;
  readonly pingEveryMs?: number;
}

/** Symbol → instrument of the given specs (all of one Bybit category: a symbol means one instrument per category). */
export function bybitLookup(specs: LiveFeedOptions['instruments']): InstrumentLookup {
  const venues = [...new Set(specs.map((s) => s.venue))];
  if (venues.length !== 1 || !BYBIT_VENUES.includes(venues[0] as BybitVenue)) {
    throw new HftError('HFT_ERR_CONFIG', `bybit: instruments must all be of one of ${BYBIT_VENUES.join(', ')}, got ${venues.join(', ') || 'none'}`);
  }
  return instrumentLookup(venues[0] as BybitVenue, specs);
}

export class BybitMarketData extends LiveWsFeed {
  private sync!: BybitBookSync;
  private readonly lookup: InstrumentLookup;
  private pingTimer: NodeJS.Timeout | undefined;
  readonly errors: string[] = [];

  constructor(private readonly o: BybitMarketDataOptions) {
    super(o, 'bybit');
    this.lookup = bybitLookup(o.instruments);
  }

  isSynced(symbol: string): boolean { return this.sync?.isSynced(symbol) ?? false; }

  override stop(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    super.stop();
  }

  private bookTopic(symbol: string): string { return `orderbook.${this.o.depth ?? 50}.${symbol}`; }

  protected url(): string { return this.o.wsUrl; }

  protected resetSync(): void { this.sync = new BybitBookSync(this.lookup); }

  protected onOpen(ws: WebSocket, _epoch: number): void {
    const args = this.o.instruments.flatMap((s) => [this.bookTopic(s.symbol), ...(this.o.trades === false ? [] : [`publicTrade.${s.symbol}`])]);
    // Bybit spot takes at most 10 topics per subscribe request.
    for (let i = 0; i < args.length; i += 10) ws.send(JSON.stringify({ op: 'subscribe', args: args.slice(i, i + 10) }));
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => { if (this.ws?.readyState === 1) this.ws.send('{"op":"ping"}'); }, this.o.pingEveryMs ?? 20_000);
  }

  /**
   * Before `start`: the socket's message path run on Bybit's answer to our ping, nothing reaching
   * the session (LiveWsFeed.warmMessagePath). No synthetic market messages here (Binance's `warm`
   * has them): returns no events.
   */
  warm(): MarketEvent[] {
    this.warmMessagePath(BYBIT_PONG);
    return [];
  }

  protected handle(text: string, tsRecv: number): MarketEvent[] {
    const msg = JSON.parse(text) as { op?: string; success?: boolean; ret_msg?: string; topic?: string };
    if (msg.op !== undefined) {
      if (msg.success === false) { this.errors.push(`${msg.op}: ${msg.ret_msg}`); this.log(`${msg.op} failed: ${msg.ret_msg}`); }
      return [];
    }
    if (this.sync.canHandle(msg)) {
      if ((msg as { type?: string }).type === 'snapshot') this.stats.snapshots++;
      return [...this.sync.map(msg, tsRecv)];
    }
    if (isBybitTrade(msg)) return [...bybitTrades(msg, tsRecv, this.lookup)];
    return [];
  }

  protected resync(instrumentId: string, _epoch: number): void {
    if (this.ws?.readyState !== 1) return;
    const topic = this.bookTopic(instrumentId.slice(instrumentId.indexOf(':') + 1));
    this.ws.send(JSON.stringify({ op: 'unsubscribe', args: [topic] }));
    this.ws.send(JSON.stringify({ op: 'subscribe', args: [topic] }));
  }
}
