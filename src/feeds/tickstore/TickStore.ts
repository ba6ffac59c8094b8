/**
 * The market tier: Parquet tick files partitioned `<root>/<venue>/<symbol>/<yyyy-mm-dd>.parquet`
 * (UTC day of tsRecv), immutable and content-hashed in `<root>/manifest.json`, plus the decoded Arrow
 * IPC replay cache in `<root>/.cache/<sha256>.arrows`, built on first read.
 *
 * One writer per store at a time (the manifest is rewritten whole); any number of readers.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { US_PER_DAY, dayOfUs } from '../../core/time.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { MarketBatch } from '../../model/market.ts';
import { mergeByTime } from '../merge/mergeByTime.ts';
import { buildArrowCache, readArrowCache } from './arrowCache.ts';
import { loadManifest, plainSpec, saveManifest, type Manifest, type ManifestFile } from './manifest.ts';
import { sha256File, TickFileWriter } from './TickFileWriter.ts';

export interface TickQuery {
  /** Instrument ids (`<venue>:<symbol>`); the batch `instrument` column indexes this list. Default: all, sorted. */
  readonly instruments?: readonly string[];
  /** tsRecv range in µs, [fromUs, toUs). */
  readonly fromUs?: number;
  readonly toUs?: number;
  /** Rows per merged batch (default 65,536). */
  readonly batchSize?: number;
  /** Read through the Arrow IPC replay cache (default true); false decodes the Parquet files directly. */
  readonly cache?: boolean;
  /** Only these files (manifest paths): a run's recorded inputs when the store holds more. */
  readonly files?: readonly string[];
}

/** A read: the merged batches plus the table their `instrument` column indexes and the files consumed. */
export interface TickStream extends AsyncIterable<MarketBatch> {
  readonly instruments: readonly InstrumentSpec[];
  readonly files: readonly ManifestFile[];
}

/**
 * File granularity. `day` is the rule for tick data; sparse series (8-hourly funding over years) use
 * `month` or `year` so a 4-year history is 4 files rather than 1,461 one-row files.
 */
export type Partition = 'day' | 'month' | 'year';

function partitionOf(tUs: number, p: Partition): { name: string; endUs: number } {
  const d = new Date(Math.floor(tUs / 1000));
  const y = d.getUTCFullYear(); const m = d.getUTCMonth();
  if (p === 'day') return { name: dayOfUs(tUs), endUs: (Math.floor(tUs / US_PER_DAY) + 1) * US_PER_DAY };
  if (p === 'month') return { name: dayOfUs(tUs).slice(0, 7), endUs: Date.UTC(y, m + 1, 1) * 1000 };
  return { name: String(y), endUs: Date.UTC(y + 1, 0, 1) * 1000 };
}

const SAFE_PART = /^[A-Za-z0-9._-]+$/;

export class TickStore {
  private manifest: Manifest;
  constructor(readonly root: string) {
    this.manifest = loadManifest(root);
  }

  get files(): readonly ManifestFile[] { return this.manifest.files; }

  /** Instrument specs in the store, sorted by id. */
  instruments(): InstrumentSpec[] {
    const byId = new Map<string, InstrumentSpec>();
    for (const f of this.manifest.files) byId.set(f.instrument.id, f.instrument);
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * Writes one instrument's rows (tsRecv non-decreasing), split into day files. Returns the files
   * written. Rewriting a day with identical content is a no-op; different content is HFT_ERR_IMMUTABLE.
   * `part` names one piece of a partition (`<day>.<part>.parquet`): a live session seals its recording
   * piece by piece while it runs (TickRecorder), so a killed session leaves every sealed piece listed.
   */
  async write(spec: InstrumentSpec, batches: AsyncIterable<MarketBatch> | Iterable<MarketBatch>, opts: { partition?: Partition; part?: string } = {}): Promise<ManifestFile[]> {
    const partition = opts.partition ?? 'day';
    if (opts.part !== undefined && (!SAFE_PART.test(opts.part) || opts.part.startsWith('.'))) {
      throw new HftError('HFT_ERR_BAD_INPUT', `tick store ${this.root}: part '${opts.part}' must match ${SAFE_PART} to be part of a file name`);
    }
    const suffix = opts.part === undefined ? '' : `.${opts.part}`;
    spec = plainSpec(spec);
    if (!SAFE_PART.test(spec.venue) || !SAFE_PART.test(spec.symbol) || spec.venue.startsWith('.') || spec.symbol.startsWith('.')) {
      throw new HftError('HFT_ERR_BAD_INPUT', `instrument ${spec.id}: venue and symbol must match ${SAFE_PART} to be a path`);
    }
    const dir = join(this.root, spec.venue, spec.symbol);
    mkdirSync(dir, { recursive: true });
    const written: ManifestFile[] = [];
    let w: TickFileWriter | undefined;
    let day = '';
    let dayEndUs = Number.NEGATIVE_INFINITY;
    const close = async (): Promise<void> => {
      if (!w) return;
      const info = await w.finish();
      w = undefined;
      written.push({ path: `${spec.venue}/${spec.symbol}/${day}${suffix}.parquet`, day, ...info, instrument: spec });
    };
    // One manifest rewrite per call (not per file): files are immutable, so a crash in between only
    // leaves unlisted files that the next identical write adopts.
    const commit = (): void => {
      if (written.length === 0) return;
      const paths = new Set(written.map((f) => f.path));
      this.manifest = { schemaVersion: this.manifest.schemaVersion, files: [...this.manifest.files.filter((f) => !paths.has(f.path)), ...written] };
      saveManifest(this.root, this.manifest);
    };
    try {
      for await (const b of batches) {
        let from = 0;
        while (from < b.length) {
          if (b.tsRecv[from]! >= dayEndUs) {
            await close();
            const t = b.tsRecv[from]!;
            ({ name: day, endUs: dayEndUs } = partitionOf(t, partition));
            w = new TickFileWriter(join(dir, `${day}${suffix}.parquet`), spec);
          }
          let to = from;
          while (to < b.length && b.tsRecv[to]! < dayEndUs) to++;
          w!.write(b, from, to);
          from = to;
        }
      }
      await close();
    } catch (e) {
      w?.abort();
      commit();
      throw e;
    }
    commit();
    return written;
  }

  /** Re-hashes every file; returns the paths whose content no longer matches the manifest. */
  async verify(): Promise<string[]> {
    const bad: string[] = [];
    for (const f of this.manifest.files) {
      const path = join(this.root, f.path);
      if (!existsSync(path) || (await sha256File(path)).sha256 !== f.sha256) bad.push(f.path);
    }
    return bad;
  }

  /** Streams the selected instruments, merged by tsRecv (tie-break: position in `instruments`, then row). */
  read(q: TickQuery = {}): TickStream {
    const all = this.instruments();
    const ids = q.instruments ?? all.map((s) => s.id);
    const specs = ids.map((id) => {
      const s = all.find((x) => x.id === id);
      if (!s) throw new HftError('HFT_ERR_NOT_FOUND', `instrument '${id}' is not in tick store ${this.root} (has: ${all.map((x) => x.id).join(', ') || 'nothing'})`);
      return s;
    });
    const fromUs = q.fromUs ?? Number.NEGATIVE_INFINITY;
    const toUs = q.toUs ?? Number.POSITIVE_INFINITY;
    const only = q.files === undefined ? undefined : new Set(q.files);
    if (only) for (const p of only) if (!this.manifest.files.some((f) => f.path === p)) throw new HftError('HFT_ERR_NOT_FOUND', `tick store ${this.root}: file '${p}' is not in its manifest`, { path: p });
    const perInstrument = ids.map((id) => this.manifest.files
      .filter((f) => f.instrument.id === id && f.tsRecvMax >= fromUs && f.tsRecvMin < toUs && (only === undefined || only.has(f.path)))
      // Pieces of one partition (`<day>.<part>`) can share a boundary time: their names keep them in order.
      .sort((a, b) => a.tsRecvMin - b.tsRecvMin || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
    const useCache = q.cache ?? true;
    const root = this.root;
    const range = { ...(q.fromUs !== undefined ? { fromUs: q.fromUs } : {}), ...(q.toUs !== undefined ? { toUs: q.toUs } : {}) };
    async function* source(files: readonly ManifestFile[], instrumentIndex: number): AsyncGenerator<MarketBatch> {
      for (const f of files) {
        const path = join(root, f.path);
        if (useCache) {
          const cached = await buildArrowCache(path, f.sha256, join(root, '.cache'));
          yield* readArrowCache(cached, { instrumentIndex, ...range });
        } else {
          yield* (await import('./readTickParquet.ts')).readTickParquet(path, { instrumentIndex, ...range, ...(q.batchSize ? { batchSize: q.batchSize } : {}) });
        }
      }
    }
    const sources = perInstrument.map((files, i) => source(files, i));
    const merged = mergeByTime(sources, q.batchSize ? { batchSize: q.batchSize } : {});
    return { instruments: specs, files: perInstrument.flat(), [Symbol.asyncIterator]: () => merged[Symbol.asyncIterator]() };
  }
}

export function openTickStore(root: string): TickStore {
  mkdirSync(root, { recursive: true });
  return new TickStore(root);
}
