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
import { allocBatch, KindCode, type MarketBatch } from '../../model/market.ts';
import type { VenueReport } from '../../model/orders.ts';
import { Kernel, type KernelConfig } from '../Kernel.ts';
import type { ExecutionVenue, TimedFunding, TimedVenueReport } from '../ports.ts';

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

const STEP_US = 100_000;

/**
 * Every FILL_EVERY-th order of each side is filled whole at its price (see DryVenue). Each fill costs
 * a requote and the ledger's exact-decimal accounting: every 8th gave 2.3 dry orders a warm step
 * against 2.0 without fills, and bench/live's process 25-33% of a core against 22-26% (noisy).
 */
const FILL_EVERY = 32;

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
  /** The settle currency of each instrument id (fees are stated in it). */
  settleOf: (instrument: string) => string = () => '';
  constructor(private readonly onOrder: ((order: OrderIntentData) => void) | undefined, private readonly now: () => number, private readonly onFill: () => void) {}
  onMarketRow(): void { /* no book of its own */ }
  advanceTo(): void { /* answers are immediate */ }
  submit(order: OrderIntentData): void {
    this.onOrder?.(order);
    const n = this.seq++;
    this.push({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: `w${n}` });
    const k = order.side === 'buy' ? ++this.buys : ++this.sells;
    if (k % FILL_EVERY === 0) {
      this.onFill();
      const feeCurrency = this.settleOf(order.instrument);
      this.push({
        kind: 'fill', clientOrderId: order.clientOrderId, venueTradeId: `wt${n}`, priceTicks: order.priceTicks, sizeLots: order.sizeLots,
        liquidity: 'maker', ...(feeCurrency ? { fee: '0', feeCurrency } : {}),
      });
    }
  }
  cancel(clientOrderId: string): void { this.push({ kind: 'canceled', clientOrderId, reason: 'venue' }); }
  modify(clientOrderId: string): void { this.push({ kind: 'update-rejected', clientOrderId, reason: 'warm-up' }); }
  nextResponseUs(): number { return this.queue.length > 0 ? this.queue[0]!.tsLocal : Number.POSITIVE_INFINITY; }
  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[] {
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.tsLocal <= localTimeUs) n++;
    return this.queue.splice(0, n);
  }
  private push(report: VenueReport): void { const t = this.now(); this.queue.push({ tsVenue: t, tsLocal: t, report }); }
}

export class HotPathWarmer {
  private kernel!: Kernel;
  private instruments = 0;
  private nowUs: number;
  private steps = 0;
  private readonly batch: MarketBatch = allocBatch(1);
  /** Steps run, shadow orders signed and filled (tests, stats). */
  readonly stats = { steps: 0, skipped: 0, orders: 0, fills: 0, rebuilds: 0 };

  constructor(private readonly o: HotPathWarmerOptions) {
    this.nowUs = o.startUs;
    this.build();
  }

  /**
   * One warm step: a top-of-book row for the next instrument, one tick off the real run's current
   * top (alternately down and up, so a quoting strategy requotes every step), then the dry answers.
   * Returns false when the real run has no top of book for it yet (nothing run).
   */
  step(): boolean { return this.stepAround(this.o.top); }

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
    for (let i = 0; i < steps; i++) if (this.stepAround(top)) n++;
    return n;
  }

  private stepAround(topOf: (idx: number) => WarmTop): boolean {
    if (this.steps >= (this.o.rebuildEvery ?? Number.POSITIVE_INFINITY)) this.build();
    const idx = this.steps % this.instruments;
    const top = topOf(idx);
    if (!Number.isFinite(top.bidTicks) || !Number.isFinite(top.askTicks) || !(top.bidTicks < top.askTicks) || !(top.bidLots > 0) || !(top.askLots > 0)) { this.stats.skipped++; return false; }
    const shift = Math.floor(this.steps / this.instruments) % 2 === 0 ? -1 : 1;
    this.steps++;
    this.stats.steps++;
    this.nowUs += STEP_US;
    const b = this.batch;
    b.length = 1;
    b.kind[0] = KindCode.bbo; b.instrument[0] = idx; b.tsEvent[0] = this.nowUs; b.tsRecv[0] = this.nowUs;
    b.side[0] = 0; b.price[0] = top.bidTicks + shift; b.size[0] = top.bidLots; b.price2[0] = top.askTicks + shift; b.size2[0] = top.askLots;
    b.id[0] = this.steps; b.flags[0] = 0; b.rate[0] = 0;
    this.kernel.step(b);
    this.kernel.advance(this.nowUs + 1);
    return true;
  }

  private build(): void {
    const venue = new DryVenue(this.o.warmOrder ? (order) => { this.stats.orders++; this.o.warmOrder!(order); } : () => { this.stats.orders++; }, () => this.nowUs, () => { this.stats.fills++; });
    const cfg = this.o.shadow(venue);
    const settle = new Map(cfg.instruments.map((i) => [i.id, i.settle]));
    venue.settleOf = (id) => settle.get(id) ?? '';
    this.kernel = new Kernel(cfg);
    this.instruments = cfg.instruments.length;
    this.steps = 0;
    this.stats.rebuilds++;
  }
}
