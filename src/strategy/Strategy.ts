/**
 * The strategy interface every shipped and user strategy implements.
 *
 * A strategy is a deterministic reducer: given the same sequence of events (market rows, timers, its
 * own order updates) and the same seed it produces the same decisions. It does no I/O and reads no
 * clock: time comes in `ctx.nowUs` (local, event time). For speed a strategy keeps its state in its
 * own object and updates it in place; the kernel never shares that object.
 *
 * Its output is a Decision: the intents it wants (place / cancel / modify / cancel-all) and the
 * inputs that led to them (mid, inventory, signal values...), recorded verbatim in the `decision`
 * event so an auditor can answer "why did it do that at 00:01:07.312?".
 */
import type { SeededRandom } from '../core/random.ts';
import type { BookView } from '../model/book/BookView.ts';
import type { Instrument } from '../model/instrument.ts';
import type { MarketKind } from '../model/market.ts';
import type { Intent, Order, TradingState } from '../model/orders.ts';

export interface StrategyContext {
  /** Local time of the event being handled, µs. */
  readonly nowUs: number;
  book(instrument: string): BookView;
  instrument(id: string): Instrument;
  /** Signed position of this strategy in lots. */
  positionLots(instrument: string): number;
  /** This strategy's open orders on an instrument, in request order. */
  openOrders(instrument: string): readonly Order[];
  readonly tradingState: TradingState;
  readonly random: SeededRandom;
  /**
   * Freshest top of book: the last BBO message when it is newer than the book's last update (venues
   * stream BBO in real time while depth diffs come batched), else the book's own top.
   */
  bbo(instrument: string): { readonly bidTicks: number; readonly bidLots: number; readonly askTicks: number; readonly askLots: number };
  /** Last trade seen on an instrument (price ticks, aggressor side), for signals. */
  lastTrade(instrument: string): { readonly priceTicks: number; readonly sizeLots: number; readonly side: 1 | -1; readonly tsUs: number } | undefined;
  /** Last funding-rate row of a perpetual (rate per interval, its funding time), when the data has them. */
  funding(instrument: string): { readonly rate: number; readonly intervalUs: number; readonly fundingTimeUs: number; readonly markPriceTicks: number; readonly tsUs: number } | undefined;
}

export interface Decision {
  /** What woke the strategy: 'bbo', 'book', 'trade', 'timer', 'fill', ... */
  readonly trigger: string;
  readonly inputs: Readonly<Record<string, number | string | boolean>>;
  readonly intents: readonly Intent[];
}

export interface Strategy {
  readonly id: string;
  readonly instruments: readonly string[];
  /** Period of `onTimer` in µs, 0 for none. Timers are events in the run's ordered stream. */
  readonly timerIntervalUs: number;
  /** Called after the book of `instrument` reflects a consistent state (end of a venue message). */
  onMarket(instrument: string, kind: MarketKind, ctx: StrategyContext): Decision | undefined;
  onTimer(ctx: StrategyContext): Decision | undefined;
  /** Called when one of its orders changes (ack, fill, cancel, reject). */
  onOrder(order: Order, ctx: StrategyContext): Decision | undefined;
}

export interface StrategyFactory {
  readonly type: string;
  readonly summary: string;
  /** Validates params (HFT_ERR_CONFIG listing every bad field) and builds the strategy. */
  create(id: string, instruments: readonly Instrument[], params: Readonly<Record<string, unknown>>, source: string): Strategy;
}
