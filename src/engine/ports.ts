/**
 * What the kernel needs from the parts that change between modes (ARCHITECTURE "Only the sources, the
 * venue and the clock change between modes"): an execution venue (simulated in backtest and paper,
 * a real exchange in live), a risk gate and an accounting book. The kernel never knows which
 * implementation it drives.
 */
import type { MarketBatch } from '../model/market.ts';
import type { EventData, OrderIntentData, TradingState } from '../model/events.ts';
import type { Intent } from '../model/orders.ts';

/** A response from the venue, already in the OMS's VenueReport vocabulary, with its two times. */
export interface TimedVenueReport {
  readonly tsVenue: number;
  readonly tsLocal: number;
  readonly report: import('../model/orders.ts').VenueReport;
}

/** A funding settlement the venue applied to a position. */
export interface TimedFunding {
  readonly tsVenue: number;
  readonly tsLocal: number;
  readonly instrument: string;
  readonly rate: string;
  readonly position: string;
  readonly markPrice: string;
  readonly amount: string;
  readonly currency: string;
}

export interface ExecutionVenue {
  /** Venue-side view of a market row, at its exchange time `batch.tsEvent[row]`. */
  onMarketRow(batch: MarketBatch, row: number, instrument: string): void;
  /** Runs every venue action due at or before this venue time (request arrivals, expiries). */
  advanceTo(venueTimeUs: number): void;
  /**
   * Venue time of the next pending venue action (a request's arrival), Infinity when none. A venue
   * that states it has its actions run in time order with responses, timers and market rows (the
   * backtest's simulated venue); one without it (paper's row-driven venue, live adapters) acts only
   * at market rows and on `advanceTo`.
   */
  nextActionUs?(): number;
  submit(order: OrderIntentData, localTimeUs: number): void;
  /**
   * Live adapters: a dry run of the new-order request for `order` — built, signed and formatted as
   * `submit` would, nothing sent, no state changed (HotPathWarmer keeps that path in the CPU caches).
   */
  warmOrder?(order: OrderIntentData): void;
  /**
   * Live adapters, just before the feed starts: a harmless real request on each idle order
   * connection (Binance: GET ping), so the first real order's write and answer path are not cold.
   */
  warmConnections?(): Promise<void>;
  /**
   * Live adapters, after the warm-up and before the feed starts: `submit`'s own code run a few times
   * on a warm-up order through `via` (the kernel's path to the adapter), nothing tracked or sent
   * (Binance: BinanceExecution.rehearse). Returns how many.
   */
  rehearse?(via?: (order: OrderIntentData) => void): number;
  cancel(clientOrderId: string, localTimeUs: number): void;
  modify(clientOrderId: string, priceTicks: number, sizeLots: number, localTimeUs: number): void;
  /** Local time of the earliest undelivered response, Infinity when none. */
  nextResponseUs(): number;
  /** Removes and returns the responses the strategy side sees at or before `localTimeUs`, in order. */
  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[];
}

export interface RiskDenial { readonly rule: string; readonly reason: string; readonly values: Record<string, number | string> }

export interface RiskStateChange {
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
  readonly values: Record<string, number | string>;
  /** Orders to cancel as a consequence (the kill switch's cancel-all). */
  readonly intents: readonly Intent[];
}

/** Pre- and post-trade risk, as the kernel drives it. */
export interface RiskGate {
  readonly state: TradingState;
  /** Pre-trade check of a requested order or amendment; undefined = approved. */
  checkOrder(order: OrderIntentData, nowUs: number, openOrdersOnInstrument: number, amend: boolean): RiskDenial | undefined;
  /** Every run event the kernel records, so the gate can fold what it owns (rate tokens, trading state). */
  observe(type: string, data: unknown, tsUs: number): void;
  /** Best bid/ask (ticks) of an instrument at local time nowUs: price bands and staleness. */
  onMarket(instrument: string, bidTicks: number, askTicks: number, nowUs: number): void;
  onFill(instrument: string, strategyId: string, signedLots: number, priceTicks: number, nowUs: number): void;
  /**
   * A position the run starts holding (position.adopted), in lots, at the venue's entry price: counted
   * like a fill's. Returns the change to REDUCING when it is above the instrument's position limits.
   */
  adoptPosition(instrument: string, strategyId: string, signedLots: number, entryPrice: string): RiskStateChange | undefined;
  /** After each fill: back to ACTIVE once every adopted position above its limit is within it again. */
  afterFill(instrument: string): RiskStateChange | undefined;
  /** Post-trade check on equity (daily loss, drawdown): a state change (with its kill switch) or undefined. */
  onEquity(equity: string, nowUs: number): RiskStateChange | undefined;
}

/** Positions and P&L in exact decimals, as the kernel drives them. */
export interface Ledger {
  /** Applies a fill; returns the position.changed data to record. */
  onFill(fill: EventData<'order.filled'>): EventData<'position.changed'>;
  /** Settles funding on every strategy's position; returns what to record (funding, then position). */
  onFunding(instrument: string, rate: string, markPrice: string): { funding: EventData<'funding.settled'>; position: EventData<'position.changed'> }[];
  /** Seeds a position the run starts holding (onto a flat one); returns the position.changed data to record. */
  adopt(position: EventData<'position.adopted'>): EventData<'position.changed'>;
  /** Marks an instrument (for unrealized P&L); integer only, called on every top-of-book change. */
  mark(instrument: string, priceTicks: number): void;
  /** Equity in the reporting currency as an exact decimal string. */
  equity(): string;
  summary(): Record<string, unknown>;
}
