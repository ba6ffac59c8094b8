/**
 * The execution venue as a live kernel and the hot-path warmer's shadow kernel both hold it: one
 * class in front of whatever venue object is behind (the real adapter, the warmer's dry venue, a
 * bench's probe), so V8 sees the same object layout at every kernel call site in both kernels.
 *
 * Why: the shadow warms the kernel's code with a dry venue, and V8 compiles the kernel's venue calls
 * (submit, cancel, nextResponseUs, takeResponses, advanceTo, onMarketRow) for the venue object it has
 * seen there. Without this class the real kernel then meets another class at the same call sites and
 * the optimized code is thrown away at the session's first messages: `--trace-deopt` on bench/live
 * listed "wrong map" deoptimizations of the kernel's step, advance, venueStep, venueRow, runDue,
 * applyIntent and gateAndSubmit at the venue calls when the first real messages and order came
 * (2026-12-07; none of them with the port).
 *
 * Behind the port the venue's methods are held as bound functions, one set per port: the shadow gets
 * a new dry venue at every rebuild (HotPathWarmer.prime builds several), so these calls have seen
 * several targets by the time the real run starts and V8 compiles them as ordinary calls, not as
 * code inlined for one venue that a new target would invalidate. A call through a bound function
 * costs a few ns; the venue's methods are the same code either way.
 *
 * Only for venues that act on market rows alone (live adapters, the dry venue): a simulated venue
 * with `nextActionUs` (paper) is refused, as the kernel asks for that method by its presence.
 */
import { HftError } from '../../core/errors.ts';
import type { OrderIntentData } from '../../model/events.ts';
import { allocBatch, type MarketBatch } from '../../model/market.ts';
import type { ExecutionVenue, TimedFunding, TimedVenueReport } from '../ports.ts';

export class VenuePort implements ExecutionVenue {
  private readonly row: (batch: MarketBatch, row: number, instrument: string) => void;
  private readonly advance: (venueTimeUs: number) => void;
  private readonly place: (order: OrderIntentData, localTimeUs: number) => void;
  private readonly pull: (clientOrderId: string, localTimeUs: number) => void;
  private readonly amend: (clientOrderId: string, priceTicks: number, sizeLots: number, localTimeUs: number) => void;
  private readonly nextResponse: () => number;
  private readonly take: (localTimeUs: number) => readonly (TimedVenueReport | TimedFunding)[];

  constructor(readonly inner: ExecutionVenue) {
    if (typeof inner.nextActionUs === 'function') throw new HftError('HFT_ERR_CONFIG', 'VenuePort: the venue has nextActionUs (a simulated venue acting in time): the port is for venues that act on market rows alone, hand the venue to the kernel directly');
    this.row = inner.onMarketRow.bind(inner);
    this.advance = inner.advanceTo.bind(inner);
    this.place = inner.submit.bind(inner);
    this.pull = inner.cancel.bind(inner);
    this.amend = inner.modify.bind(inner);
    this.nextResponse = inner.nextResponseUs.bind(inner);
    this.take = inner.takeResponses.bind(inner);
  }

  onMarketRow(batch: MarketBatch, row: number, instrument: string): void { this.row(batch, row, instrument); }
  advanceTo(venueTimeUs: number): void { this.advance(venueTimeUs); }
  submit(order: OrderIntentData, localTimeUs: number): void { this.place(order, localTimeUs); }
  cancel(clientOrderId: string, localTimeUs: number): void { this.pull(clientOrderId, localTimeUs); }
  modify(clientOrderId: string, priceTicks: number, sizeLots: number, localTimeUs: number): void { this.amend(clientOrderId, priceTicks, sizeLots, localTimeUs); }
  nextResponseUs(): number { return this.nextResponse(); }
  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[] { return this.take(localTimeUs); }

  /**
   * Before the feed starts: the venue's `rehearse` (its submit path run a few times, nothing sent)
   * through this port's calls as the kernel makes them on a market row (advanceTo, onMarketRow,
   * submit), so the session's first real order is not the first call of any of them. The live
   * adapters ignore the row. Returns the rehearsals run (0: the venue has none).
   */
  rehearseSubmit(nowUs: number): number {
    const venue = this.inner;
    if (!venue.rehearse) return 0;
    const row = allocBatch(1);
    return venue.rehearse((order) => {
      this.advanceTo(nowUs);
      this.onMarketRow(row, 0, order.instrument);
      this.submit(order, nowUs);
    });
  }
}
