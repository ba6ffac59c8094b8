/**
 * Position drift during a live run: every `everyMs` the venue's positions (positionRisk) are compared
 * with the ledger's (the run's strategies' lots, summed per instrument). A position can move without
 * the run — a trade from another session or the venue's web page, a liquidation, a fill the user
 * stream lost — and the run would then trade limits and P&L against a position it does not hold.
 *
 * Fills in flight make transient mismatches: the venue's position moves the moment it matches, our
 * fill report arrives later. So a reading counts only when nothing could be on its way: no fill was
 * folded while it was being fetched and no order was in flight (submitted, pending-cancel,
 * pending-update) when it was asked or answered. A drift is confirmed by two such readings showing the
 * same venue and ledger quantities with no fill folded between them (a fill that was on its way at
 * the first would have arrived by the second, moved the ledger and started over). A reading with
 * activity in it is not counted; the first mismatch stays pending while no fill is folded. While one
 * is pending the next reading comes `confirmAfterMs` later, not a whole period: a busy strategy fills
 * often, and a short gap is the likeliest to hold no fill.
 *
 * A confirmed drift is recorded (`position.drift-detected`) and halts the run through the kill switch
 * risk pulls (risk.state-changed HALTED, cancel every open order: Kernel InterventionApi.halt), and
 * the checks stop. The detector (`DriftDetector`) is pure; `PositionWatch` runs it on a timer.
 */
import { Money } from '../../model/accounting/Money.ts';
import type { EventData, VenuePosition } from '../../model/events.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { OrderStatus } from '../../model/orders.ts';
import type { LiveSession } from './LiveSession.ts';

/** Order states whose answer is still on its way (a fill may come with it). */
const IN_FLIGHT: ReadonlySet<OrderStatus> = new Set(['initialized', 'submitted', 'pending-cancel', 'pending-update']);

/** The ledger's side of one reading, taken when the request went out and when the answer came. */
export interface LedgerSnapshot {
  /** Fills folded so far (Kernel counters.fills). */
  readonly fills: number;
  /** Orders in flight. */
  readonly inFlight: number;
  /** Signed lots per instrument (the run's strategies summed). */
  readonly lots: ReadonlyMap<string, number>;
}

export interface Reading {
  readonly before: LedgerSnapshot;
  readonly after: LedgerSnapshot;
  /** What the venue answered (one-way or hedge rows; non-zero ones only). */
  readonly venue: readonly VenuePosition[];
  readonly atUs: number;
}

interface Pending { readonly venue: string; readonly ledger: string; readonly fills: number; readonly firstSeenUs: number; checks: number }

export class DriftDetector {
  private readonly pending = new Map<string, Pending>();
  /** Readings that counted (quiet), and those skipped because something was in flight. */
  readonly stats = { readings: 0, quiet: 0, skipped: 0, mismatches: 0 };

  constructor(private readonly instruments: readonly Instrument[]) {}

  /** Mismatches seen once and waiting for their confirming reading. */
  get pendingCount(): number { return this.pending.size; }

  /** Folds one reading; returns the drifts it confirms (empty: none). */
  observe(r: Reading): EventData<'position.drift-detected'>[] {
    this.stats.readings++;
    const fills = r.after.fills;
    // A fill folded since a pending mismatch: the ledger moved, that mismatch proves nothing now.
    for (const [id, p] of this.pending) if (p.fills !== r.before.fills) this.pending.delete(id);
    if (r.before.fills !== r.after.fills || r.before.inFlight > 0 || r.after.inFlight > 0) { this.stats.skipped++; return []; }
    this.stats.quiet++;
    const out: EventData<'position.drift-detected'>[] = [];
    for (const inst of this.instruments) {
      const rows = r.venue.filter((p) => p.instrument === inst.id);
      const venueQty = rows.reduce((s, p) => s.plus(p.quantity), new Money(0));
      // The venue's decimal as written when it is one row; a sum of hedge rows otherwise.
      const venue = rows.length === 1 ? rows[0]!.quantity : venueQty.toString();
      const ledger = inst.lot.toDecimal(r.after.lots.get(inst.id) ?? 0);
      if (venueQty.eq(ledger)) { this.pending.delete(inst.id); continue; }
      this.stats.mismatches++;
      const p = this.pending.get(inst.id);
      if (p && new Money(p.venue).eq(venueQty) && p.ledger === ledger && p.fills === fills) {
        p.checks++;
        this.pending.delete(inst.id);
        out.push({ instrument: inst.id, venueQuantity: venue, ledgerQuantity: ledger, firstSeenUs: p.firstSeenUs, checks: p.checks });
      } else {
        this.pending.set(inst.id, { venue, ledger, fills, firstSeenUs: r.atUs, checks: 1 });
      }
    }
    return out;
  }
}

export interface PositionWatchOptions {
  readonly session: LiveSession;
  readonly instruments: readonly Instrument[];
  /** The venue's positions (BinanceExecution.fetchPositions: request weight 5 on USDⓈ-M, 1 on COIN-M). */
  readonly fetchPositions: () => Promise<readonly VenuePosition[] | null>;
  readonly everyMs: number;
  /**
   * After a mismatch (or a skipped reading while one waits), the next reading comes this soon
   * (default 500 ms) instead of a whole period later: the shorter the gap, the likelier it holds no
   * fill of a busy strategy, and a fill report on its way has long arrived by then.
   */
  readonly confirmAfterMs?: number;
  readonly clockUs: () => number;
  /** A confirmed drift, after it is recorded and the run halted. */
  readonly onDrift: (d: EventData<'position.drift-detected'>) => void;
  /** A check that failed (network, venue error): reported, the next check runs as planned. */
  readonly onCheckError: (e: unknown) => void;
}

export class PositionWatch {
  readonly detector: DriftDetector;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** No more checks: stopped, or a drift halted the run. */
  private stopped = false;
  /** stop() was called: a check failing on the way out is not reported. */
  private closing = false;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly o: PositionWatchOptions) {
    this.detector = new DriftDetector(o.instruments);
  }

  start(): void { this.schedule(this.o.everyMs); }

  /** One request at a time: the next check is timed from the end of the last (a slow answer delays it). */
  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.check().finally(() => this.schedule(this.detector.pendingCount > 0 ? (this.o.confirmAfterMs ?? 500) : this.o.everyMs));
    }, ms);
  }

  private snapshot(): LedgerSnapshot {
    const k = this.o.session.kernel;
    const lots = new Map<string, number>();
    for (const [key, n] of k.positionsLots()) {
      const id = key.slice(key.indexOf('|') + 1);
      lots.set(id, (lots.get(id) ?? 0) + n);
    }
    let inFlight = 0;
    for (const o of k.oms.orders.values()) if (IN_FLIGHT.has(o.status)) inFlight++;
    return { fills: k.counters.fills, inFlight, lots };
  }

  /** One reading (also callable directly). Never rejects: a failure goes to onCheckError. */
  async check(): Promise<void> {
    try { await this.read(); } catch (e) { if (!this.closing) this.o.onCheckError(e); }
  }

  private async read(): Promise<void> {
    // Everything due first: answers that arrived are folded before the ledger is read.
    this.o.session.poke();
    const before = this.snapshot();
    const venue = await this.o.fetchPositions();
    if (this.stopped || venue === null) return;
    this.o.session.poke();
    const drifts = this.detector.observe({ before, after: this.snapshot(), venue, atUs: this.o.clockUs() });
    if (drifts.length === 0) return;
    this.stopped = true;
    clearTimeout(this.timer);
    const values = Object.fromEntries(drifts.flatMap((d) => [[`${d.instrument} venue`, d.venueQuantity], [`${d.instrument} ledger`, d.ledgerQuantity]]));
    this.o.session.intervene((api) => {
      let cause = '';
      for (const d of drifts) cause = api.record('position.drift-detected', d);
      api.halt('position-drift', values, cause);
    });
    for (const d of drifts) this.o.onDrift(d);
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
}
