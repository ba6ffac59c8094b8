/**
 * Records a live session's normalized market rows into a tick store while it runs, sealed piece by
 * piece: rows are buffered per instrument and every `roll()` writes what arrived since the previous
 * roll as new immutable files (`<venue>/<symbol>/<day>.r<NNNNNN>.parquet`, fsynced, content-hashed,
 * the manifest replaced atomically). A session killed with SIGKILL therefore leaves every piece up to
 * its last roll readable and listed; only the rows after it are lost. `close()` seals the rest and
 * returns every file, the inputs `hft parity` replays.
 *
 * The buffers are taken synchronously at the roll, so the rows a roll seals are exactly the rows the
 * kernel had stepped when the roll was asked for (the cut the session records with it).
 */
import type { ManifestFile } from '../../feeds/tickstore/manifest.ts';
import type { TickStore } from '../../feeds/tickstore/TickStore.ts';
import type { DatasetRef } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { allocBatch, pushEvent, type MarketBatch, type MarketEvent } from '../../model/market.ts';

const toRef = (f: ManifestFile): DatasetRef => ({ path: f.path, sha256: f.sha256, rowFrom: 0, rowTo: f.rows });

export class TickRecorder {
  private readonly buffered = new Map<string, MarketBatch[]>();
  private readonly current = new Map<string, MarketBatch>();
  private readonly sealed: DatasetRef[] = [];
  /** Rolls run one after the other (each rewrites the manifest). */
  private chain: Promise<unknown> = Promise.resolve();
  private pieces = 0;
  /** Rows recorded / rows since the last roll. */
  rows = 0;
  unsealedRows = 0;

  constructor(private readonly store: TickStore, specs: readonly InstrumentSpec[], private readonly rowsPerBatch = 4096) {
    for (const s of specs) this.buffered.set(s.id, []);
    this.specs = new Map(specs.map((s) => [s.id, s]));
  }

  private readonly specs: Map<string, InstrumentSpec>;

  record(events: readonly MarketEvent[]): void {
    for (const e of events) {
      const list = this.buffered.get(e.instrument);
      if (!list) continue;
      let b = this.current.get(e.instrument);
      if (!b) { b = allocBatch(this.rowsPerBatch); this.current.set(e.instrument, b); }
      pushEvent(b, e, 0);
      this.rows++;
      this.unsealedRows++;
      if (b.length === this.rowsPerBatch) { list.push(b); this.current.delete(e.instrument); }
    }
  }

  /**
   * Seals every row recorded so far into new files. Resolves with the files this roll wrote (none when
   * no row arrived since the last roll), after they and the manifest listing them are on disk.
   */
  roll(): Promise<DatasetRef[]> {
    for (const [id, b] of this.current) if (b.length > 0) this.buffered.get(id)!.push(b);
    this.current.clear();
    const take: [InstrumentSpec, MarketBatch[]][] = [];
    for (const [id, list] of this.buffered) {
      if (list.length > 0) take.push([this.specs.get(id)!, list]);
      this.buffered.set(id, []);
    }
    this.unsealedRows = 0;
    if (take.length === 0) return this.chain.then(() => []);
    const part = `r${String(++this.pieces).padStart(6, '0')}`;
    const done = this.chain.then(async () => {
      const refs: DatasetRef[] = [];
      // One instrument after the other: each write rewrites the manifest with its files.
      for (const [spec, batches] of take) for (const f of await this.store.write(spec, batches, { part })) refs.push(toRef(f));
      this.sealed.push(...refs);
      return refs;
    });
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Seals the rest; every file of the session. */
  async close(): Promise<DatasetRef[]> {
    await this.roll();
    return [...this.sealed];
  }
}
