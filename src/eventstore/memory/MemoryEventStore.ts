/**
 * In-memory reference store: the semantics every adapter must match (tests, and in-process runs
 * that do not need to persist).
 */
import { ConcurrencyError, HftError } from '../../core/errors.ts';
import { upcastBatch, type EventEnvelope, type NewEvent } from '../../model/events.ts';
import {
  expectedRevisionMatches,
  type AppendOptions, type AppendResult, type EventStore, type ReadAllOptions, type ReadStreamOptions, type SubscribeOptions,
} from '../port.ts';

const BATCH = 1024;

export class MemoryEventStore implements EventStore {
  private readonly all: EventEnvelope[] = [];
  private readonly streams = new Map<string, EventEnvelope[]>();
  private waiters: (() => void)[] = [];
  private closed = false;

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    const stream = this.streams.get(streamId);
    const current = stream ? stream.length - 1 : -1;
    const expected = options.expectedRevision ?? 'any';
    if (!expectedRevisionMatches(expected, current)) throw new ConcurrencyError(streamId, String(expected), current);
    if (events.length === 0) return { revision: current, position: this.all.length - 1 };
    const target = stream ?? [];
    if (!stream) this.streams.set(streamId, target);
    for (const e of events) {
      const stored: EventEnvelope = Object.freeze({ ...e, streamId, revision: target.length, position: this.all.length });
      target.push(stored);
      this.all.push(stored);
    }
    this.wake();
    return { revision: target.length - 1, position: this.all.length - 1 };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const end = Math.min(stream.length, (options.fromRevision ?? 0) + (options.maxCount ?? Infinity));
    for (let i = options.fromRevision ?? 0; i < end; i += BATCH) yield upcastBatch(stream.slice(i, Math.min(end, i + BATCH)));
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    const types = options.types ? new Set(options.types) : undefined;
    let left = options.maxCount ?? Infinity;
    for (let i = options.fromPosition ?? 0; i < this.all.length && left > 0; i += BATCH) {
      let batch = this.all.slice(i, Math.min(this.all.length, i + BATCH));
      if (types) batch = batch.filter((e) => types.has(e.type));
      if (batch.length > left) batch = batch.slice(0, left);
      left -= batch.length;
      if (batch.length > 0) yield upcastBatch(batch);
    }
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    const types = options.types ? new Set(options.types) : undefined;
    let next = options.fromPosition ?? 0;
    const signal = options.signal;
    while (!signal?.aborted && !this.closed) {
      if (next < this.all.length) {
        const end = Math.min(this.all.length, next + BATCH);
        let batch = this.all.slice(next, end);
        next = end;
        if (types) batch = batch.filter((e) => types.has(e.type));
        if (batch.length > 0) yield upcastBatch(batch);
        continue;
      }
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => { signal?.removeEventListener('abort', onAbort); resolve(); });
      });
    }
  }

  async streamRevision(streamId: string): Promise<number> { return (this.streams.get(streamId)?.length ?? 0) - 1; }
  async headPosition(): Promise<number> { return this.all.length - 1; }

  async close(): Promise<void> { this.closed = true; this.wake(); }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private assertOpen(): void {
    if (this.closed) throw new HftError('HFT_ERR_STORE_CLOSED', 'memory store is closed');
  }
}
