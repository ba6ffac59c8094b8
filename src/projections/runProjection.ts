/**
 * The projection runner: rebuilds the reducer state up to the checkpoint (folding without writing),
 * catches up from the checkpoint, then (with `follow`) keeps following the log. Every batch of rows is
 * committed together with its checkpoint (PostgresReadModelWriter.write), hence exactly once.
 */
import type { EventStore } from '../eventstore/port.ts';
import { pageDataJson } from '../eventstore/postgres/PostgresEventStore.ts';
import type { EventEnvelope } from '../model/events.ts';
import { createProjectionState, projectEvent, type ProjectionState } from './projectEvent.ts';
import { mergePrepared, type Checkpoint, type PostgresReadModelWriter, type PreparedWrite } from './PostgresReadModelWriter.ts';
import { RowBatch } from './RowBatch.ts';

export interface ProjectionRunOptions {
  readonly store: EventStore;
  readonly writer: PostgresReadModelWriter;
  /** Keep following new events after catching up, until the signal aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Most events per transaction. Default 10,000. */
  readonly maxBatchEvents?: number;
  /** Called after each committed batch. */
  readonly onCommit?: (cp: Checkpoint) => void;
}

export interface ProjectionRunResult {
  readonly checkpoint: Checkpoint;
  /** Events folded from the log without writing (state rebuilt up to the checkpoint). */
  readonly warmedEvents: number;
  /** Events projected and committed in this run. */
  readonly projectedEvents: number;
  readonly batches: number;
}

/** How long a batch waits for the page after a full one before it commits without it. */
const NEXT_PAGE_WAIT_MS = 100;
/** Pages smaller than this never make a batch wait for more (a live log's trickle). */
const MIN_FULL_PAGE = 100;

/**
 * Events folded between two turns of the event loop while a write or the next page is on its way.
 * The writer's transaction is a dozen statements, each sent when the previous one's answer has been
 * handled, and answers are handled only when this process yields: folding a page of 5,000 without
 * yielding held each statement of the write in flight for the whole page (traced: the first batch's
 * transaction spanned the fold of the next two pages). A turn costs some µs; 256 events some ms.
 */
const EVENTS_PER_TURN = 256;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** True when `p` settles within `ms` (its outcome is left to whoever awaits it). */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = p.then(() => true, () => true);
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(resolve, ms, false); });
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

export async function runProjection(opts: ProjectionRunOptions): Promise<ProjectionRunResult> {
  const { store, writer } = opts;
  const maxBatch = opts.maxBatchEvents ?? 10_000;
  let cp = await writer.checkpoint();
  const state: ProjectionState = createProjectionState();
  let warmed = 0;
  if (cp.position >= 0) {
    outer: for await (const batch of store.readAll()) {
      for (const e of batch) {
        if (e.position > cp.position) break outer;
        projectEvent(state, e, undefined);
        warmed++;
      }
    }
  }
  let projected = 0, batches = 0;
  // Pipelined: while the server stores batch N, batches N+1 and N+2 are folded and encoded (prepare
  // encodes synchronously, so folding may then change the live row objects) and the next page is being
  // read. Writes stay strictly one after the other, each moving the checkpoint from where the last one
  // left it, each started only once the one before has committed (and never after one that failed).
  // Up to two writes are outstanding (one running, one queued behind it): with one, folding stopped
  // at every batch whose write took longer than folding the next batch did (a write is also a few
  // round trips, each waiting for a turn of this process's event loop), and the two cores took turns.
  let planned = cp;
  /** The last write queued, and the one before it (settled or not). */
  let inflight: Promise<void> | undefined;
  let previous: Promise<void> | undefined;
  let rows = new RowBatch();
  /** Insert-only rows of the batch's earlier pages, already encoded (kept as text, not as objects). */
  let encoded: PreparedWrite | undefined;
  const encodeInserts = (): void => {
    const inserts = writer.prepare(rows.takeInserts());
    encoded = encoded === undefined ? inserts : mergePrepared(encoded, inserts);
  };
  let batchEvents = 0;
  let lastPosition = cp.position;
  const commit = async (): Promise<void> => {
    if (batchEvents === 0) return;
    const to: Checkpoint = { position: lastPosition, events: state.events };
    const rest = writer.prepare(rows);
    const prepared = encoded === undefined ? rest : mergePrepared(encoded, rest);
    const events = batchEvents;
    rows = new RowBatch();
    encoded = undefined;
    batchEvents = 0;
    if (previous) await previous;
    const from = planned;
    planned = to;
    const write = (): Promise<void> => writer.writePrepared(prepared, from, to);
    const done = (inflight ? inflight.then(write) : write()).then(() => {
      cp = to;
      projected += events;
      batches++;
      opts.onCommit?.(cp);
    });
    done.catch(() => {}); // awaited (and its error thrown) before a later write is queued or at the end
    previous = inflight;
    inflight = done;
  };
  const from = cp.position + 1;
  const source = opts.follow
    ? store.subscribe({ fromPosition: from, ...(opts.signal ? { signal: opts.signal } : {}) })
    : store.readAll({ fromPosition: from });
  // Read ahead: the next page is fetched and decoded while this one's rows are written.
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  // A transaction takes up to maxBatch events, however the store pages them (`hft project` reads
  // pages of 2,000): each transaction costs the writing server a fixed part, and an order that spans
  // two batches is upserted through staging instead of COPYed. Only after a large page as long as the
  // longest so far (catching up) does a batch wait for the next page; after a shorter one (the log's
  // head, for now) it commits at once, and it never waits longer than NEXT_PAGE_WAIT_MS.
  let longestPage = 0;
  try {
    for (;;) {
      const r = await pending;
      if (r.done) break;
      pending = it.next();
      const page = r.value;
      const dataJson = pageDataJson(page);
      if (batchEvents > 0 && batchEvents + page.length > maxBatch) await commit();
      for (let i = 0; i < page.length; i++) {
        const e = page[i]!;
        projectEvent(state, e, rows, dataJson?.[i]);
        batchEvents++;
        lastPosition = e.position;
        if (batchEvents >= maxBatch) await commit();
        else if (i % EVENTS_PER_TURN === EVENTS_PER_TURN - 1) await nextTurn();
      }
      longestPage = Math.max(longestPage, page.length);
      const catchingUp = page.length >= MIN_FULL_PAGE && page.length === longestPage;
      if (batchEvents > 0 && catchingUp && inflight !== undefined) {
        // The batch goes on with the next page: its history rows (and the event data they hold) are
        // encoded now, so they die young instead of being copied by the garbage collector while the
        // next page is decoded (measured: +0.1 s CPU per 100k events when they stayed objects).
        encodeInserts();
        if (!(await settlesWithin(pending, NEXT_PAGE_WAIT_MS))) await commit();
      } else if (batchEvents > 0) {
        // The log's head for now, or the first page: the server starts on it while the next is folded.
        await commit();
      }
      if (opts.signal?.aborted) { await pending; break; }
    }
    await commit();
  } finally {
    if (inflight) await inflight;
  }
  return { checkpoint: cp, warmedEvents: warmed, projectedEvents: projected, batches };
}
