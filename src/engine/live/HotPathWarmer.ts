/**
 * Keeps the tick-to-order path warm between the rare market messages that decide an order.
 *
 * A live market maker decides a few orders a second among thousands of market messages. Measured on
 * the 2-core VM (bench/live): the decision path (strategy quote, OMS, risk, the adapter's signing and
 * request formatting) ran 5-10x slower on a real order than the same code in a tight loop — its code
 * and data were out of the CPU caches and V8 had not optimized it (it runs too rarely to get hot).
 * An HMAC-SHA256 of an order body: 5 µs hot, 51 µs after the cache was churned, 75 µs after 20 ms idle.
 *
 * The fix trading desks use (cache warming): exercise the same path in a dry run between messages.
 * Here a shadow kernel — the same scenario, strategies, risk gate and OMS classes, built by the same
 * factory, so V8 sees the same object shapes — is fed one synthetic top-of-book row per step at the
 * real run's current prices, moved by one tick so the strategies requote; its orders go to a dry
 * venue that calls the real adapter's `warmOrder` (sign and format the request, no I/O) and answers
 * every order and cancel at once, which also runs the acknowledgement path. Everything the shadow
 * produces is dropped: the real kernel, its events and its log are untouched (the replay parity of a
 * warmed session is checked by the live end-to-end tests).
 *
 * The shadow runs on its own synthetic clock (100 ms a step, so its rate-limit buckets refill and its
 * timers fire now and then). Its memory is flat: the OMS forgets closed orders beyond its cap
 * (10,000) and the kernel keeps no per-sample equity curve (measured: `bench/live/warmerMemory.ts`,
 * heap after GC 24-25 MB from 100,000 to 1,000,000 steps with no rebuild, ~2 million dry orders; the
 * kernel's curve, since removed, added ~1 MB per 100,000 steps). So it is never rebuilt unless
 * `rebuildEvery` asks: a rebuild is a pause on the main thread — a fresh kernel allocates its book
 * windows on fresh pages: 3-13 ms measured on the 2-vCPU VM — and a market message that arrives
 * during it waits (the former default, every 200,000 steps, put one in every ~200 s of a session).
 */
import type { OrderIntentData } from '../../model/events.ts';
import { allocBatch, BookFlag, KindCode, Side, type MarketBatch } from '../../model/market.ts';
import type { VenueReport } from '../../model/orders.ts';
import { Kernel, type KernelConfig } from '../Kernel.ts';
import type { ExecutionVenue, TimedFunding, TimedVenueReport } from '../ports.ts';
import { VenuePort } from './VenuePort.ts';

/** The top of book the warm rows are built around (the real run's, read each step). */
export interface WarmTop { bidTicks: number; bidLots: number; askTicks: number; askLots: number }

export interface HotPathWarmerOptions {
  /** Builds a fresh kernel config (same scenario, fresh reducers) around the given venue. */
  readonly shadow: (venue: ExecutionVenue) => KernelConfig;
  /** The real run's current top of book for instrument `idx` (NaN prices while it has none). */
  readonly top: (idx: number) => WarmTop;
  /** The real adapter's dry run of a new-order request (sign + format, nothing sent). */
  readonly warmOrder?: (order: OrderIntentData) => void;
  /** Start of the shadow's synthetic clock, µs. */
  readonly startUs: number;
  /** Steps between shadow rebuilds (default: never; the shadow's memory is flat without). */
  readonly rebuildEvery?: number;
}

/**
 * The shadow's clock step, µs: 100 ms, and 3 µs off the round number so the rate-limit token counts
 * it computes (elapsed × rate / 1e6) are fractional, as on the wall clock: with a round step they were
 * whole numbers, V8 kept them as small integers, and the real run's first fractional count
 * deoptimized the risk gate and every risk rule (`--trace-deopt`: "lost precision", "wrong map").
 */
const STEP_US = 100_003;

/**
 * Every SHORT_EVERY-th step the clock moves SHORT_STEP_US only. With 100 ms steps the order-rate
 * bucket (demo: 50 orders/s, burst 100) refilled to its cap before every check, so the token count
 * the risk context and the bucket carry was always a whole number: V8 kept those fields as small
 * integers, and the real run — orders a few ms apart, the bucket between whole counts — stored the
 * first fraction at its first order: the risk context's layout changed and every risk rule
 * deoptimized there ("not a Smi" in checkOrder, "wrong map" in each rule's check, "lost precision"
 * in the bucket: `--trace-deopt`, bench/live, 2026-12-07). A short step checks before the refill caps.
 */
const SHORT_EVERY = 8;
const SHORT_STEP_US = 1_003;

/**
 * Each shadow kernel's first step (and every SNAPSHOT_EVERY-th after) starts with a depth snapshot of
 * SNAPSHOT_LEVELS levels a side around the top (Clear on its first row, Snapshot on every row, as
 * BinanceBookSync emits a REST snapshot): the last SNAPSHOT_FAR of them spread out to 100,000 ticks,
 * past the L2 book's dense window (±65,536 ticks), as a real 1,000-level snapshot reaches. Without
 * it the shadow's book held one level a side and its first row was a best bid/offer: the real run's
 * first snapshot met the book's Clear, deep-level, far-level and next-best scan paths, and the kernel's
 * top-of-book-from-the-book path (before any best bid/offer message), for the first time
 * (`--trace-deopt`: L2Book applyRow/set, Kernel topOf/quote, at the session's first message). A
 * snapshot replaces the book (Clear), so the shadow's memory stays flat, and the periodic one keeps
 * its deep levels near the real top as the price moves. 400 rows: one warm step every 10 s of 1 ms
 * steps takes that much longer.
 */
const SNAPSHOT_LEVELS = 200;
const SNAPSHOT_FAR = 40;
const SNAPSHOT_EVERY = 10_000;

/**
 * Every FILL_EVERY-th order of each side is filled whole at its price (see DryVenue). Each fill costs
 * a requote and the ledger's exact-decimal accounting: every 8th gave 2.3 dry orders a warm step
 * against 2.0 without fills, and bench/live's process 25-33% of a core against 22-26% (noisy).
 */
const FILL_EVERY = 32;

/**
 * Every REJECT_EVERY-th order of each side (never one that FILL_EVERY fills) is rejected as a post-only
 * order that would take, as the venue does when the touch moved: the reject path (OMS, the strategy's
 * rejected-price memory) otherwise first ran at the real run's first reject.
 */
const REJECT_EVERY = 64;
const REJECT_AT = 16;

/**
 * The PARTIAL_AT-th of every FILL_EVERY orders of each side (never one filled whole or rejected) is
 * filled in part when accepted, and once more in part when its cancel comes, before the cancel's
 * answer: a fill racing a cancel, as the real venue sends them. With whole fills only the OMS's
 * fill-while-pending-cancel and partially-filled paths first ran at the real run's first such fill
 * (`--trace-deopt`: evolveOms apply, "insufficient type feedback").
 */
const PARTIAL_AT = 8;

/**
 * Priming runs this many steps per shadow kernel, then builds a fresh one (HotPathWarmer.prime).
 * Code that runs once per kernel (first row, first order, first fill, first timer: lazy state, first
 * Map entries) otherwise ran only at the shadow's very start, before V8 optimized anything, and the
 * optimized code had no feedback for it: the real kernel then deoptimized there at its first message
 * (`--trace-deopt`: Kernel nextTimerUs, sampleEquity, the market maker's updateVol, the risk gate's
 * first token bucket, the OMS's first index entry). A build costs 3-13 ms, before the feed.
 */
const PRIME_GENERATION = 2_000;

/**
 * Warm steps to run again (`prime`) right after the session's kernel is built, before the feed starts.
 * Building it invalidated the optimized code of the kernel's row loop (`next`, `localTimeOf`,
 * `venueRow`, `venueStep`, `venueRun`, `localRow`, `advance`) and of the warmer's own steps:
 * `--trace-deopt` printed "marking dependent code ... code dependencies" for them inside `new
 * LiveSession` (bench/live, 2026-12-07). The run's kernel config was built before priming and
 * kept an object layout V8 had since replaced (`%HaveSameMap` false against a shadow's config, same
 * keys and values), so storing it in a kernel generalized that kernel field. The first market message,
 * 0-30 ms later, then ran that code unoptimized (0.5-0.6 ms to its second order, no deoptimization in
 * it). One generation's worth of steps (~70 ms) has V8 compile it again for the layout it now has.
 */
export const SETTLE_STEPS = PRIME_GENERATION;

/**
 * Milliseconds to let pass (the warm ticker stepping) between the last warm-up and the feed's start.
 * V8 compiles on helper threads and installs the code on the main thread afterwards; the settle steps
 * and the feed's warm-up (BinanceMarketData.warm) leave a dozen such jobs in flight (`--trace-opt`:
 * 1-25 ms each), and a first market message arriving 10 ms after the start met them: its process CPU
 * was 1.8 ms in a 1.2 ms window and it ran code still waiting for its optimized version (bench/live,
 * wire 934 / 1,195 µs for its two orders). 200 ms of start-up against a session of hours.
 */
export const QUIET_BEFORE_FEED_MS = 200;

/**
 * Every TAPE_EVERY-th step also carries a trade row and a depth update (a level set and deleted,
 * end of message), so the kernel's book and trade paths and the strategies' reactions to them run in
 * the shadow: with best bid/offer rows alone they never did, and the real run's first depth or trade
 * message deoptimized the kernel's row loop (`localRow`, `--trace-deopt`).
 */
const TAPE_EVERY = 4;

/** What the warmer did (tests, bench/live); the dry venue counts its fills and rejects here. */
export interface WarmStats { steps: number; skipped: number; orders: number; fills: number; partialFills: number; rejects: number; rebuilds: number; snapshots: number }

/**
 * A venue that answers at once: every order accepted, every cancel done, and every FILL_EVERY-th
 * order of each side filled whole at its price as a maker, so the fill path (OMS fill, ledger,
 * risk, position events, the strategy's requote with inventory) runs in the shadow too: with
 * accepts and cancels only it never ran there, and the real run's first fills met code V8 had
 * optimized without it (deoptimized on the spot: `--trace-deopt`, bench/live). Buys and sells are
 * filled alike, so the shadow's inventory stays within one order of flat. The fill report has the
 * shape BinanceExecution builds (the fee fields spread in), so V8 sees the same object layout.
 */
class DryVenue implements ExecutionVenue {
  private readonly queue: TimedVenueReport[] = [];
  private seq = 0;
  private buys = 0;
  private sells = 0;
  /** Orders filled in part, by client id: lots still open and price (a second part fills at cancel). */
  private readonly partial = new Map<string, { lots: number; priceTicks: number; instrument: string }>();
  /** The settle currency of each instrument id (fees are stated in it). */
  settleOf: (instrument: string) => string = () => '';
  constructor(private readonly onOrder: (order: OrderIntentData) => void, private readonly now: () => number, private readonly stats: WarmStats) {}
  onMarketRow(): void { /* no book of its own */ }
  advanceTo(): void { /* answers are immediate */ }
  submit(order: OrderIntentData): void {
    this.onOrder(order);
    const n = this.seq++;
    const k = order.side === 'buy' ? ++this.buys : ++this.sells;
    if (k % REJECT_EVERY === REJECT_AT) {
      this.stats.rejects++;
      this.push({ kind: 'rejected', clientOrderId: order.clientOrderId, reason: 'warm-up: post-only order would immediately match' });
      return;
    }
    this.push({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: `w${n}` });
    if (k % FILL_EVERY === 0) {
      this.stats.fills++;
      this.fill(order.clientOrderId, `wt${n}`, order.instrument, order.priceTicks, order.sizeLots);
    } else if (k % FILL_EVERY === PARTIAL_AT && order.sizeLots >= 3) {
      this.stats.partialFills++;
      const part = Math.floor(order.sizeLots / 3);
      this.fill(order.clientOrderId, `wp${n}`, order.instrument, order.priceTicks, part);
      // Bounded: an order the strategy never cancels (filled in full elsewhere) must not pin memory.
      if (this.partial.size >= 64) this.partial.clear();
      this.partial.set(order.clientOrderId, { lots: order.sizeLots - part, priceTicks: order.priceTicks, instrument: order.instrument });
    }
  }
  cancel(clientOrderId: string): void {
    const p = this.partial.get(clientOrderId);
    if (p !== undefined) {
      // The second part fills while the cancel is pending; the cancel then takes the rest.
      this.partial.delete(clientOrderId);
      this.stats.partialFills++;
      this.fill(clientOrderId, `wq${this.seq++}`, p.instrument, p.priceTicks, Math.floor(p.lots / 2));
    }
    this.push({ kind: 'canceled', clientOrderId, reason: 'venue' });
  }
  /**
   * A maker fill with a fee in the settle currency, a non-zero amount of 8 decimals as the venue
   * states them (with '0' the ledger's decimal arithmetic ran its zero shortcut and the real run's
   * first fee deoptimized decimal.js: `--trace-deopt`, "wrong map" in Decimal).
   */
  private fill(clientOrderId: string, venueTradeId: string, instrument: string, priceTicks: number, sizeLots: number): void {
    const feeCurrency = this.settleOf(instrument);
    this.push({
      kind: 'fill', clientOrderId, venueTradeId, priceTicks, sizeLots,
      liquidity: 'maker', ...(feeCurrency ? { fee: `0.0000${1000 + (this.seq % 9000)}`, feeCurrency } : {}),
    });
  }
  modify(clientOrderId: string): void { this.push({ kind: 'update-rejected', clientOrderId, reason: 'warm-up' }); }
  nextResponseUs(): number { return this.queue.length > 0 ? this.queue[0]!.tsLocal : Number.POSITIVE_INFINITY; }
  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[] {
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.tsLocal <= localTimeUs) n++;
    return this.queue.splice(0, n);
  }
  private push(report: VenueReport): void { const t = this.now(); this.queue.push({ tsVenue: t, tsLocal: t, report }); }
}

/** A top of book the warm rows can be built around: both sides, uncrossed, with sizes. */
function usable(t: WarmTop): boolean {
  return Number.isFinite(t.bidTicks) && Number.isFinite(t.askTicks) && t.bidTicks < t.askTicks && t.bidLots > 0 && t.askLots > 0;
}

export class HotPathWarmer {
  private kernel!: Kernel;
  private instruments = 0;
  private nowUs: number;
  private steps = 0;
  /** A step's rows: a snapshot (2 × SNAPSHOT_LEVELS), the best bid/offer, a trade and 4 depth rows. */
  private readonly batch: MarketBatch = allocBatch(2 * SNAPSHOT_LEVELS + 6);
  /** Per instrument, the bid and ask price levels the shadow's book holds (set by the last depth row). */
  private bookLevels: ([number, number] | undefined)[] = [];
  /** Steps run, shadow orders signed, filled and rejected (tests, stats). */
  readonly stats: WarmStats = { steps: 0, skipped: 0, orders: 0, fills: 0, partialFills: 0, rejects: 0, rebuilds: 0, snapshots: 0 };

  constructor(private readonly o: HotPathWarmerOptions) {
    this.nowUs = o.startUs;
    this.build();
  }

  /**
   * One warm step: a top-of-book row for the next instrument, one tick off the real run's current
   * top (alternately down and up, so a quoting strategy requotes every step), then the dry answers.
   * Returns false when the real run has no top of book for it yet (nothing run).
   */
  step(): boolean { return this.stepAround(this.o.top, this.primedTop); }

  /**
   * The top the last `prime` stepped around (the venue's REST book): `step` falls back to it while the
   * real run has no top of book yet. Without it the ticker skipped every step from the end of priming
   * to the session's first market message (the real kernel has no book before it), the code went
   * cold in that gap, and the first message — the one that decides the first quotes — paid for it
   * (bench/live with a 200 ms gap: 190 skipped steps, first message 785 / 1,038 µs).
   */
  private primedTop: ((idx: number) => WarmTop) | undefined;

  /**
   * Before the session's first market message: `steps` warm steps around `top` (the venue's current
   * book, e.g. from a REST snapshot), so the first real messages do not meet code that has never
   * run. Without it the warmer can only start once the real run has a top of book, and the first
   * seconds of a session ran the decision path in V8's interpreter while it was compiled and
   * deoptimized again (bench/live: the two slowest orders of a 40 s run, 2-4 ms, were all in its
   * first second, `--trace-deopt`). Returns the steps run (0 when `top` has no usable book).
   */
  prime(steps: number, top: (idx: number) => WarmTop): number {
    let n = 0;
    for (let i = 0; i < steps; i++) {
      // Several shadow generations (PRIME_GENERATION): each one's first-time paths run again once V8
      // has compiled the rest; the last one is what the warm ticker goes on stepping.
      if (i > 0 && i % PRIME_GENERATION === 0) this.build();
      if (this.stepAround(top)) n++;
    }
    if (n > 0) this.primedTop = top;
    return n;
  }

  private stepAround(topOf: (idx: number) => WarmTop, fallback?: (idx: number) => WarmTop): boolean {
    if (this.steps >= (this.o.rebuildEvery ?? Number.POSITIVE_INFINITY)) this.build();
    const idx = this.steps % this.instruments;
    let top = topOf(idx);
    if (!usable(top) && fallback !== undefined) top = fallback(idx);
    if (!usable(top)) { this.stats.skipped++; return false; }
    const shift = Math.floor(this.steps / this.instruments) % 2 === 0 ? -1 : 1;
    // A snapshot on each instrument's first step of a shadow kernel, and every SNAPSHOT_EVERY steps.
    const snapshot = this.steps < this.instruments || this.steps % SNAPSHOT_EVERY < this.instruments;
    this.steps++;
    this.stats.steps++;
    this.nowUs += this.steps % SHORT_EVERY === 0 ? SHORT_STEP_US : STEP_US;
    const b = this.batch;
    let r0 = 0;
    if (snapshot) { r0 = this.snapshot(idx, top.bidTicks + shift, top.bidLots, top.askTicks + shift, top.askLots); this.bookLevels[idx] = undefined; }
    b.length = this.row(r0, idx, KindCode.bbo, 0, top.bidTicks + shift, top.bidLots, 0);
    b.price2[r0] = top.askTicks + shift; b.size2[r0] = top.askLots;
    if (this.steps % TAPE_EVERY === 0) {
      // A trade at the shifted bid or ask (the side alternates), then a depth update: a bid level two
      // or three ticks (alternately) under the shifted bid and an ask level as far over the shifted
      // ask, the previous update's levels deleted (end of message). The shadow's book holds one level
      // a side, so its memory does not grow, and updates move its best levels both ways (its
      // strategies read the best bid/offer row, fresher, so their quotes do not change).
      const buy = (this.steps / TAPE_EVERY) % 2 === 0;
      const away = buy ? 2 : 3;
      const bidPx = top.bidTicks + shift - away;
      const askPx = top.askTicks + shift + away;
      let r = r0 + 1;
      r = this.row(r, idx, KindCode.trade, buy ? 1 : -1, buy ? top.askTicks + shift : top.bidTicks + shift, 1, 0);
      r = this.row(r, idx, KindCode.book, Side.Bid, bidPx, top.bidLots, 0);
      r = this.row(r, idx, KindCode.book, Side.Ask, askPx, top.askLots, 0);
      const old = this.bookLevels[idx];
      if (old !== undefined && old[0] !== bidPx) r = this.row(r, idx, KindCode.book, Side.Bid, old[0], 0, 0);
      if (old !== undefined && old[1] !== askPx) r = this.row(r, idx, KindCode.book, Side.Ask, old[1], 0, 0);
      b.flags[r - 1] = BookFlag.EndOfMessage;
      b.length = r;
      this.bookLevels[idx] = [bidPx, askPx];
    }
    this.kernel.step(b);
    this.kernel.advance(this.nowUs + 1);
    return true;
  }

  /**
   * Writes a depth snapshot at rows 0.. of the warm batch: SNAPSHOT_LEVELS bids from `bidPx` down and
   * as many asks from `askPx` up, one tick apart near the touch, the last SNAPSHOT_FAR spread out to
   * 100,000 ticks away (bids at prices under 1 tick left out); sizes vary around the top's. Returns the
   * rows written.
   */
  private snapshot(idx: number, bidPx: number, bidLots: number, askPx: number, askLots: number): number {
    this.stats.snapshots++;
    const near = SNAPSHOT_LEVELS - SNAPSHOT_FAR;
    let r = 0;
    for (let side = 0; side < 2; side++) {
      for (let k = 0; k < SNAPSHOT_LEVELS; k++) {
        const away = k < near ? k : near + Math.round(((k - near + 1) / SNAPSHOT_FAR) ** 2 * (100_000 - near));
        const px = side === 0 ? bidPx - away : askPx + away;
        if (px < 1) break;
        const lots = Math.max(1, Math.round((side === 0 ? bidLots : askLots) * (1 + (k % 7) / 3)));
        r = this.row(r, idx, KindCode.book, side === 0 ? Side.Bid : Side.Ask, px, lots, BookFlag.Snapshot);
      }
    }
    const b = this.batch;
    b.flags[0] = b.flags[0]! | BookFlag.Clear;
    b.flags[r - 1] = b.flags[r - 1]! | BookFlag.EndOfMessage;
    return r;
  }

  /** Writes row `r` of the warm batch at the shadow's time (price2/size2 zero: a bbo row sets its ask after); returns r + 1. */
  private row(r: number, idx: number, kind: number, side: number, price: number, size: number, flags: number): number {
    const b = this.batch;
    b.kind[r] = kind; b.instrument[r] = idx; b.tsEvent[r] = this.nowUs; b.tsRecv[r] = this.nowUs; b.side[r] = side;
    b.price[r] = price; b.size[r] = size; b.price2[r] = 0; b.size2[r] = 0; b.id[r] = this.steps; b.flags[r] = flags; b.rate[r] = 0;
    return r + 1;
  }

  private build(): void {
    this.bookLevels = [];
    const warmOrder = this.o.warmOrder;
    const venue = new DryVenue(warmOrder ? (order) => { this.stats.orders++; warmOrder(order); } : () => { this.stats.orders++; }, () => this.nowUs, this.stats);
    const cfg = this.o.shadow(new VenuePort(venue));
    const settle = new Map(cfg.instruments.map((i) => [i.id, i.settle]));
    venue.settleOf = (id) => settle.get(id) ?? '';
    this.kernel = new Kernel(cfg);
    this.instruments = cfg.instruments.length;
    this.steps = 0;
    this.stats.rebuilds++;
  }
}
