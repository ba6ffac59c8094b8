/**
 * One subscription to the store per server, fanned out to every listener (the in-memory read models,
 * each WebSocket client). N clients cost one poll of the log, not N; and a read-only file store is
 * only ever followed by one subscription (two concurrent ones on one read-only FileEventStore fail
 * with HFT_ERR_STORE_CORRUPT on the second's catch-up: reported to the event store's owner).
 */
import type { EventStore } from '../../eventstore/port.ts';
import type { EventEnvelope } from '../../model/events.ts';

export type BatchListener = (batch: readonly EventEnvelope[]) => void;

export class EventHub {
  private last: number;
  private readonly listeners = new Set<BatchListener>();
  private readonly abort = new AbortController();
  private readonly waiters: { position: number; resolve: () => void }[] = [];
  private failure: unknown;
  private loop: Promise<void> = Promise.resolve();

  private constructor(readonly store: EventStore, readonly fromPosition: number) { this.last = fromPosition - 1; }

  /** Follows the store from `fromPosition` (0 = the whole log, for read models folded in memory). */
  static start(store: EventStore, fromPosition: number): EventHub {
    const hub = new EventHub(store, fromPosition);
    hub.loop = hub.run();
    return hub;
  }

  private async run(): Promise<void> {
    try {
      for await (const batch of this.store.subscribe({ fromPosition: this.fromPosition, signal: this.abort.signal })) {
        if (batch.length === 0) continue;
        this.last = batch[batch.length - 1]!.position;
        for (const l of this.listeners) l(batch);
        for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i]!.position <= this.last) { this.waiters[i]!.resolve(); this.waiters.splice(i, 1); }
      }
    } catch (e) {
      if (!this.abort.signal.aborted) { this.failure = e; for (const w of this.waiters.splice(0)) w.resolve(); }
    }
  }

  /** Position of the last event delivered to listeners. */
  get position(): number { return this.last; }
  /** Why the subscription stopped, if it failed. */
  get error(): unknown { return this.failure; }

  /** Resolves once the event at `position` has been delivered (or the subscription failed). */
  waitFor(position: number): Promise<void> {
    if (position <= this.last || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  listen(l: BatchListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * Every event from `from` on, history first (read from the store) then live, each exactly once and
   * in order: live batches that arrive while the history is read are held back, then filtered.
   */
  async follow(from: number, onBatch: BatchListener, signal: AbortSignal): Promise<void> {
    let sent = from - 1;
    let held: (readonly EventEnvelope[])[] | undefined = [];
    const deliver = (batch: readonly EventEnvelope[]): void => {
      const fresh = batch[0]!.position > sent ? batch : batch.filter((e) => e.position > sent);
      if (fresh.length === 0) return;
      sent = fresh[fresh.length - 1]!.position;
      onBatch(fresh);
    };
    const stop = this.listen((b) => { if (held) held.push(b); else deliver(b); });
    signal.addEventListener('abort', stop, { once: true });
    try {
      if (from <= this.last || from < this.fromPosition) {
        for await (const batch of this.store.readAll({ fromPosition: from })) {
          if (signal.aborted) return;
          if (batch.length) deliver(batch);
        }
      }
      for (const b of held) deliver(b);
      held = undefined;
    } catch (e) {
      stop();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
