/**
 * The projection runner: rebuilds the reducer state up to the checkpoint (folding without writing),
 * catches up from the checkpoint, then (with `follow`) keeps following the log. Every batch of rows is
 * committed together with its checkpoint (PostgresReadModelWriter.write), hence exactly once.
 */
import type { EventStore } from '../eventstore/port.ts';
import type { EventEnvelope } from '../model/events.ts';
import { createProjectionState, projectEvent, type ProjectionState } from './projectEvent.ts';
import type { Checkpoint, PostgresReadModelWriter } from './PostgresReadModelWriter.ts';
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
  // Pipelined: while the server stores batch N, batch N+1 is folded and encoded (prepare encodes
  // synchronously, so folding may then change the live row objects) and page N+2 is being read.
  // Writes stay strictly one after the other, each moving the checkpoint from where the last one left it.
  let planned = cp;
  let inflight: Promise<void> | undefined;
  const commit = async (events: readonly EventEnvelope[]): Promise<void> => {
    for (let i = 0; i < events.length; i += maxBatch) {
      const slice = events.length <= maxBatch ? events : events.slice(i, i + maxBatch);
      const rows = new RowBatch();
      for (const e of slice) projectEvent(state, e, rows);
      const to: Checkpoint = { position: slice[slice.length - 1]!.position, events: state.events };
      const prepared = writer.prepare(rows);
      if (inflight) await inflight;
      const from = planned;
      planned = to;
      inflight = writer.writePrepared(prepared, from, to).then(() => {
        cp = to;
        projected += slice.length;
        batches++;
        opts.onCommit?.(cp);
      });
      inflight.catch(() => {}); // awaited (and its error thrown) before the next write or at the end
    }
  };
  const from = cp.position + 1;
  const source = opts.follow
    ? store.subscribe({ fromPosition: from, ...(opts.signal ? { signal: opts.signal } : {}) })
    : store.readAll({ fromPosition: from });
  // Read ahead: the next page is fetched and decoded while this one's rows are written.
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  try {
    for (;;) {
      const r = await pending;
      if (r.done) break;
      pending = it.next();
      if (r.value.length > 0) await commit(r.value);
      if (opts.signal?.aborted) { await pending; break; }
    }
  } finally {
    if (inflight) await inflight;
  }
  return { checkpoint: cp, warmedEvents: warmed, projectedEvents: projected, batches };
}
