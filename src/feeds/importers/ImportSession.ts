/**
 * One `hft import` run: collects accepted market events per instrument, quarantines or rejects bad
 * lines, and writes everything accepted to the tick store at the end (nothing accepted is dropped:
 * the report's row counts are the rows written).
 *
 * Rows are held in memory until `finish` (captures and CSVs here are tens of MB); each instrument is
 * then stable-sorted by tsRecv (sources interleave REST and WS files) and written in day files.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HftError, isHftError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { allocBatch, pushEvent, type MarketBatch, type MarketEvent } from '../../model/market.ts';
import type { ManifestFile } from '../tickstore/manifest.ts';
import { openTickStore, type Partition } from '../tickstore/TickStore.ts';

export interface ImportOptions {
  readonly out: string;
  /** Quarantine bad lines to `<out>/quarantine/<file>.bad` instead of failing. */
  readonly skipBad?: boolean;
}

export interface ImportReport {
  lines: number;
  acceptedLines: number;
  /** Lines understood but carrying nothing the market tier stores (subscriptions acks, klines...), by reason. */
  ignored: Record<string, number>;
  quarantined: number;
  quarantineFiles: string[];
  rows: Record<string, number>;
  files: ManifestFile[];
}

const CHUNK = 65_536;

export class ImportSession {
  readonly report: ImportReport = { lines: 0, acceptedLines: 0, ignored: {}, quarantined: 0, quarantineFiles: [], rows: {}, files: [] };
  private readonly chunks = new Map<string, MarketBatch[]>();
  private readonly specs = new Map<string, InstrumentSpec>();
  private readonly partitions = new Map<string, Partition>();

  constructor(readonly options: ImportOptions) {}

  /** Accepts the events of one line (all or none: the caller computes them before calling). */
  accept(events: readonly MarketEvent[], specOf: (instrumentId: string) => InstrumentSpec, countLine = true): void {
    if (countLine) this.report.acceptedLines++;
    for (const e of events) {
      let list = this.chunks.get(e.instrument);
      if (!list) {
        this.specs.set(e.instrument, specOf(e.instrument));
        list = [allocBatch(CHUNK)];
        this.chunks.set(e.instrument, list);
      }
      let b = list[list.length - 1]!;
      if (b.length === CHUNK) { b = allocBatch(CHUNK); list.push(b); }
      pushEvent(b, e, 0);
    }
  }

  /** File granularity for an instrument (default day). */
  partition(instrumentId: string, p: Partition): void { this.partitions.set(instrumentId, p); }

  ignore(reason: string): void {
    this.report.ignored[reason] = (this.report.ignored[reason] ?? 0) + 1;
  }

  /** A malformed line: fails the import naming file and line, or quarantines it with --skip-bad. */
  bad(file: string, lineNo: number, line: string, error: unknown): void {
    const where = `${file}:${lineNo}: `;
    let msg = (error as Error).message.replace(/^HFT_ERR_[A-Z_]+: /, '');
    if (msg.startsWith(where)) msg = msg.slice(where.length);
    if (!this.options.skipBad) {
      throw new HftError('HFT_ERR_BAD_INPUT', `${where}${msg}`, { file, line: lineNo }, { cause: error });
    }
    if (!isHftError(error)) throw error; // a bug, not a bad line: never quarantine it
    const dir = join(this.options.out, 'quarantine');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${basename(file)}.bad`);
    if (!this.report.quarantineFiles.includes(path)) this.report.quarantineFiles.push(path);
    appendFileSync(path, `# ${file}:${lineNo}: ${msg}\n${line}\n`);
    this.report.quarantined++;
  }

  /** Sorts each instrument by tsRecv (stable) and writes it to the store. */
  async finish(): Promise<ImportReport> {
    const store = openTickStore(this.options.out);
    for (const id of [...this.chunks.keys()].sort()) {
      const sorted = sortByTsRecv(this.chunks.get(id)!);
      this.report.rows[id] = sorted.length;
      this.report.files.push(...(await store.write(this.specs.get(id)!, [sorted], { partition: this.partitions.get(id) ?? 'day' })));
    }
    return this.report;
  }
}

function sortByTsRecv(chunks: readonly MarketBatch[]): MarketBatch {
  const n = chunks.reduce((s, b) => s + b.length, 0);
  const all = allocBatch(n);
  const cols = ['kind', 'instrument', 'tsEvent', 'tsRecv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const;
  for (const b of chunks) {
    for (const c of cols) (all[c] as Float64Array).set((b[c] as Float64Array).subarray(0, b.length), all.length);
    all.length += b.length;
  }
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (all.tsRecv[i]! < all.tsRecv[i - 1]!) sorted = false;
  if (sorted) return all;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => all.tsRecv[a]! - all.tsRecv[b]! || a - b);
  const out = allocBatch(n);
  for (const c of cols) { const src = all[c] as Float64Array; const dst = out[c] as Float64Array; for (let i = 0; i < n; i++) dst[i] = src[order[i]!]!; }
  out.length = n;
  return out;
}
