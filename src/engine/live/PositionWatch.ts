/**
 * Position drift during a live run: every `everyMs` the venue's positions (positionRisk) are compared
 * with the ledger's (the run's strategies' lots, summed per instrument). A position can move without
 * the run — a trade from another session or the venue's web page, a liquidation, a fill the user
 * stream lost — and the run would then trade limits and P&L against a position it does not hold.
 *
 * Fills in flight make transient mismatches: the venue's position moves the moment it matches, our
 * fill report arrives later, and the venue's answer is a snapshot taken at some moment between our
 * request and its arrival. So a reading watches the ledger from the request until `settleMs` after
 * the answer (by then a fill the venue made before answering has reported) and keeps every position
 * the ledger passed through: the venue's snapshot agrees with the run when it equals any of them.
 * A reading with an order still in flight at its end proves nothing and is skipped. A mismatch is
 * confirmed by a second reading (`confirmAfterMs` later) that shows the same difference venue − ledger
 * for one of its positions: fills folded between the two moved the venue and the ledger alike and
 * leave a real difference where it was, while a transient would have to be a fill unreported for
 * longer than the settle time at both readings, of exactly that size. (Asking for no fill at all
 * between two readings would let a real drift go unnoticed as long as a busy market maker keeps
 * filling: 13 s seen on the USDⓈ-M replay.)
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

export interface Reading {
  /**
   * Per instrument: the ledger's signed lots (the run's strategies summed) from the request until the
   * settle time after the answer, each value it took in order (first: at the request; last: at the end).
   */
  readonly ledger: ReadonlyMap<string, readonly number[]>;
  /** Orders still in flight (submitted, pending-cancel, pending-update) at the end of the reading. */
  readonly inFlight: number;
  /** What the venue answered (one-way or hedge rows; non-zero ones only). */
  readonly venue: readonly VenuePosition[];
  readonly atUs: number;
}

interface Pending { readonly diffs: readonly Money[]; readonly firstSeenUs: number; checks: number }

export class DriftDetector {
  private readonly pending = new Map<string, Pending>();
  /** Readings taken, counted (`quiet`), skipped with an order in flight at their end, and showing a mismatch. */
  readonly stats = { readings: 0, quiet: 0, skipped: 0, mismatches: 0 };

  constructor(private readonly instruments: readonly Instrument[]) {}

  /** Mismatches seen once and waiting for their confirming reading. */
  get pendingCount(): number { return this.pending.size; }

  /** Folds one reading; returns the drifts it confirms (empty: none). */
  observe(r: Reading): EventData<'position.drift-detected'>[] {
    this.stats.readings++;
    // A request still unanswered at the end: its fill may be on the way (a pending mismatch waits).
    if (r.inFlight > 0) { this.stats.skipped++; return []; }
    this.stats.quiet++;
    const out: EventData<'position.drift-detected'>[] = [];
    for (const inst of this.instruments) {
      const rows = r.venue.filter((p) => p.instrument === inst.id);
      const venueQty = rows.reduce((s, p) => s.plus(p.quantity), new Money(0));
      // The venue's decimal as written when it is one row; a sum of hedge rows otherwise.
      const venue = rows.length === 1 ? rows[0]!.quantity : venueQty.toString();
      const states = r.ledger.get(inst.id) ?? [0];
      const diffs = states.map((lots) => venueQty.minus(inst.lot.toDecimal(lots)));
      if (diffs.some((d) => d.isZero())) { this.pending.delete(inst.id); continue; }
      this.stats.mismatches++;
      const p = this.pending.get(inst.id);
      // The ledger position (of those this reading saw) whose difference the last reading showed too.
      const at = p ? diffs.findIndex((e) => p.diffs.some((d) => d.eq(e))) : -1;
      if (p && at >= 0) {
        p.checks++;
        this.pending.delete(inst.id);
        out.push({ instrument: inst.id, venueQuantity: venue, ledgerQuantity: inst.lot.toDecimal(states[at]!), firstSeenUs: p.firstSeenUs, checks: p.checks });
      } else {
        this.pending.set(inst.id, { diffs, firstSeenUs: r.atUs, checks: 1 });
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
  /** How long after the answer fills are still watched for before the reading counts (default 250 ms). */
  readonly settleMs?: number;
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

  /** The ledger's signed lots per instrument now (the run's strategies summed). */
  private lots(): Map<string, number> {
    const lots = new Map<string, number>();
    for (const [key, n] of this.o.session.kernel.positionsLots()) {
      const id = key.slice(key.indexOf('|') + 1);
      lots.set(id, (lots.get(id) ?? 0) + n);
    }
    return lots;
  }

  private inFlight(): number {
    let n = 0;
    for (const o of this.o.session.kernel.oms.orders.values()) if (IN_FLIGHT.has(o.status)) n++;
    return n;
  }

  /** One reading (also callable directly). Never rejects: a failure goes to onCheckError. */
  async check(): Promise<void> {
    try { await this.read(); } catch (e) { if (!this.closing) this.o.onCheckError(e); }
  }

  private async read(): Promise<void> {
    // Everything due first: answers that arrived are folded before the ledger is read.
    this.o.session.poke();
    const states = new Map<string, number[]>(this.o.instruments.map((i) => [i.id, []]));
    const sample = (): void => {
      const lots = this.lots();
      for (const [id, seq] of states) {
        const n = lots.get(id) ?? 0;
        if (seq[seq.length - 1] !== n) seq.push(n);
      }
    };
    sample();
    // Every position the ledger passes through while the venue answers and the settle time runs (the
    // session folds reports as they arrive; a sample each millisecond sees each fold).
    const sampler = setInterval(sample, 1);
    let venue: readonly VenuePosition[] | null;
    try {
      venue = await this.o.fetchPositions();
      if (venue !== null && !this.stopped) await new Promise((r) => setTimeout(r, this.o.settleMs ?? 250));
      this.o.session.poke();
      sample();
    } finally { clearInterval(sampler); }
    if (this.stopped || venue === null) return;
    const drifts = this.detector.observe({ ledger: states, inFlight: this.inFlight(), venue, atUs: this.o.clockUs() });
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
