/**
 * The simulated venue: one instrument's matching engine on an L2 book, driven in event time.
 *
 * Two clocks on one time axis (µs): the venue acts at exchange time (market rows at `tsEvent`, request
 * arrivals at send time + entry latency); the strategy sees responses at `tsLocal` = venue time +
 * response latency. Requests and responses are FIFO pipes: a later one never overtakes an earlier one
 * (arrival = max(send + latency, previous arrival), the same for responses). Pending venue actions
 * sit in a priority queue ordered by (time, sequence); nothing reads a wall clock.
 *
 * Driving it (the kernel's job, in time order): `onMarket(batch, i)` / `onMarketBatch(batch)` for
 * market rows (due actions at or before the row's tsEvent run first), `advanceTo(t)` before the
 * strategy acts at local time t, then `drainResponses(t)`. Requests: `submit`, `cancel`, `modify`.
 *
 * Matching rules (hftbacktest's exchange processors are the reference for the L2 semantics):
 * - A resting order's queue position is the QueueModel's; a trade strictly through its price fills it
 *   whole; the opposite best price MOVING to a price that crosses it fills it whole (maker, at its
 *   price). Queue fills follow `queueFillLots`.
 * - Our own taker fills do not deplete the market's book (the feed is the truth; the market's next
 *   deltas already contain the real flow).
 * - fillMode 'no-partial': a marketable order fills whole at the touch. 'partial': it walks the book
 *   levels up to its limit; FOK expires unless the levels within the limit hold its whole size.
 * - IOC, FOK and market remainders expire; GTC remainders rest; POST_ONLY is rejected if marketable.
 * - A cancel or modify reaching the venue after the order closed is rejected. A modify that changes
 *   the price or raises the size is cancel + new (back of the queue, may take); a size cut keeps the
 *   queue position. One in-flight request per order: a second request before the first one's answer
 *   reached the strategy throws HFT_ERR_IN_FLIGHT.
 * - Funding (perpetuals): a funding row settles the venue's position at its funding time.
 */
import { HftError } from '../core/errors.ts';
import { L2Book } from '../model/book/L2Book.ts';
import type { BookView } from '../model/book/BookView.ts';
import type { Instrument } from '../model/instrument.ts';
import type { OrderSide, OrderType, TimeInForce } from '../model/events.ts';
import { BookFlag, KindCode, Side, type MarketBatch } from '../model/market.ts';
import { ActionQueue } from './ActionQueue.ts';
import { FeeAndFunding } from './FeeAndFunding.ts';
import type { LatencyModel } from './LatencyModel.ts';
import { queueFillLots, type QueueModel, type QueuePosition } from './QueueModel.ts';
import type { FundingSettlement, OrderResponse, VenueResponse } from './VenueResponse.ts';

/** The book the venue keeps from market rows: L2Book satisfies it. */
export interface SimBook extends BookView {
  set(side: number, priceTicks: number, sizeLots: number): void;
  clear(): void;
}

export type FillMode = 'partial' | 'no-partial';

export interface SimVenueConfig {
  readonly instrument: Instrument;
  readonly latency: LatencyModel;
  readonly queue: QueueModel;
  readonly fillMode: FillMode;
  /** Batch rows whose `instrument` column differs are ignored; default -1 = every row is ours. */
  readonly instrumentIndex?: number;
  /** Default: a new L2Book. */
  readonly book?: SimBook;
  /** Prefix of venue order ids (`<prefix>o<n>`) and trade ids (`<prefix>t<n>`); default 'sim'. */
  readonly idPrefix?: string;
}

export interface SubmitRequest {
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Ignored for market orders (they never rest). */
  readonly timeInForce: TimeInForce;
  /** Ignored for market orders. */
  readonly priceTicks: number;
  readonly sizeLots: number;
}

export interface ModifyRequest {
  readonly priceTicks: number;
  /** New total order size (filled + open), as on the venues' amend endpoints. */
  readonly sizeLots: number;
}

class SimOrder implements QueuePosition {
  frontLots = 0;
  tradedLots = 0;
  /** Market size at our level when we last looked (the Q_prev of the next depth change). */
  levelLots = 0;
  filledLots = 0;
  leavesLots: number;
  resting = false;
  closed = false;
  constructor(
    readonly clientOrderId: string,
    readonly venueOrderId: string,
    readonly side: Side,
    public priceTicks: number,
    public sizeLots: number,
    readonly type: OrderType,
    readonly timeInForce: TimeInForce,
  ) {
    this.leavesLots = sizeLots;
  }
}

const ActionKind = { Submit: 0, Cancel: 1, Modify: 2, TechReject: 3, Funding: 4 } as const;
type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

interface Action {
  readonly timeUs: number;
  readonly seq: number;
  readonly kind: ActionKind;
  readonly clientOrderId: string;
  readonly submit?: SubmitRequest;
  readonly modify?: ModifyRequest;
  /** TechReject: which request was rejected. */
  readonly rejected?: 'submit' | 'cancel' | 'modify';
  readonly rate?: number;
  readonly markPriceTicks?: number;
}

const RETAIN_CLOSED = 10_000;

const TECH_REJECT_REASON = 'venue rejected the request without processing it (latency model: negative entry latency)';

export class SimVenue {
  readonly instrument: Instrument;
  readonly book: SimBook;
  readonly fillMode: FillMode;
  private readonly latency: LatencyModel;
  private readonly queue: QueueModel;
  private readonly money: FeeAndFunding;
  private readonly instrumentIndex: number;
  private readonly prefix: string;
  private readonly perpetual: boolean;

  private readonly actions = new ActionQueue<Action>();
  private seq = 0;
  private orderSeq = 0;
  private tradeSeq = 0;
  private venueNowUs = Number.NEGATIVE_INFINITY;
  private lastArrivalUs = Number.NEGATIVE_INFINITY;
  private lastResponseLocalUs = Number.NEGATIVE_INFINITY;

  private readonly orders = new Map<string, SimOrder>();
  /**
   * Closed orders are remembered (a late cancel is answered "already filled", a reused id refused) but
   * only the most recent RETAIN_CLOSED of them: memory stays flat over a day of requoting. An older
   * one is "unknown order", as a venue answers for an id it no longer knows.
   */
  private readonly closedIds: string[] = [];
  private closedHead = 0;
  private readonly resting: SimOrder[] = [];
  private restingBids = 0;
  private restingAsks = 0;
  private lastBestBid = Number.NEGATIVE_INFINITY;
  private lastBestAsk = Number.POSITIVE_INFINITY;
  private resyncing = false;
  /** Venue update id after the last depth message, and the last BBO (see overlayBbo). */
  private bookUpdateId = 0;
  private readonly bbo = { bidTicks: 0, bidLots: 0, askTicks: 0, askLots: 0, updateId: 0 };

  private out: VenueResponse[] = [];
  private outAnswers: boolean[] = [];
  private outHead = 0;
  private readonly inFlight = new Set<string>();

  private position = 0;
  private markTicks = 0;
  private lastTradeTicks = 0;
  private readonly fundingDone = new Set<number>();
  private readonly fundingPending = new Map<number, Action>();

  constructor(config: SimVenueConfig) {
    if (config.fillMode !== 'partial' && config.fillMode !== 'no-partial') {
      throw new HftError('HFT_ERR_CONFIG', `SimVenue: fillMode must be 'partial' or 'no-partial', got '${String(config.fillMode)}'`, { field: 'fillMode' });
    }
    this.instrument = config.instrument;
    this.latency = config.latency;
    this.queue = config.queue;
    this.fillMode = config.fillMode;
    this.instrumentIndex = config.instrumentIndex ?? -1;
    this.prefix = config.idPrefix ?? 'sim';
    this.book = config.book ?? new L2Book(config.instrument.id);
    this.money = new FeeAndFunding(config.instrument);
    this.perpetual = config.instrument.kind === 'linear_perp' || config.instrument.kind === 'inverse_perp';
  }

  // ---------------------------------------------------------------- strategy side (local clock)

  /** Sends a new order at local time `localTimeUs`. */
  submit(request: SubmitRequest, localTimeUs: number): void {
    this.send(ActionKind.Submit, request.clientOrderId, localTimeUs, request, undefined);
  }

  /** Sends a cancel at local time `localTimeUs`. */
  cancel(clientOrderId: string, localTimeUs: number): void {
    this.send(ActionKind.Cancel, clientOrderId, localTimeUs, undefined, undefined);
  }

  /** Sends a modify (new price and new total size) at local time `localTimeUs`. */
  modify(clientOrderId: string, change: ModifyRequest, localTimeUs: number): void {
    this.send(ActionKind.Modify, clientOrderId, localTimeUs, undefined, change);
  }

  /** True while a request for this order has not been answered at the strategy side. */
  isInFlight(clientOrderId: string): boolean { return this.inFlight.has(clientOrderId); }

  /**
   * True for an order this venue holds: on its way here (submitted, not yet answered), resting or
   * working, or among the last 10,000 it closed.
   */
  knows(clientOrderId: string): boolean { return this.orders.has(clientOrderId) || this.inFlight.has(clientOrderId); }

  /**
   * Moves the responses the strategy has seen by local time `upToLocalUs` into `out` (in order).
   * Call `advanceTo` (and feed the market rows) up to that time first.
   */
  drainResponses(upToLocalUs: number, out: VenueResponse[] = []): VenueResponse[] {
    const q = this.out;
    let h = this.outHead;
    while (h < q.length && q[h]!.tsLocal <= upToLocalUs) {
      const r = q[h]!;
      if (this.outAnswers[h] && r.kind !== 'funding') this.inFlight.delete(r.clientOrderId);
      out.push(r);
      h++;
    }
    if (h === q.length) { this.out = []; this.outAnswers = []; h = 0; }
    else if (h > 4096 && h * 2 > q.length) { this.out = q.slice(h); this.outAnswers = this.outAnswers.slice(h); h = 0; }
    this.outHead = h;
    return out;
  }

  /** Local time of the next response not yet drained, Infinity when none. */
  nextResponseTimeUs(): number {
    return this.outHead < this.out.length ? this.out[this.outHead]!.tsLocal : Number.POSITIVE_INFINITY;
  }

  // ---------------------------------------------------------------- venue side (exchange clock)

  /** Venue time of the next pending action (request arrival, funding), Infinity when none. */
  nextActionTimeUs(): number { return this.actions.peekTimeUs(); }

  /** Current venue time: the latest market row or action processed. */
  get nowUs(): number { return this.venueNowUs; }

  /** Signed position in lots built by this venue's fills (+ long). */
  get positionLots(): number { return this.position; }

  /** Open (resting) orders, oldest first. */
  openOrders(): ReadonlyArray<{ readonly clientOrderId: string; readonly side: Side; readonly priceTicks: number; readonly leavesLots: number; readonly frontLots: number }> {
    return this.resting;
  }

  /** Runs every pending venue action due at or before `timeUs`. */
  advanceTo(timeUs: number): void {
    const q = this.actions;
    while (q.peekTimeUs() <= timeUs) {
      const a = q.pop()!;
      if (a.timeUs > this.venueNowUs) this.venueNowUs = a.timeUs;
      this.run(a);
    }
  }

  onMarketBatch(batch: MarketBatch): void {
    for (let i = 0; i < batch.length; i++) this.onMarket(batch, i);
  }

  /** Applies market row `i` at its tsEvent (after the actions due by then). */
  onMarket(batch: MarketBatch, i: number): void {
    if (this.instrumentIndex >= 0 && batch.instrument[i] !== this.instrumentIndex) return;
    const ts = batch.tsEvent[i]!;
    if (this.actions.peekTimeUs() <= ts) this.advanceTo(ts);
    if (ts > this.venueNowUs) this.venueNowUs = ts;
    switch (batch.kind[i]) {
      case KindCode.book:
        this.onBook(batch.side[i]! as Side, batch.price[i]!, batch.size[i]!, batch.flags[i]!);
        if ((batch.flags[i]! & BookFlag.EndOfMessage) !== 0) {
          this.bookUpdateId = batch.id[i]!;
          // A depth message older than the last BBO may bring back levels the BBO had already removed.
          if (this.bbo.updateId > this.bookUpdateId) this.overlayBbo();
        }
        break;
      case KindCode.bbo: {
        const q = this.bbo;
        q.bidTicks = batch.price[i]!; q.bidLots = batch.size[i]!; q.askTicks = batch.price2[i]!; q.askLots = batch.size2[i]!; q.updateId = batch.id[i]!;
        if (q.updateId > this.bookUpdateId) this.overlayBbo();
        break;
      }
      case KindCode.trade: this.onTrade(batch.side[i]! as Side, batch.price[i]!, batch.size[i]!); break;
      case KindCode.funding: this.onFunding(batch.id[i]!, batch.rate[i]!, batch.price[i]!, i); break;
      case KindCode.mark: this.markTicks = batch.price[i]!; break;
      default: break; // gap rows: a gap ends at the next snapshot (Clear)
    }
  }

  private onBook(side: Side, priceTicks: number, sizeLots: number, flags: number): void {
    const book = this.book;
    if ((flags & BookFlag.Clear) !== 0) { book.clear(); this.resyncing = true; }
    if (this.resyncing) {
      book.set(side, priceTicks, sizeLots);
      // A snapshot replaces the book; queue positions move once it is whole, not level by level.
      if ((flags & BookFlag.EndOfMessage) !== 0) { this.resyncing = false; this.afterSnapshot(); }
      return;
    }
    const rs = this.resting;
    if (rs.length === 0) { book.set(side, priceTicks, sizeLots); return; }
    let atOurPrice = false;
    if (side === Side.Bid ? this.restingBids > 0 : this.restingAsks > 0) {
      for (let k = 0; k < rs.length; k++) {
        const o = rs[k]!;
        if (o.side === side && o.priceTicks === priceTicks) { atOurPrice = true; break; }
      }
    }
    if (!atOurPrice) {
      book.set(side, priceTicks, sizeLots);
    } else {
      const prevLots = book.sizeAt(side, priceTicks);
      book.set(side, priceTicks, sizeLots);
      for (let k = 0; k < rs.length; k++) {
        const o = rs[k]!;
        if (o.side !== side || o.priceTicks !== priceTicks) continue;
        this.queue.onDepth(o, prevLots, sizeLots);
        o.levelLots = sizeLots;
        if (o.frontLots < 0 && this.queueFill(o)) k--;
      }
    }
    if (side === Side.Ask ? this.restingBids > 0 : this.restingAsks > 0) this.checkCross(side);
  }

  /**
   * Venues stream the best bid/offer in real time while depth diffs come in 100 ms batches: a BBO newer
   * than the book is the truth about the touch. Levels better than it are gone and its level holds its
   * size. Applied through onBook, so resting orders see it as a depth change (queue models, crosses).
   */
  private overlayBbo(): void {
    if (this.resyncing) return;
    const q = this.bbo;
    this.overlaySide(Side.Bid, q.bidTicks, q.bidLots);
    this.overlaySide(Side.Ask, q.askTicks, q.askLots);
  }

  private overlaySide(side: Side, priceTicks: number, sizeLots: number): void {
    if (!(sizeLots > 0)) return;
    const book = this.book;
    // Levels better than the BBO are removed best first. Only onBook changes the book, so taking the
    // current best each time visits the same levels in the same order as a depth walk would, without
    // a closure and a scratch list per BBO row.
    if (side === Side.Bid) {
      for (let best = book.bestBid(); best > priceTicks; best = book.bestBid()) this.onBook(side, best, 0, 0);
    } else {
      for (let best = book.bestAsk(); best < priceTicks; best = book.bestAsk()) this.onBook(side, best, 0, 0);
    }
    if (book.sizeAt(side, priceTicks) !== sizeLots) this.onBook(side, priceTicks, sizeLots, 0);
  }

  private afterSnapshot(): void {
    for (let k = 0; k < this.resting.length; k++) {
      const o = this.resting[k]!;
      const level = this.book.sizeAt(o.side, o.priceTicks);
      this.queue.onDepth(o, o.levelLots, level);
      o.levelLots = level;
      if (o.frontLots < 0 && this.queueFill(o)) k--;
    }
    if (this.restingBids > 0) this.checkCross(Side.Ask);
    if (this.restingAsks > 0) this.checkCross(Side.Bid);
  }

  /** The opposite best moved: resting orders it now crosses fill whole at their own price. */
  private checkCross(changedSide: Side): void {
    const rs = this.resting;
    if (changedSide === Side.Ask) {
      const best = this.book.bestAsk();
      if (best === this.lastBestAsk) return;
      this.lastBestAsk = best;
      for (let k = 0; k < rs.length; k++) {
        const o = rs[k]!;
        if (o.side === Side.Bid && o.priceTicks >= best && this.fill(o, o.priceTicks, o.leavesLots, true)) k--;
      }
    } else {
      const best = this.book.bestBid();
      if (best === this.lastBestBid) return;
      this.lastBestBid = best;
      for (let k = 0; k < rs.length; k++) {
        const o = rs[k]!;
        if (o.side === Side.Ask && o.priceTicks <= best && this.fill(o, o.priceTicks, o.leavesLots, true)) k--;
      }
    }
  }

  private onTrade(aggressor: Side, priceTicks: number, sizeLots: number): void {
    this.lastTradeTicks = priceTicks;
    const restSide = -aggressor as Side;
    if (restSide === Side.Bid ? this.restingBids === 0 : this.restingAsks === 0) return;
    const rs = this.resting;
    for (let k = 0; k < rs.length; k++) {
      const o = rs[k]!;
      if (o.side !== restSide) continue;
      const through = restSide === Side.Bid ? priceTicks < o.priceTicks : priceTicks > o.priceTicks;
      if (through) {
        if (this.fill(o, o.priceTicks, o.leavesLots, true)) k--;
      } else if (priceTicks === o.priceTicks) {
        this.queue.onTrade(o, sizeLots);
        if (o.frontLots < 0 && this.queueFill(o)) k--;
      }
    }
  }

  /** Returns true when the order closed (and left `resting`). */
  private queueFill(o: SimOrder): boolean {
    const lots = queueFillLots(o, o.leavesLots);
    return lots > 0 && this.fill(o, o.priceTicks, lots, true);
  }

  private onFunding(fundingTimeUs: number, rate: number, markPriceTicks: number, row: number): void {
    if (!this.perpetual) {
      throw new HftError('HFT_ERR_BAD_INPUT', `SimVenue ${this.instrument.id}: funding row ${row} for a ${this.instrument.kind} instrument (funding applies to perpetuals only)`, { row, field: 'kind' });
    }
    if (!Number.isFinite(fundingTimeUs) || !Number.isFinite(rate)) {
      throw new HftError('HFT_ERR_BAD_INPUT', `SimVenue ${this.instrument.id}: funding row ${row} has a non-finite funding time or rate`, { row, field: 'rate' });
    }
    if (this.fundingDone.has(fundingTimeUs)) return; // the same funding reported again
    const pending = this.fundingPending.get(fundingTimeUs);
    const action: Action = { timeUs: fundingTimeUs, seq: pending?.seq ?? this.seq++, kind: ActionKind.Funding, clientOrderId: '', rate, markPriceTicks };
    if (fundingTimeUs <= this.venueNowUs) { this.fundingPending.delete(fundingTimeUs); this.settleFunding(action); return; }
    if (pending) {
      // A newer predicted rate for the same funding time replaces the old one in place.
      Object.assign(pending, { rate, markPriceTicks });
      return;
    }
    this.fundingPending.set(fundingTimeUs, action);
    this.actions.push(action);
  }

  private settleFunding(a: Action): void {
    this.fundingDone.add(a.timeUs);
    this.fundingPending.delete(a.timeUs);
    if (this.position === 0) return;
    const mark = a.markPriceTicks! > 0 ? a.markPriceTicks! : this.markTicks > 0 ? this.markTicks : this.lastTradeTicks;
    if (!(mark > 0)) throw new HftError('HFT_ERR_BAD_INPUT', `SimVenue ${this.instrument.id}: no mark price (funding row, mark row or trade) before funding at ${a.timeUs}`, { fundingTimeUs: a.timeUs });
    const m = this.money.funding(this.position, mark, a.rate!);
    const settlement: Omit<FundingSettlement, 'tsLocal'> = {
      kind: 'funding', instrument: this.instrument.id, fundingTimeUs: a.timeUs, tsVenue: this.venueNowUs,
      positionLots: this.position, markPriceTicks: mark, ...m, currency: this.money.currency,
    };
    this.emit(settlement, false);
  }

  // ---------------------------------------------------------------- requests

  private send(kind: ActionKind, clientOrderId: string, localTimeUs: number, submit: SubmitRequest | undefined, modify: ModifyRequest | undefined): void {
    if (typeof clientOrderId !== 'string' || clientOrderId === '') throw new HftError('HFT_ERR_BAD_INPUT', 'SimVenue: clientOrderId must be a non-empty string', { field: 'clientOrderId' });
    if (!Number.isFinite(localTimeUs)) throw new HftError('HFT_ERR_BAD_INPUT', `SimVenue: localTimeUs must be a finite number, got ${localTimeUs}`, { field: 'localTimeUs' });
    if (this.inFlight.has(clientOrderId)) {
      throw new HftError('HFT_ERR_IN_FLIGHT', `SimVenue: order '${clientOrderId}' already has a request in flight; wait for its answer`, { clientOrderId });
    }
    const entryUs = this.latency.entryLatencyUs(localTimeUs);
    if (!Number.isFinite(entryUs)) throw new HftError('HFT_ERR_CONFIG', `SimVenue: latency model returned ${entryUs} for entry at ${localTimeUs}`);
    this.inFlight.add(clientOrderId);
    if (entryUs < 0) {
      // Never reaches the matching engine: the rejection shows up locally after |latency|.
      const rejected = kind === ActionKind.Submit ? 'submit' : kind === ActionKind.Cancel ? 'cancel' : 'modify';
      this.actions.push({ timeUs: localTimeUs - entryUs, seq: this.seq++, kind: ActionKind.TechReject, clientOrderId, rejected });
      return;
    }
    let arrivalUs = localTimeUs + entryUs;
    if (arrivalUs < this.lastArrivalUs) arrivalUs = this.lastArrivalUs;
    this.lastArrivalUs = arrivalUs;
    this.actions.push({ timeUs: arrivalUs, seq: this.seq++, kind, clientOrderId, submit, modify });
  }

  private run(a: Action): void {
    switch (a.kind) {
      case ActionKind.Submit: this.onSubmit(a.submit!); break;
      case ActionKind.Cancel: this.onCancel(a.clientOrderId); break;
      case ActionKind.Modify: this.onModify(a.clientOrderId, a.modify!); break;
      case ActionKind.Funding: this.settleFunding(a); break;
      case ActionKind.TechReject: {
        const base = { clientOrderId: a.clientOrderId, tsVenue: a.timeUs, reason: TECH_REJECT_REASON };
        const r: OrderResponse = a.rejected === 'submit' ? { kind: 'rejected', ...base, tsLocal: 0 }
          : a.rejected === 'cancel' ? { kind: 'cancel-rejected', ...base, tsLocal: 0 }
            : { kind: 'update-rejected', ...base, tsLocal: 0 };
        this.push(r, Math.max(a.timeUs, this.lastResponseLocalUs), true);
        break;
      }
    }
  }

  private onSubmit(r: SubmitRequest): void {
    const id = r.clientOrderId;
    if (this.orders.has(id)) { this.rejectSubmit(id, `duplicate clientOrderId '${id}'`); return; }
    const side = r.side === 'buy' ? Side.Bid : r.side === 'sell' ? Side.Ask : 0;
    if (side === 0) { this.rejectSubmit(id, `side must be 'buy' or 'sell', got '${String(r.side)}'`); return; }
    if (r.type !== 'limit' && r.type !== 'market') { this.rejectSubmit(id, `type must be 'limit' or 'market', got '${String(r.type)}'`); return; }
    if (!Number.isSafeInteger(r.sizeLots) || r.sizeLots <= 0) { this.rejectSubmit(id, `sizeLots must be a positive integer, got ${r.sizeLots}`); return; }
    const tif: TimeInForce = r.type === 'market' ? 'IOC' : r.timeInForce;
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK' && tif !== 'POST_ONLY') { this.rejectSubmit(id, `timeInForce must be GTC, IOC, FOK or POST_ONLY, got '${String(tif)}'`); return; }
    if (r.type === 'limit' && (!Number.isSafeInteger(r.priceTicks) || r.priceTicks <= 0)) { this.rejectSubmit(id, `priceTicks must be a positive integer, got ${r.priceTicks}`); return; }
    const o = new SimOrder(id, `${this.prefix}o${++this.orderSeq}`, side, r.type === 'market' ? 0 : r.priceTicks, r.sizeLots, r.type, tif);
    this.orders.set(id, o);
    if (tif === 'POST_ONLY' && this.marketable(o)) {
      this.retire(o);
      this.rejectSubmit(id, 'post-only order would take liquidity');
      return;
    }
    this.emit({ kind: 'accepted', clientOrderId: id, tsVenue: this.venueNowUs, venueOrderId: o.venueOrderId }, true);
    this.execute(o);
  }

  /** Rejections are methods, not closures made per request: under the tsx loader (keepNames) a closure also costs a defineProperty call. */
  private rejectSubmit(id: string, reason: string): void {
    this.emit({ kind: 'rejected', clientOrderId: id, tsVenue: this.venueNowUs, reason }, true);
  }

  private retire(o: SimOrder): void {
    o.closed = true;
    this.closedIds.push(o.clientOrderId);
    if (this.closedIds.length - this.closedHead > RETAIN_CLOSED) {
      this.orders.delete(this.closedIds[this.closedHead]!);
      this.closedHead++;
      if (this.closedHead > 4096 && this.closedHead * 2 > this.closedIds.length) { this.closedIds.splice(0, this.closedHead); this.closedHead = 0; }
    }
  }

  private onCancel(id: string): void {
    const o = this.orders.get(id);
    const now = this.venueNowUs;
    if (!o) { this.emit({ kind: 'cancel-rejected', clientOrderId: id, tsVenue: now, reason: 'unknown order' }, true); return; }
    if (o.closed) { this.emit({ kind: 'cancel-rejected', clientOrderId: id, tsVenue: now, reason: o.leavesLots === 0 ? 'order already filled' : 'order already closed' }, true); return; }
    this.unrest(o);
    this.retire(o);
    this.emit({ kind: 'canceled', clientOrderId: id, tsVenue: now, leavesLots: o.leavesLots, reason: 'canceled by request' }, true);
  }

  private onModify(id: string, m: ModifyRequest): void {
    const o = this.orders.get(id);
    const now = this.venueNowUs;
    if (!o) { this.rejectModify(id, 'unknown order'); return; }
    if (o.closed) { this.rejectModify(id, o.leavesLots === 0 ? 'order already filled' : 'order already closed'); return; }
    if (!Number.isSafeInteger(m.priceTicks) || m.priceTicks <= 0) { this.rejectModify(id, `priceTicks must be a positive integer, got ${m.priceTicks}`); return; }
    if (!Number.isSafeInteger(m.sizeLots) || m.sizeLots <= o.filledLots) { this.rejectModify(id, `sizeLots must be an integer above the filled ${o.filledLots} lots, got ${m.sizeLots}`); return; }
    if (m.priceTicks === o.priceTicks && m.sizeLots <= o.sizeLots) {
      // Venues keep time priority on a pure size reduction.
      o.sizeLots = m.sizeLots;
      o.leavesLots = m.sizeLots - o.filledLots;
      this.emit({ kind: 'updated', clientOrderId: id, tsVenue: now, priceTicks: o.priceTicks, sizeLots: o.sizeLots, leavesLots: o.leavesLots, keptQueue: true }, true);
      return;
    }
    if (o.timeInForce === 'POST_ONLY' && this.wouldTake(o.side, m.priceTicks)) { this.rejectModify(id, 'post-only order would take liquidity'); return; }
    this.unrest(o);
    o.priceTicks = m.priceTicks;
    o.sizeLots = m.sizeLots;
    o.leavesLots = m.sizeLots - o.filledLots;
    this.emit({ kind: 'updated', clientOrderId: id, tsVenue: now, priceTicks: o.priceTicks, sizeLots: o.sizeLots, leavesLots: o.leavesLots, keptQueue: false }, true);
    this.execute(o);
  }

  private rejectModify(id: string, reason: string): void {
    this.emit({ kind: 'update-rejected', clientOrderId: id, tsVenue: this.venueNowUs, reason }, true);
  }

  private wouldTake(side: Side, priceTicks: number): boolean {
    return side === Side.Bid ? priceTicks >= this.book.bestAsk() : priceTicks <= this.book.bestBid();
  }

  private marketable(o: SimOrder): boolean {
    if (o.type === 'market') return o.side === Side.Bid ? Number.isFinite(this.book.bestAsk()) : Number.isFinite(this.book.bestBid());
    return this.wouldTake(o.side, o.priceTicks);
  }

  /** Taker part of a new (or replaced) order, then rest or expire the remainder. */
  private execute(o: SimOrder): void {
    if (this.marketable(o)) {
      const opp = -o.side as Side;
      if (this.fillMode === 'no-partial') {
        this.fill(o, opp === Side.Ask ? this.book.bestAsk() : this.book.bestBid(), o.leavesLots, false);
      } else {
        const limit = o.type === 'market' ? (o.side === Side.Bid ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY) : o.priceTicks;
        const within = (px: number): boolean => (o.side === Side.Bid ? px <= limit : px >= limit);
        let enough = true;
        if (o.timeInForce === 'FOK') {
          let available = 0;
          this.book.forEachLevel(opp, Number.MAX_SAFE_INTEGER, (px, sz) => {
            if (!within(px)) return false;
            available += sz;
            return available < o.leavesLots;
          });
          enough = available >= o.leavesLots;
        }
        if (enough) {
          const levels: number[] = [];
          let want = o.leavesLots;
          this.book.forEachLevel(opp, Number.MAX_SAFE_INTEGER, (px, sz) => {
            if (!within(px)) return false;
            const take = sz < want ? sz : want;
            if (take > 0) { levels.push(px, take); want -= take; }
            return want > 0;
          });
          for (let k = 0; k < levels.length; k += 2) this.fill(o, levels[k]!, levels[k + 1]!, false);
        }
      }
    }
    if (o.closed) return;
    if (o.type === 'market' || o.timeInForce === 'IOC' || o.timeInForce === 'FOK') {
      this.retire(o);
      this.emit({ kind: 'expired', clientOrderId: o.clientOrderId, tsVenue: this.venueNowUs, leavesLots: o.leavesLots }, false);
      return;
    }
    this.rest(o);
  }

  private rest(o: SimOrder): void {
    o.levelLots = this.book.sizeAt(o.side, o.priceTicks);
    this.queue.onNew(o, o.levelLots);
    o.resting = true;
    this.resting.push(o);
    if (o.side === Side.Bid) { this.restingBids++; this.lastBestAsk = this.book.bestAsk(); } else { this.restingAsks++; this.lastBestBid = this.book.bestBid(); }
  }

  private unrest(o: SimOrder): void {
    if (!o.resting) return;
    o.resting = false;
    const k = this.resting.indexOf(o);
    if (k >= 0) this.resting.splice(k, 1);
    if (o.side === Side.Bid) this.restingBids--; else this.restingAsks--;
  }

  /** Fills `lots` of `o` at `priceTicks`; returns true when the order closed (and left `resting`). */
  private fill(o: SimOrder, priceTicks: number, lots: number, maker: boolean): boolean {
    o.filledLots += lots;
    o.leavesLots -= lots;
    this.position += o.side * lots;
    const m = this.money.fill(priceTicks, lots, maker);
    this.emit({
      kind: 'filled', clientOrderId: o.clientOrderId, tsVenue: this.venueNowUs, venueOrderId: o.venueOrderId,
      venueTradeId: `${this.prefix}t${++this.tradeSeq}`, priceTicks, sizeLots: lots, leavesLots: o.leavesLots,
      liquidity: maker ? 'maker' : 'taker', price: m.price, size: m.size, fee: m.fee, feeCurrency: this.money.currency,
    }, false);
    if (o.leavesLots > 0) return false;
    this.retire(o);
    this.unrest(o);
    return true;
  }

  // ---------------------------------------------------------------- response pipe

  private emit(r: DistributiveOmit<VenueResponse, 'tsLocal'>, answers: boolean): void {
    const latUs = this.latency.responseLatencyUs(r.tsVenue);
    if (!(latUs >= 0) || !Number.isFinite(latUs)) throw new HftError('HFT_ERR_CONFIG', `SimVenue: latency model returned response latency ${latUs} at ${r.tsVenue} (must be >= 0)`);
    let tsLocal = r.tsVenue + latUs;
    if (tsLocal < this.lastResponseLocalUs) tsLocal = this.lastResponseLocalUs;
    this.push(r as VenueResponse, tsLocal, answers);
  }

  private push(r: VenueResponse, tsLocal: number, answers: boolean): void {
    (r as { tsLocal: number }).tsLocal = tsLocal;
    this.lastResponseLocalUs = tsLocal;
    this.out.push(r);
    this.outAnswers.push(answers);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
