/**
 * The deterministic kernel: folds one time-ordered stream of market rows (plus the timers and venue
 * responses they interleave with) through the execution venue, the strategies, risk and the OMS, and
 * returns every run event it produced. Synchronous and free of RxJS: engine/runBacktest.ts wires it.
 *
 * Phase order for every market row (local time tL = tsRecv corrected, venue time tV = tsEvent):
 *   1. due venue actions (a request reaching the venue), timers and venue responses (time < tL), each
 *      at its own time, in time order;
 *   2. the venue runs its queue up to tV and matches the row (venue first);
 *   3. responses now due at tL are delivered (fills caused by this very row, when latency allows);
 *   4. the strategy-side book applies the row; at the end of a venue message the strategies see it;
 *   5. their decisions settle: intents -> OMS -> risk -> venue requests at tL.
 *
 * Ids are `<runId>-<seq>`; nothing here reads a clock or a random source except the seeded one.
 */
import { HftError } from '../core/errors.ts';
import { eventId } from '../core/ids.ts';
import type { SeededRandom } from '../core/random.ts';
import { L2Book } from '../model/book/L2Book.ts';
import type { BookView } from '../model/book/BookView.ts';
import { EVENT_CATALOGUE, type EventData, type EventType, type NewEvent, type OrderIntentData, type TradingState } from '../model/events.ts';
import type { Instrument } from '../model/instrument.ts';
import { BookFlag, KindCode, type MarketBatch, type MarketKind } from '../model/market.ts';
import { ALL_STRATEGIES, TERMINAL_STATUSES, type Intent, type Order, type VenueReport } from '../model/orders.ts';
import { createOmsState, type OmsState } from '../oms/OmsState.ts';
import { decideOms, type OmsCommand } from '../oms/decideOms.ts';
import { evolveOms } from '../oms/evolveOms.ts';
import { openOrderCount, openOrders } from '../oms/openOrders.ts';
import type { Decision, Strategy, StrategyContext } from '../strategy/Strategy.ts';
import type { ExecutionVenue, Ledger, RiskDenial, RiskGate, RiskStateChange, TimedFunding, TimedVenueReport } from './ports.ts';

export interface KernelConfig {
  readonly runId: string;
  /** Instruments in the order of the batches' `instrument` column. */
  readonly instruments: readonly Instrument[];
  readonly strategies: readonly Strategy[];
  readonly venue: ExecutionVenue;
  readonly risk: RiskGate;
  readonly ledger: Ledger;
  readonly random: SeededRandom;
  /** Added to every tsRecv (a recorder clock behind the venue, e.g. +1.3 s for the shipped captures). */
  readonly localClockOffsetUs: number;
  /** Local time is never earlier than tsEvent + this (the feed cannot beat the exchange). */
  readonly minFeedLatencyUs: number;
  readonly equityIntervalUs: number;
  /** First event sequence number (after run.started). */
  readonly firstSeq: number;
}

export interface KernelCounters {
  marketRows: number;
  decisions: number;
  ordersRequested: number;
  ordersDenied: number;
  fills: number;
  filledLots: number;
  cancels: number;
  rejects: number;
  invalidTransitions: number;
  /** Rows whose corrected local time had to be clamped up to tsEvent + minFeedLatency. */
  clampedRows: number;
  /** Responses delivered later than their local time because the loop had already passed it. */
  lateResponses: number;
  equitySamples: number;
  maxDrawdown: string;
}

/**
 * What an intervention from outside the market stream (an operator command) may do, at the kernel's
 * local time: record an event (through the risk gate's observer, like every run event) and settle a
 * decision for one of the run's strategies (intents -> OMS -> risk -> venue, as a strategy's own).
 */
export interface InterventionApi {
  readonly nowUs: number;
  readonly tradingState: TradingState;
  readonly orders: ReadonlyMap<string, Order>;
  /** Records an event now; returns its id. */
  record<T extends EventType>(type: T, data: EventData<T>): string;
  decide(strategyId: string, decision: Decision): void;
  /**
   * The kill switch as risk pulls it (post-trade loss limits): `risk.state-changed` to HALTED with
   * this reason and values (caused by `cause`, an event id), then a cancel-all of every strategy's
   * open orders. Nothing when already HALTED.
   */
  halt(reason: string, values: Record<string, number | string>, cause: string): void;
}
export type Intervention = (api: InterventionApi) => void;

interface ScheduledIntervention { readonly afterRows: number; readonly atUs: number; readonly apply: Intervention }

export interface LastTrade { priceTicks: number; sizeLots: number; side: 1 | -1; tsUs: number }
export interface Bbo { bidTicks: number; bidLots: number; askTicks: number; askLots: number; tsUs: number }

export class Kernel {
  readonly counters: KernelCounters = {
    marketRows: 0, decisions: 0, ordersRequested: 0, ordersDenied: 0, fills: 0, filledLots: 0, cancels: 0, rejects: 0,
    invalidTransitions: 0, clampedRows: 0, lateResponses: 0, equitySamples: 0, maxDrawdown: '0',
  };
  readonly oms: OmsState;

  private seq: number;
  private out: NewEvent[] = [];
  private nowUs = 0;
  private readonly books: L2Book[];
  private readonly bookById = new Map<string, L2Book>();
  private readonly bboByIdx: Bbo[];
  private readonly fundingByIdx: ({ rate: number; intervalUs: number; fundingTimeUs: number; markPriceTicks: number; tsUs: number } | undefined)[];
  /** Latest mid per instrument in ticks (0 = none yet). */
  private readonly markTicks: number[];
  private readonly lastTradeByIdx: (LastTrade | undefined)[];
  private readonly instById = new Map<string, Instrument>();
  private readonly idxById = new Map<string, number>();
  /** Strategies interested in each instrument index. */
  private readonly listeners: Strategy[][];
  private readonly strategyById = new Map<string, Strategy>();
  private readonly positionLots = new Map<string, number>();
  private readonly timerNext: number[];
  private readonly hasTimers: boolean;
  private nextEquityUs = Number.NaN;
  private peakEquity = Number.NaN;
  private maxDrawdownNum = 0;
  /** Per order: the decision event that created it (correlation) and its last request event (causation). */
  private readonly correlation = new Map<string, string>();
  private readonly lastRequest = new Map<string, string>();
  private readonly ctx: StrategyContext;
  private currentStrategy = '';
  /** Replay: interventions waiting for their row count, in order; `interventionAt` = the first's (-1: none). */
  private readonly interventions: ScheduledIntervention[] = [];
  private interventionAt = -1;
  private readonly interventionApi: InterventionApi;
  /** The venue runs its actions in time order with responses and timers (ExecutionVenue.nextActionUs). */
  private readonly venueActsInTime: boolean;

  constructor(private readonly cfg: KernelConfig) {
    this.venueActsInTime = typeof cfg.venue.nextActionUs === 'function';
    this.seq = cfg.firstSeq;
    this.oms = createOmsState({ runId: cfg.runId, instruments: cfg.instruments });
    this.books = cfg.instruments.map((i) => new L2Book(i.id));
    this.bboByIdx = cfg.instruments.map(() => ({ bidTicks: Number.NEGATIVE_INFINITY, bidLots: 0, askTicks: Number.POSITIVE_INFINITY, askLots: 0, tsUs: -1 }));
    this.lastTradeByIdx = cfg.instruments.map(() => undefined);
    this.markTicks = cfg.instruments.map(() => 0);
    this.fundingByIdx = cfg.instruments.map(() => undefined);
    cfg.instruments.forEach((inst, i) => {
      this.bookById.set(inst.id, this.books[i]!);
      this.instById.set(inst.id, inst);
      this.idxById.set(inst.id, i);
    });
    this.listeners = cfg.instruments.map(() => []);
    for (const s of cfg.strategies) {
      if (this.strategyById.has(s.id)) throw new HftError('HFT_ERR_CONFIG', `strategy id '${s.id}' used twice`);
      this.strategyById.set(s.id, s);
      for (const id of s.instruments) {
        const idx = this.idxById.get(id);
        if (idx === undefined) throw new HftError('HFT_ERR_CONFIG', `strategy '${s.id}': instrument '${id}' has no market data (known: ${[...this.idxById.keys()].join(', ')})`);
        this.listeners[idx]!.push(s);
      }
    }
    this.timerNext = cfg.strategies.map(() => Number.NaN);
    this.hasTimers = cfg.strategies.some((s) => s.timerIntervalUs > 0);
    const kernel = this;
    this.ctx = {
      get nowUs() { return kernel.nowUs; },
      book: (id: string): BookView => kernel.bookOf(id),
      instrument: (id: string): Instrument => kernel.instrumentOf(id),
      positionLots: (id: string): number => kernel.positionLots.get(kernel.positionKey(kernel.currentStrategy, id)) ?? 0,
      openOrders: (id: string): readonly Order[] => kernel.openOrdersOf(id),
      get tradingState() { return kernel.cfg.risk.state; },
      random: cfg.random,
      bbo: (id: string) => kernel.freshTop(id),
      lastTrade: (id: string) => kernel.lastTradeByIdx[kernel.idxById.get(id) ?? -1],
      funding: (id: string) => kernel.fundingByIdx[kernel.idxById.get(id) ?? -1],
    };
    this.interventionApi = {
      get nowUs() { return kernel.nowUs; },
      get tradingState() { return kernel.cfg.risk.state; },
      get orders() { return kernel.oms.orders; },
      record: (type, data) => kernel.emit(type, data, kernel.nowUs, kernel.nowUs, '', ''),
      halt: (reason, values, cause) => {
        const from = kernel.cfg.risk.state;
        if (from === 'HALTED') return;
        kernel.emitRiskChange({ from, to: 'HALTED', reason, values, intents: [{ kind: 'cancel-all', strategyId: ALL_STRATEGIES, reason: `kill switch: ${reason}` }] }, kernel.nowUs, cause);
      },
      decide: (strategyId, decision) => {
        const st = kernel.strategyById.get(strategyId);
        if (!st) throw new HftError('HFT_ERR_CONFIG', `intervention: no strategy '${strategyId}' in this run (known: ${[...kernel.strategyById.keys()].join(', ')})`);
        kernel.currentStrategy = st.id;
        kernel.settle(st, decision, kernel.nowUs);
      },
    };
  }

  /**
   * Live and paper: applies an intervention (an operator command) now, at local time `atUs` (or the
   * kernel's, if later). Call `advance(atUs)` first, so everything due by then has happened: a replay
   * that schedules the same intervention after the same number of market rows (`counters.marketRows`
   * before this call) and at the same time reproduces every event it causes.
   */
  intervene(atUs: number, apply: Intervention): NewEvent[] {
    if (this.interventions.length > 0) throw new HftError('HFT_ERR_CONFIG', 'intervene: this kernel replays scheduled interventions; it cannot take live ones');
    this.nowUs = Math.max(this.nowUs, atUs);
    apply(this.interventionApi);
    return this.take();
  }

  /**
   * Replay: `apply` runs after exactly `afterRows` market rows were seen locally, at local time
   * max(atUs, kernel time), after the venue rows, responses and timers due by then — where
   * `intervene` ran in the recorded session. Schedule in the recorded order, before stepping past it.
   */
  schedule(afterRows: number, atUs: number, apply: Intervention): void {
    const last = this.interventions[this.interventions.length - 1];
    if (!Number.isSafeInteger(afterRows) || afterRows < this.counters.marketRows || (last !== undefined && (afterRows < last.afterRows || (afterRows === last.afterRows && atUs < last.atUs)))) {
      throw new HftError('HFT_ERR_BAD_INPUT', `schedule: intervention after row ${afterRows} at ${atUs} µs is out of order (kernel at row ${this.counters.marketRows}${last ? `, last scheduled after row ${last.afterRows} at ${last.atUs} µs` : ''})`);
    }
    this.interventions.push({ afterRows, atUs, apply });
    if (this.interventionAt < 0) this.interventionAt = afterRows;
  }

  private adopted = false;

  /**
   * Seeds the positions the run starts holding (live `--adopt-positions`, paper `--start-position`),
   * before any market event, at local time `atUs` (the kernel's clock does not move: timers still
   * start after the first market row). Per position: `position.adopted` (the recorded input a replay
   * seeds from again), the strategy's position in lots, the ledger (position.changed: quantity and
   * average entry exactly as given) and risk (net lots; a position above its limits switches the
   * trading state to REDUCING, risk/adoptedPosition.ts). Everything is checked before anything is
   * recorded; once per run.
   */
  adopt(positions: readonly EventData<'position.adopted'>[], atUs: number): NewEvent[] {
    if (this.adopted) throw new HftError('HFT_ERR_CONFIG', `run '${this.cfg.runId}': positions are adopted once, at the start`);
    if (this.counters.marketRows > 0 || this.counters.ordersRequested > 0 || this.held.length > 0) {
      throw new HftError('HFT_ERR_CONFIG', `run '${this.cfg.runId}': a position is adopted before the first market event (${this.counters.marketRows} rows and ${this.counters.ordersRequested} orders already)`);
    }
    const seen = new Set<string>();
    const lots = positions.map((p) => {
      const where = `position.adopted ${p.instrument} (strategy ${p.strategyId})`;
      const inst = this.instById.get(p.instrument);
      if (!inst) throw new HftError('HFT_ERR_CONFIG', `${where}: instrument is not in this run (known: ${[...this.instById.keys()].join(', ')})`, { instrument: p.instrument });
      const st = this.strategyById.get(p.strategyId);
      if (!st || !st.instruments.includes(p.instrument)) throw new HftError('HFT_ERR_CONFIG', `${where}: no strategy '${p.strategyId}' trading ${p.instrument} in this run`, { instrument: p.instrument });
      if (seen.has(p.instrument)) throw new HftError('HFT_ERR_CONFIG', `${where}: ${p.instrument} adopted twice`, { instrument: p.instrument });
      seen.add(p.instrument);
      if (!/^\d+(\.\d+)?$/.test(p.entryPrice) || !(Number(p.entryPrice) > 0)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: entryPrice must be a decimal > 0, got '${p.entryPrice}'`, { field: 'entryPrice' });
      let n: number;
      try { n = inst.lot.toUnits(p.quantity); } catch (e) {
        throw new HftError('HFT_ERR_BAD_INPUT', `${where}: quantity '${p.quantity}' is not a whole number of lots of ${inst.lotSize}: ${(e as Error).message}`, { field: 'quantity' });
      }
      if (n === 0) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: quantity is zero (a flat position is not adopted)`, { field: 'quantity' });
      return n;
    });
    this.adopted = true;
    positions.forEach((p, k) => {
      const id = this.emit('position.adopted', p, atUs, atUs, '', '');
      this.positionLots.set(`${p.strategyId}|${p.instrument}`, lots[k]!);
      this.emit('position.changed', this.cfg.ledger.adopt(p), atUs, atUs, id, id);
      const change = this.cfg.risk.adoptPosition(p.instrument, p.strategyId, lots[k]!, p.entryPrice);
      if (change) this.emitRiskChange(change, atUs, id);
    });
    return this.take();
  }

  private emitRiskChange(change: RiskStateChange, at: number, cause: string): void {
    const id = this.emit('risk.state-changed', { from: change.from, to: change.to, reason: change.reason, values: change.values }, at, at, cause, cause);
    for (const intent of change.intents) this.applyIntent(intent, at, id);
  }

  /** Interventions scheduled and not yet applied. */
  get pendingInterventions(): number { return this.interventions.length; }

  /**
   * Processes one merged batch; returns the run events it produced (the array is handed over).
   *
   * Two cursors walk the held batches: the venue's (rows at tsEvent) runs ahead of the strategy's
   * (rows at corrected tsRecv), so a fill the venue makes from a row reaches the strategy at its own
   * response time, even before the strategy sees that row. Local events wait while the venue cursor
   * has no row left: the next batch may still hold rows the venue sees earlier.
   */
  step(b: MarketBatch): NewEvent[] {
    if (b.length > 0) this.held.push(b);
    this.run(false);
    return this.take();
  }

  /**
   * Live and paper modes (wall clock): processes every held row (no later row can be earlier than
   * the wall clock), then delivers the responses and fires the timers due by `nowUs`, each at its own
   * time. The local clock only moves to the times of what it delivers, never to `nowUs` itself, so a
   * replay of the recorded rows through `step` reproduces the same event times.
   */
  advance(nowUs: number): NewEvent[] {
    this.run(true);
    for (;;) {
      const due = Math.min(this.cfg.venue.nextResponseUs(), this.nextTimerUs());
      if (!(due <= nowUs)) break;
      this.cfg.venue.advanceTo(due);
      this.runDue(due, true, true);
    }
    return this.take();
  }

  /** Ends the run: every held row, then every request and response still in flight. No timers past the data. */
  finish(): NewEvent[] {
    this.run(true);
    const last = this.nowUs;
    for (;;) {
      const t = Math.min(this.cfg.venue.nextResponseUs(), this.nextActionUs());
      if (t === Number.POSITIVE_INFINITY) break;
      this.cfg.venue.advanceTo(t);
      this.runDue(t, true, false);
    }
    this.nowUs = Math.max(this.nowUs, last);
    this.sampleEquity(this.nowUs, true);
    return this.take();
  }

  private readonly held: MarketBatch[] = [];
  private vb = 0; private vi = 0; // venue cursor: held[vb], row vi
  private lb = 0; private li = 0; // local cursor
  private lastVenueUs = Number.NEGATIVE_INFINITY;

  /** The local time at which the strategy side sees row `i` of `b` (receipt time, no earlier than the minimum feed latency). */
  localTimeOf(b: MarketBatch, i: number): number {
    const cfg = this.cfg;
    const tV = b.tsEvent[i]!;
    let tL = b.tsRecv[i]! + cfg.localClockOffsetUs;
    if (tL < tV + cfg.minFeedLatencyUs) { tL = tV + cfg.minFeedLatencyUs; }
    return tL;
  }

  /**
   * Runs events until the held rows are used up (or must wait for the next batch). The loop body is
   * its own method: V8 then optimizes it as a plain function with complete type feedback instead of
   * on-stack-replacing a long loop whose rarely taken exits deoptimize it again and again.
   */
  private run(ended: boolean): void {
    this.loop(ended);
    // drop batches both cursors have passed
    const done = Math.min(this.vb, this.lb);
    if (done > 0) { this.held.splice(0, done); this.vb -= done; this.lb -= done; }
  }

  /**
   * The loop alone in its function: V8 on-stack-replaces it in every batch until the function is hot,
   * and code after the loop in the same function (never run when the OSR code was compiled) threw
   * that code away again at every batch's end (36 deoptimizations in a 2.4M-row run).
   */
  private loop(ended: boolean): void {
    while (this.next(ended)) { /* one venue or local event per call */ }
  }

  /** Processes the next venue row or local row; false when nothing can be processed now. */
  private next(ended: boolean): boolean {
    const held = this.held;
    while (this.vb < held.length && this.vi >= held[this.vb]!.length) { this.vb++; this.vi = 0; }
    const vBatch = this.vb < held.length ? held[this.vb]! : undefined;
    const tVen = vBatch !== undefined ? vBatch.tsEvent[this.vi]! : Number.POSITIVE_INFINITY;
    while (this.lb < held.length && this.li >= held[this.lb]!.length) { this.lb++; this.li = 0; }
    if (this.interventionAt === this.counters.marketRows) return this.nextIntervention(ended, vBatch, tVen);
    if (this.lb >= held.length) return false; // every held row seen locally
    const lBatch = held[this.lb]!;
    const tLoc = Math.max(this.localTimeOf(lBatch, this.li), this.nowUs);
    // Without a venue row left we cannot know what the venue saw before tLoc: wait for more data.
    if (vBatch === undefined && !ended && tLoc > this.lastVenueUs) return false;
    // A venue row whose tsEvent is out of order waits until local time reaches it (rows stay in order).
    if (vBatch !== undefined && tVen <= tLoc) { this.venueRun(vBatch, lBatch); return true; }
    this.localRun(lBatch, tLoc, tVen, ended || vBatch !== undefined);
    return true;
  }

  /**
   * Venue rows of `b` from the venue cursor for as long as `next` would pick them: each due no later
   * than the local time of the local cursor's row (`lBatch`, row li, or the kernel's time if later).
   * The same rows in the same order as one `next` call each; stopping early is always safe, as `next`
   * derives everything again from the cursors. Saves re-deriving both cursors per row.
   */
  private venueRun(b: MarketBatch, lBatch: MarketBatch): void {
    const ts = b.tsEvent;
    const n = b.length;
    const tLocRow = this.localTimeOf(lBatch, this.li);
    do {
      this.venueStep(b);
    } while (this.vi < n && this.interventionAt !== this.counters.marketRows && ts[this.vi]! <= Math.max(tLocRow, this.nowUs));
  }

  /**
   * Local rows of `b` from the local cursor, the first at `tLoc`, for as long as `next` would pick
   * them: until the batch ends, an intervention is due, the venue cursor's row (at `tVen`, +inf when
   * there is none) is due first, or, with no venue row held and more data to come (`venueKnown` false),
   * the row is later than the last venue row.
   */
  private localRun(b: MarketBatch, tLoc: number, tVen: number, venueKnown: boolean): void {
    for (;;) {
      this.localStep(tLoc);
      this.localRow(b, this.li);
      this.li++;
      if (this.li >= b.length || this.interventionAt === this.counters.marketRows) return;
      tLoc = Math.max(this.localTimeOf(b, this.li), this.nowUs);
      if (!(tLoc < tVen) || (!venueKnown && tLoc > this.lastVenueUs)) return;
    }
  }

  /** Venue first: delivers what the strategy sees before this venue instant, then matches the venue cursor's row. */
  private venueStep(b: MarketBatch): void {
    const tVen = b.tsEvent[this.vi]!;
    if (this.nextActionUs() < tVen || this.cfg.venue.nextResponseUs() < tVen || this.nextTimerUs() < tVen) this.runDue(tVen, false, true);
    this.venueRow(b, this.vi);
    this.vi++;
  }

  /** Before a local event at `t`: the venue actions, responses and timers due by then (inclusive), then the clock moves to `t`. */
  private localStep(t: number): void {
    if (this.nextActionUs() <= t || this.cfg.venue.nextResponseUs() <= t || this.nextTimerUs() <= t) this.runDue(t, true, true);
    this.nowUs = t;
  }

  /** A scheduled intervention is the next local event: ordered against venue rows like a local row. */
  private nextIntervention(ended: boolean, vBatch: MarketBatch | undefined, tVen: number): boolean {
    const iv = this.interventions[0]!;
    const t = Math.max(iv.atUs, this.nowUs);
    if (vBatch === undefined && !ended && t > this.lastVenueUs) return false;
    if (vBatch !== undefined && tVen <= t) { this.venueStep(vBatch); return true; }
    this.localStep(t);
    this.interventions.shift();
    this.interventionAt = this.interventions.length > 0 ? this.interventions[0]!.afterRows : -1;
    iv.apply(this.interventionApi);
    return true;
  }

  /** The venue side of row i at its tsEvent (read here, not passed: a double argument is boxed per call). */
  private venueRow(b: MarketBatch, i: number): void {
    const tVen = b.tsEvent[i]!;
    const idx = b.instrument[i]!;
    const inst = this.cfg.instruments[idx];
    if (inst === undefined) throw new HftError('HFT_ERR_BAD_INPUT', `market row ${i}: instrument index ${idx} not in the run's instrument table`);
    this.cfg.venue.advanceTo(tVen);
    this.cfg.venue.onMarketRow(b, i, inst.id);
    if (tVen > this.lastVenueUs) this.lastVenueUs = tVen;
  }

  /**
   * Strategy side of one market row at local time nowUs: book, BBO, trade, then the strategies. The
   * time is read from the field, not passed: a double argument to a call V8 does not inline is boxed,
   * one heap number per row.
   */
  private localRow(b: MarketBatch, i: number): void {
    const cfg = this.cfg;
    const tL = this.nowUs;
    const idx = b.instrument[i]!;
    const inst = cfg.instruments[idx]!;
    this.counters.marketRows++;
    if (b.tsRecv[i]! + cfg.localClockOffsetUs < b.tsEvent[i]! + cfg.minFeedLatencyUs) this.counters.clampedRows++;
    const kind = b.kind[i]!;
    let notify: MarketKind | undefined;
    if (kind === KindCode.book) {
      const book = this.books[idx]!;
      book.applyRow(b.side[i]!, b.price[i]!, b.size[i]!, b.flags[i]!);
      if ((b.flags[i]! & BookFlag.EndOfMessage) !== 0) notify = 'book';
    } else if (kind === KindCode.bbo) {
      const q = this.bboByIdx[idx]!;
      q.bidTicks = b.price[i]!; q.bidLots = b.size[i]!; q.askTicks = b.price2[i]!; q.askLots = b.size2[i]!; q.tsUs = tL;
      notify = 'bbo';
    } else if (kind === KindCode.trade) {
      const t = this.lastTradeByIdx[idx];
      if (t) { t.priceTicks = b.price[i]!; t.sizeLots = b.size[i]!; t.side = b.side[i]! as 1 | -1; t.tsUs = tL; }
      else this.lastTradeByIdx[idx] = { priceTicks: b.price[i]!, sizeLots: b.size[i]!, side: b.side[i]! as 1 | -1, tsUs: tL };
      notify = 'trade';
    } else if (kind === KindCode.funding) {
      this.fundingByIdx[idx] = { rate: b.rate[i]!, intervalUs: b.size2[i]!, fundingTimeUs: b.id[i]!, markPriceTicks: b.price[i]!, tsUs: tL };
      notify = 'funding';
    } else if (kind === KindCode.gap) {
      this.books[idx]!.clear();
    }
    if (notify !== undefined) {
      const top = this.topOf(idx);
      if (Number.isFinite(top.bidTicks) && Number.isFinite(top.askTicks)) {
        cfg.risk.onMarket(inst.id, top.bidTicks, top.askTicks, tL);
        // Marks reach the ledger only when equity is read (samples, summary): a Map write per tick is not free.
        this.markTicks[idx] = Math.round((top.bidTicks + top.askTicks) / 2);
      }
      const ls = this.listeners[idx]!;
      for (let s = 0; s < ls.length; s++) {
        const st = ls[s]!;
        this.currentStrategy = st.id;
        const d = st.onMarket(inst.id, notify, this.ctx);
        // The time is read again here, not taken from tL: passing tL to this call (not inlined) had V8
        // box it on every row, decision or not (a heap number per row).
        if (d) this.settle(st, d, this.nowUs);
      }
    }
    this.sampleEquity(tL);
  }

  /** Appends an event outside the market loop (run.started / run.completed). */
  record<T extends EventType>(type: T, data: EventData<T>, tsEvent: number, tsRecv: number): NewEvent[] {
    this.emit(type, data, tsEvent, tsRecv, '', '');
    return this.take();
  }

  get nextSeq(): number { return this.seq; }

  /** Top of book of instrument `idx` as the strategies see it now (read-only; NaN sides while empty). */
  top(idx: number): { readonly bidTicks: number; readonly bidLots: number; readonly askTicks: number; readonly askLots: number } { return this.topOf(idx); }
  get localTimeUs(): number { return this.nowUs; }

  /** The strategy-side book of instrument `idx` (read-only: what the strategies' context serves; `hft why`). */
  bookView(idx: number): BookView { return this.books[idx]!; }
  /** The last best bid/offer row of instrument `idx` as the strategies saw it (tsUs -1: none yet), and its last trade. */
  lastBbo(idx: number): Readonly<Bbo> { return this.bboByIdx[idx]!; }
  lastTrade(idx: number): Readonly<LastTrade> | undefined { return this.lastTradeByIdx[idx]; }

  positionOf(strategyId: string, instrument: string): number { return this.positionLots.get(`${strategyId}|${instrument}`) ?? 0; }

  /** Signed lots per `<strategyId>|<instrument>`, sorted by key. */
  positionsLots(): [string, number][] { return [...this.positionLots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); }

  // ---------------------------------------------------------------------------------------------

  private take(): NewEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private emit<T extends EventType>(type: T, data: EventData<T>, tsEvent: number, tsRecv: number, correlationId: string, causationId: string): string {
    const id = eventId(this.cfg.runId, this.seq++);
    // Each event carries its type's current schema version (what readers upcast from).
    this.out.push({ id, type, version: EVENT_CATALOGUE[type], tsEvent, tsRecv, runId: this.cfg.runId, correlationId: correlationId || id, causationId: causationId || id, data } as NewEvent);
    this.cfg.risk.observe(type, data, tsRecv);
    return id;
  }

  /**
   * Runs venue actions, delivers responses (and fires timers when `timers`) in time order up to `tL`.
   * Venue actions (a request reaching the simulated venue) run at their own time, before a response
   * or timer at the same time: every market row up to `tL` has been matched by then, so the venue acts
   * on the book as it was, and its answer reaches the strategy at its own response time instead of
   * waiting for the venue's next market row.
   */
  private runDue(tL: number, inclusive: boolean, timers: boolean): void {
    const venue = this.cfg.venue;
    for (;;) {
      const tAct = this.nextActionUs();
      const tResp = venue.nextResponseUs();
      const tTimer = timers ? this.nextTimerUs() : Number.POSITIVE_INFINITY;
      const t = Math.min(tAct, tResp, tTimer);
      if (!(inclusive ? t <= tL : t < tL)) return;
      if (tAct === t) {
        venue.advanceTo(tAct);
      } else if (tResp <= tTimer) {
        const at = Math.max(tResp, this.nowUs);
        if (tResp < this.nowUs) this.counters.lateResponses++;
        this.nowUs = at;
        for (const r of venue.takeResponses(tResp)) this.onResponse(r, at);
      } else {
        this.nowUs = Math.max(tTimer, this.nowUs);
        this.fireTimers(tTimer);
      }
    }
  }

  /** Venue time of the simulated venue's next action; Infinity for a venue that acts only at market rows. */
  private nextActionUs(): number {
    return this.venueActsInTime ? this.cfg.venue.nextActionUs!() : Number.POSITIVE_INFINITY;
  }

  private nextTimerUs(): number {
    if (!this.hasTimers) return Number.POSITIVE_INFINITY;
    let t = Number.POSITIVE_INFINITY;
    const ss = this.cfg.strategies;
    for (let s = 0; s < ss.length; s++) {
      const iv = ss[s]!.timerIntervalUs;
      if (iv <= 0) continue;
      let n = this.timerNext[s]!;
      if (Number.isNaN(n)) {
        if (this.nowUs === 0) continue; // the first timer starts after the first market row
        n = (Math.floor(this.nowUs / iv) + 1) * iv;
        this.timerNext[s] = n;
      }
      if (n < t) t = n;
    }
    return t;
  }

  private fireTimers(t: number): void {
    const ss = this.cfg.strategies;
    for (let s = 0; s < ss.length; s++) {
      if (this.timerNext[s] !== t) continue;
      const st = ss[s]!;
      this.timerNext[s] = t + st.timerIntervalUs;
      this.currentStrategy = st.id;
      const d = st.onTimer(this.ctx);
      if (d) this.settle(st, d, t);
    }
  }

  private onResponse(r: TimedVenueReport | TimedFunding, at: number): void {
    if (!('report' in r)) { this.onFunding(r, at); return; }
    const report = r.report;
    const events = decideOms(this.oms, { kind: 'venue', report } as OmsCommand);
    const cause = this.lastRequest.get(report.clientOrderId) ?? '';
    const corr = this.correlation.get(report.clientOrderId) ?? '';
    let changed: Order | undefined;
    for (const e of events) {
      this.emit(e.type, e.data as never, r.tsVenue, at, corr, cause);
      evolveOms(this.oms, e);
      if (e.type === 'order.invalid-transition') { this.counters.invalidTransitions++; continue; }
      if (e.type === 'order.filled') this.onFilled(e.data, r.tsVenue, at, corr);
      else if (e.type === 'order.canceled') this.counters.cancels++;
      else if (e.type === 'order.rejected') this.counters.rejects++;
      changed = this.oms.orders.get(report.clientOrderId);
    }
    if (changed && TERMINAL_STATUSES.has(changed.status)) {
      // Flat memory over long runs: nothing will be caused by or correlated with a closed order again.
      this.correlation.delete(changed.clientOrderId);
      this.lastRequest.delete(changed.clientOrderId);
    }
    if (changed) {
      const st = this.strategyById.get(changed.strategyId);
      if (st) {
        this.currentStrategy = st.id;
        const d = st.onOrder(changed, this.ctx);
        if (d) this.settle(st, d, at);
      }
    }
  }

  private onFilled(f: EventData<'order.filled'>, tsVenue: number, at: number, corr: string): void {
    this.counters.fills++;
    this.counters.filledLots += f.sizeLots;
    const signed = f.side === 'buy' ? f.sizeLots : -f.sizeLots;
    const key = `${f.strategyId}|${f.instrument}`;
    this.positionLots.set(key, (this.positionLots.get(key) ?? 0) + signed);
    this.cfg.risk.onFill(f.instrument, f.strategyId, signed, f.priceTicks, at);
    const pos = this.cfg.ledger.onFill(f);
    this.emit('position.changed', pos, tsVenue, at, corr, '');
    const back = this.cfg.risk.afterFill(f.instrument);
    if (back) this.emitRiskChange(back, at, '');
  }

  private onFunding(f: TimedFunding, at: number): void {
    for (const { funding, position } of this.cfg.ledger.onFunding(f.instrument, f.rate, f.markPrice)) {
      this.emit('funding.settled', funding, f.tsVenue, at, '', '');
      this.emit('position.changed', position, f.tsVenue, at, '', '');
    }
  }

  private checkEquity(at: number): void {
    const change = this.cfg.risk.onEquity(this.cfg.ledger.equity(), at);
    if (!change) return;
    const id = this.emit('risk.state-changed', { from: change.from, to: change.to, reason: change.reason, values: change.values }, at, at, '', '');
    for (const intent of change.intents) this.applyIntent(intent, at, id);
  }

  /** Records the decision, then turns each intent into OMS events, risk verdicts and venue requests. */
  private settle(st: Strategy, d: Decision, at: number): void {
    this.counters.decisions++;
    const decisionId = this.emit('decision', { strategyId: st.id, trigger: d.trigger, inputs: d.inputs as Record<string, number | string | boolean>, intents: d.intents as unknown as Record<string, unknown>[] }, at, at, '', '');
    for (const intent of d.intents) this.applyIntent(intent, at, decisionId);
  }

  private applyIntent(intent: Intent, at: number, decisionId: string): void {
    const events = decideOms(this.oms, intent);
    for (const e of events) {
      const clientId = e.data.clientOrderId;
      if (e.type === 'order.requested') this.correlation.set(clientId, decisionId);
      const corr = this.correlation.get(clientId) ?? decisionId;
      // An amendment is checked before its request is folded (its rate token is taken when folded).
      const amendDenial = e.type === 'order.update-requested'
        ? this.cfg.risk.checkOrder({ ...orderData(this.oms.orders.get(clientId)!), priceTicks: e.data.priceTicks, sizeLots: e.data.sizeLots }, at, openOrderCount(this.oms, { instrument: this.oms.orders.get(clientId)!.instrument }), true)
        : undefined;
      const reqId = this.emit(e.type, e.data as never, at, at, corr, decisionId);
      evolveOms(this.oms, e);
      switch (e.type) {
        case 'order.requested':
          this.counters.ordersRequested++;
          this.gateAndSubmit(e.data, at, corr, reqId);
          break;
        case 'order.cancel-requested':
          this.lastRequest.set(clientId, reqId);
          this.cfg.venue.cancel(clientId, at);
          break;
        case 'order.update-requested':
          if (amendDenial) this.deny(clientId, amendDenial, at, corr, reqId);
          else {
            this.lastRequest.set(clientId, reqId);
            this.cfg.venue.modify(clientId, e.data.priceTicks, e.data.sizeLots, at);
          }
          break;
        case 'order.invalid-transition':
          this.counters.invalidTransitions++;
          break;
        default:
          break;
      }
    }
  }

  private deny(clientOrderId: string, d: RiskDenial, at: number, corr: string, cause: string): void {
    this.counters.ordersDenied++;
    const de = { type: 'order.denied' as const, data: { clientOrderId, rule: d.rule, reason: d.reason, values: d.values } };
    this.emit(de.type, de.data, at, at, corr, cause);
    evolveOms(this.oms, de);
  }

  private gateAndSubmit(req: OrderIntentData, at: number, corr: string, reqId: string): void {
    // The order being checked is already in the OMS as 'initialized', not open: the count is of the others.
    const denial = this.cfg.risk.checkOrder(req, at, openOrderCount(this.oms, { instrument: req.instrument }), false);
    if (denial) { this.deny(req.clientOrderId, denial, at, corr, reqId); this.correlation.delete(req.clientOrderId); return; }
    // The request goes out before its `order.submitted` is recorded: the venue's answers are queued
    // (never delivered inside submit), so the events are the same, and live the order does not wait
    // for the event and the OMS fold (tick-to-order, bench/live).
    this.cfg.venue.submit(req, at);
    const se = { type: 'order.submitted' as const, data: { clientOrderId: req.clientOrderId } };
    const subId = this.emit(se.type, se.data, at, at, corr, reqId);
    evolveOms(this.oms, se);
    this.lastRequest.set(req.clientOrderId, subId);
  }

  /** Pushes the latest marks to the ledger (before any equity read). */
  private flushMarks(): void {
    const m = this.markTicks;
    for (let i = 0; i < m.length; i++) if (m[i]! > 0) this.cfg.ledger.mark(this.cfg.instruments[i]!.id, m[i]!);
  }

  private sampleEquity(t: number, force = false): void {
    const iv = this.cfg.equityIntervalUs;
    if (Number.isNaN(this.nextEquityUs)) this.nextEquityUs = (Math.floor(t / iv) + 1) * iv;
    if (!force && t < this.nextEquityUs) return;
    this.flushMarks();
    const eq = this.cfg.ledger.equity();
    this.counters.equitySamples++;
    const v = Number(eq);
    if (Number.isNaN(this.peakEquity) || v > this.peakEquity) this.peakEquity = v;
    const dd = this.peakEquity - v;
    if (dd > this.maxDrawdownNum) { this.maxDrawdownNum = dd; this.counters.maxDrawdown = String(dd); }
    while (this.nextEquityUs <= t) this.nextEquityUs += iv;
    this.checkEquity(t);
  }

  private bookOf(id: string): BookView {
    const b = this.bookById.get(id);
    if (!b) throw new HftError('HFT_ERR_NOT_FOUND', `no book for instrument '${id}'`);
    return b;
  }

  private instrumentOf(id: string): Instrument {
    const i = this.instById.get(id);
    if (!i) throw new HftError('HFT_ERR_NOT_FOUND', `instrument '${id}' is not in this run`);
    return i;
  }

  // Strategies ask for their position and open orders on every top-of-book change: the key string and
  // the order list are reused while nothing changed (a new list when the OMS moved, so one handed out
  // before never changes under its holder).
  private keyStrategy = ''; private keyInstrument = ''; private key = '';
  private positionKey(strategyId: string, instrument: string): string {
    if (strategyId !== this.keyStrategy || instrument !== this.keyInstrument) {
      this.keyStrategy = strategyId; this.keyInstrument = instrument; this.key = `${strategyId}|${instrument}`;
    }
    return this.key;
  }

  private openVersion = -1; private openStrategy = ''; private openInstrument = ''; private openList: readonly Order[] = [];
  private openOrdersOf(instrument: string): readonly Order[] {
    const strategyId = this.currentStrategy;
    if (this.oms.version !== this.openVersion || strategyId !== this.openStrategy || instrument !== this.openInstrument) {
      this.openList = openOrders(this.oms, { instrument, strategyId });
      this.openVersion = this.oms.version; this.openStrategy = strategyId; this.openInstrument = instrument;
    }
    return this.openList;
  }

  private readonly topScratch = { bidTicks: 0, bidLots: 0, askTicks: 0, askLots: 0 };
  /** The BBO message when it is at least as fresh as the book, else the book's top. */
  private freshTop(id: string): { bidTicks: number; bidLots: number; askTicks: number; askLots: number } {
    const idx = this.idxById.get(id);
    if (idx === undefined) throw new HftError('HFT_ERR_NOT_FOUND', `instrument '${id}' is not in this run`);
    return this.topOf(idx);
  }

  private topOf(idx: number): { bidTicks: number; bidLots: number; askTicks: number; askLots: number } {
    const q = this.bboByIdx[idx]!;
    if (q.tsUs >= 0) return q;
    const book = this.books[idx]!;
    const s = this.topScratch;
    s.bidTicks = book.bestBid(); s.bidLots = book.bestBidSize(); s.askTicks = book.bestAsk(); s.askLots = book.bestAskSize();
    return s;
  }
}

function orderData(o: Order): OrderIntentData {
  return {
    clientOrderId: o.clientOrderId, strategyId: o.strategyId, instrument: o.instrument, side: o.side, type: o.type,
    timeInForce: o.timeInForce, priceTicks: o.priceTicks, sizeLots: o.sizeLots, reduceOnly: o.reduceOnly, tag: o.tag,
  };
}

export type { VenueReport };
