/**
 * What every real-venue execution adapter keeps for the kernel: the orders it placed under our client
 * ids (acknowledged, closed, the venue's id, a cancel held until the acknowledgement), and the venue
 * reports waiting for the kernel in arrival order, each stamped with the local clock when it arrived.
 */
import type { TimedFunding, TimedVenueReport } from '../engine/ports.ts';
import type { OrderIntentData } from '../model/events.ts';
import type { VenueReport } from '../model/orders.ts';

export interface TrackedOrder {
  readonly order: OrderIntentData;
  acked: boolean;
  closed: boolean;
  venueOrderId: string;
  /** A cancel asked before the venue acknowledged the order: sent on the acknowledgement. */
  cancelHeld: boolean;
}

export abstract class TrackedOrdersVenue<P extends TrackedOrder> {
  protected readonly orders = new Map<string, P>();
  private readonly queue: TimedVenueReport[] = [];
  private qHead = 0;

  protected constructor(private readonly localClockUs: () => number, private readonly onReport: () => void) {}

  /** Sends the cancel of an acknowledged order (the venue's request). */
  protected abstract sendCancel(clientOrderId: string): Promise<void>;

  cancel(clientOrderId: string, _localTimeUs: number): void {
    const p = this.orders.get(clientOrderId);
    if (!p || p.closed) return;
    if (!p.acked) { p.cancelHeld = true; return; }
    void this.sendCancel(clientOrderId);
  }

  nextResponseUs(): number { return this.qHead < this.queue.length ? this.queue[this.qHead]!.tsLocal : Number.POSITIVE_INFINITY; }

  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[] {
    const out: TimedVenueReport[] = [];
    while (this.qHead < this.queue.length && this.queue[this.qHead]!.tsLocal <= localTimeUs) out.push(this.queue[this.qHead++]!);
    if (this.qHead > 1024) { this.queue.splice(0, this.qHead); this.qHead = 0; }
    return out;
  }

  /** Client ids we placed that are not closed. */
  openClientIds(): string[] { return [...this.orders].filter(([, p]) => !p.closed).map(([id]) => id); }

  protected push(report: VenueReport, tsVenue: number): void {
    this.queue.push({ tsVenue, tsLocal: this.localClockUs(), report });
    this.onReport();
  }

  protected ack(id: string, venueOrderId: string, tsVenue: number): void {
    const p = this.orders.get(id);
    if (!p || p.acked) return;
    p.acked = true;
    p.venueOrderId = venueOrderId;
    this.push({ kind: 'accepted', clientOrderId: id, venueOrderId }, tsVenue);
    if (p.cancelHeld && !p.closed) { p.cancelHeld = false; void this.sendCancel(id); }
  }

  protected close(id: string, report: VenueReport, tsVenue: number): void {
    const p = this.orders.get(id);
    if (!p || p.closed) return;
    p.closed = true;
    this.push(report, tsVenue);
  }
}
