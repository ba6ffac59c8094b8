/**
 * The simulated venue behind the kernel's ExecutionVenue port: one SimVenue per instrument (each
 * keeps its own venue-side book), responses merged across instruments in local-time order and
 * translated into the OMS's VenueReport vocabulary.
 *
 * The venues allow one request in flight per order; a strategy (or the kill switch) may still ask to
 * cancel an order whose acknowledgement has not come back. Such a cancel is held here and sent the
 * moment the outstanding answer reaches the strategy side, as a real client would do.
 *
 * An order's venue is the one that knows it (in flight, open, or among its last 10,000 closed), so
 * nothing here grows with the number of orders a run makes. The OMS only asks to cancel or amend an
 * order it holds open, whose venue still knows it.
 */
import type { OrderIntentData } from '../model/events.ts';
import type { MarketBatch } from '../model/market.ts';
import type { VenueReport } from '../model/orders.ts';
import type { SimVenue } from '../sim/SimVenue.ts';
import type { VenueResponse } from '../sim/VenueResponse.ts';
import type { ExecutionVenue, TimedFunding, TimedVenueReport } from './ports.ts';

export class SimExecutionVenue implements ExecutionVenue {
  private readonly byInstrument = new Map<string, SimVenue>();
  private readonly heldCancels = new Set<string>();
  private readonly heldModifies = new Map<string, { priceTicks: number; sizeLots: number }>();
  private readonly scratch: VenueResponse[] = [];

  constructor(private readonly venues: readonly SimVenue[]) {
    for (const v of venues) this.byInstrument.set(v.instrument.id, v);
  }

  onMarketRow(batch: MarketBatch, row: number, instrument: string): void {
    // Venues are built in the order of the batches' instrument column (createBacktest): index first.
    const v = this.venues[batch.instrument[row]!];
    if (v !== undefined && v.instrument.id === instrument) v.onMarket(batch, row);
    else this.byInstrument.get(instrument)?.onMarket(batch, row);
  }

  advanceTo(venueTimeUs: number): void {
    for (let i = 0; i < this.venues.length; i++) this.venues[i]!.advanceTo(venueTimeUs);
  }

  submit(order: OrderIntentData, localTimeUs: number): void {
    const v = this.byInstrument.get(order.instrument);
    if (!v) throw new Error(`no simulated venue for instrument '${order.instrument}'`);
    v.submit({ clientOrderId: order.clientOrderId, side: order.side, type: order.type, timeInForce: order.timeInForce, priceTicks: order.priceTicks, sizeLots: order.sizeLots }, localTimeUs);
  }

  cancel(clientOrderId: string, localTimeUs: number): void {
    const v = this.venueOf(clientOrderId);
    if (!v) return;
    if (v.isInFlight(clientOrderId)) { this.heldCancels.add(clientOrderId); this.heldModifies.delete(clientOrderId); return; }
    v.cancel(clientOrderId, localTimeUs);
  }

  modify(clientOrderId: string, priceTicks: number, sizeLots: number, localTimeUs: number): void {
    const v = this.venueOf(clientOrderId);
    if (!v) return;
    if (v.isInFlight(clientOrderId)) { this.heldModifies.set(clientOrderId, { priceTicks, sizeLots }); return; }
    v.modify(clientOrderId, { priceTicks, sizeLots }, localTimeUs);
  }

  nextActionUs(): number {
    let t = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.venues.length; i++) {
      const x = this.venues[i]!.nextActionTimeUs();
      if (x < t) t = x;
    }
    return t;
  }

  nextResponseUs(): number {
    let t = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.venues.length; i++) {
      const x = this.venues[i]!.nextResponseTimeUs();
      if (x < t) t = x;
    }
    return t;
  }

  takeResponses(localTimeUs: number): readonly (TimedVenueReport | TimedFunding)[] {
    const raw = this.scratch;
    raw.length = 0;
    for (let i = 0; i < this.venues.length; i++) this.venues[i]!.drainResponses(localTimeUs, raw);
    if (this.venues.length > 1) raw.sort((a, b) => a.tsLocal - b.tsLocal); // stable: per-venue order kept
    const out: (TimedVenueReport | TimedFunding)[] = [];
    for (const r of raw) {
      if (r.kind === 'funding') {
        out.push({ tsVenue: r.tsVenue, tsLocal: r.tsLocal, instrument: r.instrument, rate: r.rate, position: r.position, markPrice: r.markPrice, amount: r.amount, currency: r.currency });
        continue;
      }
      out.push({ tsVenue: r.tsVenue, tsLocal: r.tsLocal, report: toReport(r) });
      const closed = r.kind === 'rejected' || r.kind === 'canceled' || r.kind === 'expired' || (r.kind === 'filled' && r.leavesLots === 0);
      this.releaseHeld(r.clientOrderId, r.tsLocal, closed);
    }
    return out;
  }

  /** Sends a held cancel/modify once the order's outstanding answer is in; dropped if the order closed. */
  private releaseHeld(clientOrderId: string, tsLocal: number, closed: boolean): void {
    if (this.heldCancels.size === 0 && this.heldModifies.size === 0) return;
    const v = this.venueOf(clientOrderId);
    if (v !== undefined && v.isInFlight(clientOrderId)) return;
    // No venue knows it: it closed without reaching one (rejected on arrival); nothing to send.
    if (this.heldCancels.delete(clientOrderId)) { if (!closed && v !== undefined) v.cancel(clientOrderId, tsLocal); return; }
    const m = this.heldModifies.get(clientOrderId);
    if (m) { this.heldModifies.delete(clientOrderId); if (!closed && v !== undefined) v.modify(clientOrderId, m, tsLocal); }
  }

  private venueOf(clientOrderId: string): SimVenue | undefined {
    const vs = this.venues;
    for (let i = 0; i < vs.length; i++) if (vs[i]!.knows(clientOrderId)) return vs[i];
    return undefined;
  }
}

function toReport(r: Exclude<VenueResponse, { kind: 'funding' }>): VenueReport {
  switch (r.kind) {
    case 'accepted': return { kind: 'accepted', clientOrderId: r.clientOrderId, venueOrderId: r.venueOrderId };
    case 'rejected': return { kind: 'rejected', clientOrderId: r.clientOrderId, reason: r.reason };
    case 'filled': return { kind: 'fill', clientOrderId: r.clientOrderId, venueTradeId: r.venueTradeId, priceTicks: r.priceTicks, sizeLots: r.sizeLots, liquidity: r.liquidity, fee: r.fee, feeCurrency: r.feeCurrency };
    case 'canceled': return { kind: 'canceled', clientOrderId: r.clientOrderId, reason: r.reason };
    case 'cancel-rejected': return { kind: 'cancel-rejected', clientOrderId: r.clientOrderId, reason: r.reason };
    case 'updated': return { kind: 'updated', clientOrderId: r.clientOrderId, priceTicks: r.priceTicks, sizeLots: r.sizeLots };
    case 'update-rejected': return { kind: 'update-rejected', clientOrderId: r.clientOrderId, reason: r.reason };
    case 'expired': return { kind: 'expired', clientOrderId: r.clientOrderId };
  }
}
