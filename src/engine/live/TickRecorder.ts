/**
 * Records a live session's normalized market rows into a tick store while it runs: one streaming
 * TickStore.write per instrument (day-partitioned Parquet, content-hashed in the manifest), fed from
 * an in-memory queue. `close()` ends the streams and returns the files, the inputs `hft parity` replays.
 */
import type { ManifestFile } from '../../feeds/tickstore/manifest.ts';
import type { TickStore } from '../../feeds/tickstore/TickStore.ts';
import type { DatasetRef } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { allocBatch, pushEvent, type MarketBatch, type MarketEvent } from '../../model/market.ts';

class BatchQueue implements AsyncIterable<MarketBatch> {
  private readonly items: MarketBatch[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  push(b: MarketBatch): void { this.items.push(b); this.wake?.(); }
  end(): void { this.done = true; this.wake?.(); }
  async *[Symbol.asyncIterator](): AsyncIterator<MarketBatch> {
    for (;;) {
      if (this.items.length > 0) { yield this.items.shift()!; continue; }
      if (this.done) return;
      await new Promise<void>((r) => { this.wake = r; });
      this.wake = undefined;
    }
  }
}

export class TickRecorder {
  private readonly queues = new Map<string, BatchQueue>();
  private readonly pending: Promise<ManifestFile[]>[] = [];
  private readonly current = new Map<string, MarketBatch>();
  rows = 0;

  constructor(private readonly store: TickStore, private readonly specs: readonly InstrumentSpec[], private readonly rowsPerBatch = 4096) {
    for (const s of specs) {
      const q = new BatchQueue();
      this.queues.set(s.id, q);
      this.pending.push(store.write(s, q));
    }
  }

  record(events: readonly MarketEvent[]): void {
    for (const e of events) {
      let b = this.current.get(e.instrument);
      if (!b) { b = allocBatch(this.rowsPerBatch); this.current.set(e.instrument, b); }
      pushEvent(b, e, 0);
      this.rows++;
      if (b.length === this.rowsPerBatch) { this.queues.get(e.instrument)?.push(b); this.current.delete(e.instrument); }
    }
  }

  async close(): Promise<DatasetRef[]> {
    for (const [id, b] of this.current) if (b.length > 0) this.queues.get(id)?.push(b);
    this.current.clear();
    for (const q of this.queues.values()) q.end();
    const files = (await Promise.all(this.pending)).flat();
    return files.map((f) => ({ path: f.path, sha256: f.sha256, rowFrom: 0, rowTo: f.rows }));
  }
}
