/**
 * What every real-venue execution adapter keeps for the kernel: the orders it placed under our client
 * ids (acknowledged, closed, the venue's id, a cancel held until the acknowledgement, the trade ids of
 * its fills), and the venue reports waiting for the kernel in arrival order, each stamped with the local
 * clock when it arrived.
 *
 * Memory stays flat over a days-long session: every order that closes goes through `markClosed`, which
 * keeps the last `retainClosedOrders` closed orders (for late venue messages: a duplicate fill, a cancel
 * answered after the fill) and forgets older ones entirely, as the OMS does (evolveOms `forgetOldest`).
 * Open and in-flight orders are never forgotten. A message for a forgotten order is handled like one for
 * an order this adapter never placed (another session's on the same account): not reported, counted.
 */
import { HftError } from '../core/errors.ts';
import type { TimedFunding, TimedVenueReport } from '../engine/ports.ts';
import type { OrderIntentData } from '../model/events.ts';
import type { Instrument } from '../model/instrument.ts';
import type { VenueReport } from '../model/orders.ts';

/** One request and its answer, all in µs: the recorded-latency row (sim/InterpolatedLatency). */
export interface RequestLatency {
  readonly action: 'place' | 'cancel' | 'query' | 'cancel-all' | 'modify';
  readonly clientOrderId: string;
  readonly requestUs: number;
  /** Venue processing time from the answer (ms resolution on Binance); 0 when the venue did not process it. */
  readonly venueUs: number;
  readonly responseUs: number;
  /** 'ok' | 'rejected:<reason>' | 'ambiguous:<error>' */
  readonly outcome: string;
}

/** What every live execution adapter is given, whatever the venue. */
export interface ExecutionAdapterOptions {
  readonly instruments: readonly Instrument[];
  readonly clockUs: () => number;
  /** Called when a report is queued (the runner advances the kernel). */
  readonly onReport?: () => void;
  /** Every request and its answer (the recorded-latency rows, `order.request-acked`). */
  readonly onLatency?: (row: RequestLatency) => void;
  /**
   * Called when a new-order request leaves the adapter (tick-to-order measurement): `throttled` when
   * the venue's request limits held it back first.
   */
  readonly onOrderOut?: (clientOrderId: string, throttled: boolean) => void;
  readonly log?: (line: string) => void;
  /** Wait before re-resolving an ambiguous request (default 200 ms). */
  readonly retryDelayMs?: number;
  /**
   * Closed orders remembered for late venue messages (default 10,000, as the OMS); beyond it the oldest
   * closed order is forgotten, its fill ids with it. A message for a forgotten order is treated as one for
   * an order we never placed.
   */
  readonly retainClosedOrders?: number;
}

/** An amendment sent (or held) for an order: the price and total size asked for. */
export interface PendingAmend {
  readonly priceTicks: number;
  readonly sizeLots: number;
  /** Not sent yet: waits for the venue's acknowledgement of the order. */
  held: boolean;
  /** Sent again after an unanswered request (a "nothing to change" answer then means the first one landed). */
  resent: boolean;
}

export interface TrackedOrder {
  /** The order as it stands at the venue: price and size follow each accepted amendment. */
  order: OrderIntentData;
  acked: boolean;
  closed: boolean;
  venueOrderId: string;
  /** A cancel asked before the venue acknowledged the order: sent on the acknowledgement. */
  cancelHeld: boolean;
  /** The amendment in flight (the OMS allows one at a time), undefined when none. */
  amend?: PendingAmend | undefined;
  /** Amendments the venue accepted for this order (Binance futures refuse the 10000th). */
  amendCount?: number;
  /**
   * Venue trade (execution) ids of the fills reported for this order: a repeat is a duplicate push. Kept
   * with the order so they are forgotten with it; made on the first fill.
   */
  fillIds?: Set<string>;
}

/** What the adapter holds: every order it tracks, the closed ones among them, and how many were forgotten. */
export interface OrderRetention {
  readonly tracked: number;
  readonly closedRetained: number;
  readonly forgotten: number;
}

export abstract class TrackedOrdersVenue<P extends TrackedOrder> {
  protected readonly orders = new Map<string, P>();
  private readonly queue: TimedVenueReport[] = [];
  private qHead = 0;
  /**
   * The closed orders still in `orders`, in the order they closed, from index closedHead (the OMS's
   * closedQueue: the oldest is found without iterating the map). A forgotten slot is cleared at once so
   * the order's memory goes with it; the cleared front is dropped now and then.
   */
  private readonly closedQueue: (P | undefined)[] = [];
  private closedHead = 0;
  private readonly retainClosedOrders: number;
  private forgotten = 0;

  protected constructor(private readonly base: ExecutionAdapterOptions) {
    const retain = base.retainClosedOrders ?? 10_000;
    if (!Number.isSafeInteger(retain) || retain < 0) throw new HftError('HFT_ERR_CONFIG', `execution adapter retainClosedOrders: must be a non-negative integer, got ${retain}`);
    this.retainClosedOrders = retain;
  }

  /** Sends the cancel of an acknowledged order (the venue's request). */
  protected abstract sendCancel(clientOrderId: string): Promise<void>;

  /** Sends the amendment held in `orders.get(id).amend` (the venue's request). */
  protected sendModify(_clientOrderId: string): Promise<void> { return Promise.resolve(); }

  /** A venue error as the reason text of a report or latency row. */
  protected abstract reasonOf(e: unknown): string;

  /**
   * A private socket dropped: `connect` again with backoff (250 ms doubling up to 5 s) until it works
   * or `stopped()`, then `query` every acknowledged order not closed (what was pushed while the socket
   * was away is lost).
   */
  protected async reconnectAndQuery(what: string, connect: () => Promise<void>, query: (clientOrderId: string) => Promise<unknown>, stopped: () => boolean): Promise<void> {
    for (let attempt = 0; !stopped(); attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      try { await connect(); break; } catch (e) { this.base.log?.(`${what} reconnect failed: ${(e as Error).message}`); }
    }
    for (const [id, p] of this.orders) if (!p.closed && p.acked) void query(id);
  }

  /**
   * A cancel request that failed. A definitive venue answer (`definitive`) is a `cancel-rejected`
   * report; an unknown outcome (timeout, 5xx, dropped connection) is asked again after a pause until
   * the order is closed — a cancel of a closed order is answered as such (Binance -2011, OKX 51401).
   */
  protected async cancelFailed(id: string, requestUs: number, e: unknown, definitive: boolean): Promise<void> {
    const responseUs = this.base.clockUs();
    // Only closed orders are forgotten: one no longer tracked closed while its cancel was out, and its
    // close was reported then. The latency row above stays the cancel's trace.
    if (definitive) {
      const reason = this.reasonOf(e);
      this.base.onLatency?.({ action: 'cancel', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `rejected:${reason}` });
      const p = this.orders.get(id);
      if (p && !p.closed) this.push({ kind: 'cancel-rejected', clientOrderId: id, reason }, responseUs);
      return;
    }
    this.base.onLatency?.({ action: 'cancel', clientOrderId: id, requestUs, venueUs: 0, responseUs, outcome: `ambiguous:${this.reasonOf(e)}` });
    await new Promise((r) => setTimeout(r, this.base.retryDelayMs ?? 200));
    const p = this.orders.get(id);
    if (p && !p.closed) await this.sendCancel(id);
    else if (!p) this.base.log?.(`cancel ${id}: not asked again, the order closed and was forgotten meanwhile (retainClosedOrders)`);
  }

  cancel(clientOrderId: string, _localTimeUs: number): void {
    const p = this.orders.get(clientOrderId);
    if (!p || p.closed) return;
    if (!p.acked) { p.cancelHeld = true; return; }
    // Started after the kernel step, not inside it: every `sendCancel` awaits its rate limiter before
    // the request, so the request never left inside the step anyway, but its synchronous start (the
    // async call, the limiter, ccxt's entry: 13 µs at the median, up to 200 µs cold, timed once with
    // temporary probes in bench/live; see the README) sat between a requote's cancel and its new order. Queued as a microtask, it runs as soon as the
    // step returns, in the order the cancels were asked for, before any timer or socket event.
    queueMicrotask(() => { if (!p.closed) void this.sendCancel(clientOrderId); });
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

  /** How many orders are tracked, how many of them are closed, and how many closed ones were forgotten. */
  retention(): OrderRetention {
    return { tracked: this.orders.size, closedRetained: this.closedQueue.length - this.closedHead, forgotten: this.forgotten };
  }

  protected push(report: VenueReport, tsVenue: number): void {
    this.queue.push({ tsVenue, tsLocal: this.base.clockUs(), report });
    this.base.onReport?.();
  }

  protected ack(id: string, venueOrderId: string, tsVenue: number): void {
    const p = this.orders.get(id);
    if (!p || p.acked) return;
    p.acked = true;
    p.venueOrderId = venueOrderId;
    this.push({ kind: 'accepted', clientOrderId: id, venueOrderId }, tsVenue);
    if (p.cancelHeld && !p.closed) { p.cancelHeld = false; void this.sendCancel(id); }
    if (p.amend?.held && !p.closed) { p.amend.held = false; void this.sendModify(id); }
  }

  /**
   * Queues an amendment of an open order: sent now if the venue acknowledged the order, else held
   * until it does. False (nothing queued) when the order is unknown or closed: `update-rejected` is
   * pushed with the reason.
   */
  protected startAmend(id: string, priceTicks: number, sizeLots: number): boolean {
    const p = this.orders.get(id);
    if (!p || p.closed) {
      this.push({ kind: 'update-rejected', clientOrderId: id, reason: p ? 'order already closed' : 'unknown order' }, this.base.clockUs());
      return false;
    }
    p.amend = { priceTicks, sizeLots, held: !p.acked, resent: false };
    if (p.acked) void this.sendModify(id);
    return true;
  }

  /** The venue applied the amendment in flight: `updated` with the venue's price and total size (once). */
  protected amended(id: string, priceTicks: number, sizeLots: number, tsVenue: number): void {
    const p = this.orders.get(id);
    if (!p?.amend) return;
    p.amend = undefined;
    p.amendCount = (p.amendCount ?? 0) + 1;
    p.order = { ...p.order, priceTicks, sizeLots };
    this.push({ kind: 'updated', clientOrderId: id, priceTicks, sizeLots }, tsVenue);
  }

  /** The venue refused the amendment in flight (or the order closed first): `update-rejected` (once). */
  protected amendRefused(id: string, reason: string, tsVenue: number): void {
    const p = this.orders.get(id);
    if (!p?.amend) return;
    p.amend = undefined;
    this.push({ kind: 'update-rejected', clientOrderId: id, reason }, tsVenue);
  }

  protected close(id: string, report: VenueReport, tsVenue: number): void {
    const p = this.orders.get(id);
    if (!p || p.closed) return;
    this.markClosed(id);
    // An amendment still in flight is moot: the OMS takes the close from pending-update, and a later
    // `update-rejected` would be refused there (canceled, expired and rejected are final).
    p.amend = undefined;
    this.push(report, tsVenue);
  }

  /**
   * Order `id` is closed (canceled, expired, rejected, or filled in full): the one place that says so.
   * It joins the retained closed orders; beyond `retainClosedOrders` the oldest closed ones are forgotten
   * (removed with their fill ids). Nothing for an unknown or already closed order. With a retention of 0
   * the order itself is forgotten here, so callers finish with it (an `amendRefused`) before.
   */
  protected markClosed(id: string): void {
    const p = this.orders.get(id);
    if (!p || p.closed) return;
    p.closed = true;
    this.closedQueue.push(p);
    while (this.closedQueue.length - this.closedHead > this.retainClosedOrders) {
      const oldest = this.closedQueue[this.closedHead]!;
      this.closedQueue[this.closedHead++] = undefined;
      const oid = oldest.order.clientOrderId;
      // The entry under this id is the one that closed (a client id placed again would be another object).
      if (this.orders.get(oid) === oldest) this.orders.delete(oid);
      this.forgotten++;
    }
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closedQueue.length) {
      this.closedQueue.splice(0, this.closedHead);
      this.closedHead = 0;
    }
  }

  /**
   * First report of venue trade `tradeId` for order `p`: true, and remembered with the order; a repeat
   * (the venue pushed the fill twice, or a REST catch-up met a push) is false.
   */
  protected firstFill(p: P, tradeId: string): boolean {
    if (p.fillIds?.has(tradeId)) return false;
    (p.fillIds ??= new Set()).add(tradeId);
    return true;
  }
}
