/**
 * Wraps the simulated venue for paper runs and their parity replays: the venue's clock moves only
 * with market rows (the SimVenue runs due actions itself before each row), never with the kernel's
 * wall-clock `advance`. In a replay `step` only advances the venue at rows; if paper's `advance`
 * also moved it at timer and response times, an order's arrival would be processed at different
 * moments in the two runs. `release()` (shutdown) runs every pending venue action so `finish` can
 * drain the answers to the final cancels.
 */
import type { OrderIntentData } from '../../model/events.ts';
import type { MarketBatch } from '../../model/market.ts';
import type { ExecutionVenue, TimedFunding, TimedVenueReport } from '../ports.ts';

export class RowDrivenVenue implements ExecutionVenue {
  private released = false;
  constructor(readonly inner: ExecutionVenue) {}
  release(): void { this.released = true; }
  onMarketRow(batch: MarketBatch, row: number, instrument: string): void { this.inner.onMarketRow(batch, row, instrument); }
  // Released (shutdown, no more rows): every pending venue action runs, so the last cancels get answers.
  advanceTo(_venueTimeUs: number): void { if (this.released) this.inner.advanceTo(Number.MAX_SAFE_INTEGER); }
  submit(order: OrderIntentData, localTimeUs: number): void { this.inner.submit(order, localTimeUs); }
  cancel(clientOrderId: string, localTimeUs: number): void { this.inner.cancel(clientOrderId, localTimeUs); }
  modify(clientOrderId: string, priceTicks: number, sizeLots: number, localTimeUs: number): void { this.inner.modify(clientOrderId, priceTicks, sizeLots, localTimeUs); }
  nextResponseUs(): number {
    if (this.released) this.inner.advanceTo(Number.MAX_SAFE_INTEGER);
    return this.inner.nextResponseUs();
  }
  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[] { return this.inner.takeResponses(localTimeUs); }
}
