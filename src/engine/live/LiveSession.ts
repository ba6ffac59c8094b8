/**
 * Wall-clock wiring of the kernel for paper and live runs (ARCHITECTURE: only the sources, the venue
 * and the clock change between modes). Live market messages are stepped the moment they arrive
 * (`Kernel.step`); an RxJS interval and every venue report call `Kernel.advance(now)` so responses and
 * timers are delivered at their own times; every run event goes to the store in order through one
 * `concatMap`. The session records its market inputs (TickRecorder) so `hft parity` can replay them.
 *
 * Stop (Ctrl-C, SIGTERM, kill switch): step what arrived, advance to now, record `run.stop-requested`,
 * cancel every open order (`cancelOpen`, mode-specific), drain the answers, record the inputs and
 * `run.completed`, flush the store. Events before `run.stop-requested` are what parity compares.
 */
import { Subject, concatMap, from, interval, lastValueFrom, defaultIfEmpty, type Subscription } from 'rxjs';
import type { EventStore } from '../../eventstore/port.ts';
import type { DatasetRef, EventData, EventType, NewEvent } from '../../model/events.ts';
import { allocBatch, pushEvent, type MarketEvent } from '../../model/market.ts';
import { openOrders } from '../../oms/openOrders.ts';
import { HftError } from '../../core/errors.ts';
import { Kernel, type Intervention, type KernelConfig } from '../Kernel.ts';
import { inputsStreamId } from './inputsStream.ts';
import type { TickRecorder } from './TickRecorder.ts';

export interface LiveSessionConfig {
  readonly kernel: KernelConfig;
  readonly store: EventStore;
  readonly streamId: string;
  readonly started: EventData<'run.started'>;
  readonly clockUs: () => number;
  /** Paper: the simulated venue sees rows at their receive time (receiptVenueTime.ts). */
  readonly venueTimeAtReceipt: boolean;
  readonly recorder?: TickRecorder;
  /** Tick-store root the recorder writes to (recorded in run.inputs-recorded). */
  readonly tickStoreRoot?: string;
  /**
   * The recording is sealed into new tick files every `rollEveryMs` (default 5000) or once
   * `rollRows` rows (default 200,000) wait, whichever comes first; each roll is logged in stream
   * `inputs-<runId>` after the run events up to its cut, so a killed session is checkable up to there.
   */
  readonly rollEveryMs?: number;
  readonly rollRows?: number;
  /** How often the kernel is advanced to the wall clock when nothing else happens (default 2 ms). */
  readonly advanceEveryMs?: number;
  readonly summarize: (k: Kernel) => Record<string, unknown>;
  readonly onError?: (e: unknown) => void;
  /**
   * Live: keeps the tick-to-order path warm between market messages (HotPathWarmer): one dry step
   * every `warmEveryMs` (default 1). Its work never reaches this session's kernel or log; a warm step
   * that throws fails the session (the real order path would meet the same fault).
   */
  readonly warmer?: { step(): boolean };
  readonly warmEveryMs?: number;
}

export interface StopOptions {
  readonly reason: string;
  /** Cancels the given open orders at the venue; resolves when the requests are out. */
  readonly cancelOpen: (clientOrderIds: readonly string[], nowUs: number) => Promise<void> | void;
  /** Live: waits (advancing the kernel) until no order is open or this many ms passed. Default 1000. */
  readonly drainMs?: number;
  /** Paper: end the kernel with `finish()` (deliver every simulated answer) instead of waiting. */
  readonly finish?: boolean;
  readonly beforeFinish?: () => void;
}

export class LiveSession {
  readonly kernel: Kernel;
  /** Run events, or a roll's log entry once its files are sealed: appended in this order. */
  private readonly out = new Subject<NewEvent[] | Promise<NewEvent | undefined>>();
  private lastRollUs = 0;
  private scratch = allocBatch(256);
  private rolls = 0;
  private appended: Promise<number> | undefined;
  private ticker: Subscription | undefined;
  private warmTicker: Subscription | undefined;
  private readonly idxById = new Map<string, number>();
  private stopping = false;
  private failed: unknown;
  runEvents = 0;

  constructor(private readonly cfg: LiveSessionConfig) {
    this.kernel = new Kernel(cfg.kernel);
    cfg.kernel.instruments.forEach((i, k) => this.idxById.set(i.id, k));
  }

  async start(): Promise<void> {
    const started = this.kernel.record('run.started', this.cfg.started, 0, 0);
    await this.cfg.store.append(this.cfg.streamId, started, { expectedRevision: 'no_stream' });
    this.runEvents += started.length;
    this.appended = lastValueFrom(this.out.pipe(
      concatMap((item) => from(Array.isArray(item)
        ? this.cfg.store.append(this.cfg.streamId, item, { expectedRevision: 'any' }).then(() => item.length)
        : item.then((e) => (e ? this.cfg.store.append(inputsStreamId(this.cfg.kernel.runId), [e], { expectedRevision: 'any' }).then(() => 0) : 0)))),
      defaultIfEmpty(0),
    )).catch((e) => { this.failed = e; this.cfg.onError?.(e); return 0; });
    this.lastRollUs = this.cfg.clockUs();
    this.ticker = interval(this.cfg.advanceEveryMs ?? 2).subscribe(() => { this.poke(); this.maybeRoll(); });
    const warmer = this.cfg.warmer;
    if (warmer) {
      this.warmTicker = interval(this.cfg.warmEveryMs ?? 1).subscribe(() => {
        if (this.stopping || this.failed !== undefined) return;
        try { warmer.step(); } catch (e) { this.fail(e); }
      });
    }
  }

  private maybeRoll(): void {
    const rec = this.cfg.recorder;
    if (!rec || this.stopping || this.failed !== undefined || rec.unsealedRows === 0) return;
    const now = this.cfg.clockUs();
    if (rec.unsealedRows < (this.cfg.rollRows ?? 200_000) && now - this.lastRollUs < (this.cfg.rollEveryMs ?? 5000) * 1000) return;
    this.lastRollUs = now;
    this.roll(now);
  }

  /**
   * Seals the rows stepped so far. The cut: the kernel is advanced to `nowUs` first, so the run
   * events emitted up to here are exactly what a replay of the sealed rows advanced to `nowUs` gives.
   */
  roll(nowUs: number = this.cfg.clockUs()): void {
    const rec = this.cfg.recorder;
    if (!rec) return;
    try { this.emit(this.kernel.advance(nowUs)); } catch (e) { this.fail(e); return; }
    const runId = this.cfg.kernel.runId;
    const k = this.rolls++;
    this.out.next(rec.roll().then((datasets): NewEvent | undefined => {
      if (datasets.length === 0) return undefined;
      const id = `${inputsStreamId(runId)}-${k}`;
      return { id, type: 'run.inputs-recorded', version: 1, tsEvent: nowUs, tsRecv: nowUs, runId, correlationId: id, causationId: id, data: { tickStore: this.cfg.tickStoreRoot ?? '', datasets, stopUs: nowUs } } as NewEvent;
    }));
  }

  private emit(events: NewEvent[]): void {
    if (events.length === 0) return;
    this.runEvents += events.length;
    this.out.next(events);
  }

  /**
   * One venue message's normalized events: stepped through the kernel at once, then recorded. The
   * recording waits until the step (and any order it sends) is done: nothing between a message and
   * its orders that can wait. It stays in message order, and a roll only ever runs between messages.
   */
  onMarket(events: readonly MarketEvent[]): void {
    if (this.stopping) return;
    // One scratch batch for every message (the kernel reads it during step only): two fresh batches
    // of 12 typed arrays per message were a measurable part of tick-to-order (bench/live).
    if (this.scratch.kind.length < events.length) this.scratch = allocBatch(Math.max(events.length, this.scratch.kind.length * 2));
    const b = this.scratch;
    b.length = 0;
    for (const e of events) {
      const idx = this.idxById.get(e.instrument);
      if (idx !== undefined) pushEvent(b, e, idx);
    }
    if (b.length > 0) {
      // Paper: the venue sees the row at receipt (receiptVenueTime.ts), written in place.
      if (this.cfg.venueTimeAtReceipt) b.tsEvent.set(b.tsRecv.subarray(0, b.length));
      let out: NewEvent[] | undefined;
      try { out = this.kernel.step(b); } catch (e) { this.fail(e); }
      this.cfg.recorder?.record(events);
      if (out) this.emit(out);
      return;
    }
    this.cfg.recorder?.record(events);
  }

  /**
   * Before the feed starts: `onMarket`'s copy of a message into the step batch run `rounds` times on
   * `events` (e.g. what the feed's own warm-up made), then `onMarket` on no events, nothing stepped or
   * recorded: the first real message, which decides the first quotes, then does not pay their first
   * compilation.
   */
  warm(events: readonly MarketEvent[], rounds = 200): void {
    const b = this.scratch;
    for (let r = 0; r < rounds; r++) {
      b.length = 0;
      for (const e of events) {
        const idx = this.idxById.get(e.instrument);
        if (idx !== undefined) pushEvent(b, e, idx);
      }
    }
    b.length = 0;
    // `onMarket` itself once, on no events (nothing stepped or recorded): compiled now, not by the
    // first real message (V8 compiles a function at its first call).
    this.onMarket([]);
  }

  /** Delivers due venue answers and timers at the wall clock. */
  poke(): void {
    if (this.failed !== undefined) return;
    try { this.emit(this.kernel.advance(this.cfg.clockUs())); } catch (e) { this.fail(e); }
  }

  /**
   * Seeds the positions the run starts holding (Kernel.adopt) at the current clock: call after
   * `start()` and before any market message. The `position.adopted` events it records are the input
   * a replay seeds from (paperParity).
   */
  adopt(positions: readonly EventData<'position.adopted'>[]): NewEvent[] {
    if (positions.length === 0) return [];
    const t = this.cfg.clockUs();
    const out = this.kernel.adopt(positions, t);
    this.emit(out);
    return out;
  }

  /** Appends an event outside the market loop (latency rows, reconciliation) at the current clock. */
  record<T extends EventType>(type: T, data: EventData<T>): void {
    const t = this.cfg.clockUs();
    this.emit(this.kernel.record(type, data, t, t));
  }

  /**
   * Carries out an intervention (an operator command) now: the kernel is first advanced to the clock
   * (everything due by then happens first), then the intervention runs at that time. `input` builds
   * what a replay needs to schedule it again (the market-row count and time it ran at); it is logged
   * in stream inputs-<runId>, in order with the rolls. Without `input` nothing is logged there: live
   * only (the position drift halt, PositionWatch), where no replay takes the run's inputs.
   */
  intervene(apply: Intervention, input?: (afterRows: number, atUs: number) => NewEvent): void {
    if (this.stopping) throw new HftError('HFT_ERR_RUN_NOT_LIVE', `run '${this.cfg.kernel.runId}' is stopping: no intervention can reach it`);
    if (this.failed !== undefined) return;
    const now = this.cfg.clockUs();
    try {
      this.emit(this.kernel.advance(now));
      const afterRows = this.kernel.counters.marketRows;
      this.emit(this.kernel.intervene(now, apply));
      if (input) this.out.next(Promise.resolve(input(afterRows, now)));
    } catch (e) { this.fail(e); }
  }

  private fail(e: unknown): void {
    this.failed = e;
    this.cfg.onError?.(e);
  }

  get error(): unknown { return this.failed; }

  openOrderIds(): string[] { return openOrders(this.kernel.oms, {}).map((o) => o.clientOrderId); }

  async stop(o: StopOptions): Promise<{ summary: Record<string, unknown>; datasets: DatasetRef[]; stopUs: number }> {
    this.stopping = true;
    this.ticker?.unsubscribe();
    this.warmTicker?.unsubscribe();
    const stopUs = this.cfg.clockUs();
    this.emit(this.kernel.advance(stopUs));
    this.record('run.stop-requested', { reason: o.reason, atUs: stopUs });
    // Halted before the cancels: the gate denies any new order a strategy tries while we wind down.
    const from = this.cfg.kernel.risk.state;
    if (from !== 'HALTED') this.record('risk.state-changed', { from, to: 'HALTED', reason: `session stop: ${o.reason}`, values: {} });
    const open = this.openOrderIds();
    await o.cancelOpen(open, stopUs);
    if (o.finish) {
      o.beforeFinish?.();
      this.emit(this.kernel.finish());
    } else {
      const deadline = this.cfg.clockUs() + (o.drainMs ?? 1000) * 1000;
      while (this.openOrderIds().length > 0 && this.cfg.clockUs() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
        this.emit(this.kernel.advance(this.cfg.clockUs()));
      }
    }
    const datasets = this.cfg.recorder ? await this.cfg.recorder.close() : [];
    this.record('run.inputs-recorded', { tickStore: this.cfg.tickStoreRoot ?? '', datasets, stopUs });
    const summary = { ...this.cfg.summarize(this.kernel), openOrdersAtEnd: this.openOrderIds().length, stopReason: o.reason };
    this.record('run.completed', { summary });
    this.out.complete();
    await this.appended;
    if (this.failed !== undefined) throw this.failed;
    return { summary, datasets, stopUs };
  }
}
