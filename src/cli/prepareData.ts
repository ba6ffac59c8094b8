/**
 * Resolves a scenario's data sources to a tick store: raw captures are imported once into
 * `<ticksDir>/<key>` (key = hash of format, instrument and input file contents), built in a temporary
 * directory and renamed into place so a crash never leaves a half-imported store behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { HftError } from '../core/errors.ts';
import type { Scenario } from '../engine/scenario.ts';
import { runImport } from '../feeds/importers/runImport.ts';
import { openTickStore, type TickStore, type TickStream } from '../feeds/tickstore/TickStore.ts';
import { usFromIso } from '../core/time.ts';

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface PreparedData {
  readonly store: TickStore;
  readonly instrumentIds: readonly string[];
  /** True when this call imported the captures (first use). */
  readonly imported: boolean;
}

export async function prepareData(sc: Scenario, scenarioDir: string, cwd: string, ticksDir: string, log: (line: string) => void): Promise<PreparedData> {
  const resolveFile = (f: string): string => {
    if (isAbsolute(f)) return f;
    for (const base of [cwd, scenarioDir, resolve(scenarioDir, '..')]) { const p = resolve(base, f); if (existsSync(p)) return p; }
    throw new HftError('HFT_ERR_NOT_FOUND', `data file '${f}' not found (looked in ${cwd}, ${scenarioDir} and its parent)`);
  };
  const stores = new Set<string>();
  const capture: { format: 'binance-capture' | 'cryptofeed'; instrument: string; files: string[] }[] = [];
  for (const s of sc.data.sources) {
    if (s.format === 'tickstore') {
      if (s.files.length !== 1) throw new HftError('HFT_ERR_CONFIG', `data source '${s.instrument}': format 'tickstore' takes exactly one directory in files`);
      stores.add(resolveFile(s.files[0]!));
    } else capture.push({ format: s.format, instrument: s.instrument, files: s.files.map(resolveFile) });
  }
  if (stores.size > 0 && capture.length > 0) throw new HftError('HFT_ERR_CONFIG', 'data.sources: mix tick-store and capture sources in one scenario is not supported yet; import the captures with `hft import` first');
  if (stores.size > 1) throw new HftError('HFT_ERR_CONFIG', 'data.sources: every tickstore source must name the same tick store directory');
  const ids = sc.data.sources.map((s) => s.instrument);
  if (stores.size === 1) return { store: openTickStore([...stores][0]!), instrumentIds: ids, imported: false };

  const key = createHash('sha256');
  for (const c of capture) {
    key.update(`${c.format}\n${c.instrument}\n`);
    for (const f of c.files) key.update(`${await fileSha256(f)}\n`);
  }
  const dir = resolve(cwd, ticksDir, key.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'manifest.json'))) return { store: openTickStore(dir), instrumentIds: ids, imported: false };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`importing ${capture.reduce((n, c) => n + c.files.length, 0)} capture file(s) into the tick store ${dir} (once)`);
  const rows: Record<string, number> = {};
  for (const format of ['binance-capture', 'cryptofeed'] as const) {
    const files = [...new Set(capture.filter((c) => c.format === format).flatMap((c) => c.files))];
    if (files.length === 0) continue;
    const report = await runImport(format, files, { out: tmp });
    for (const [id, n] of Object.entries(report.rows)) rows[id] = (rows[id] ?? 0) + n;
  }
  const report = { rows };
  for (const id of ids) if (!report.rows[id]) throw new HftError('HFT_ERR_CONFIG', `data source '${id}': the capture files hold no rows for this instrument (found: ${Object.keys(report.rows).join(', ')})`);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another process (a sweep worker) imported the same captures first: its store is identical.
    if (!existsSync(join(dir, 'manifest.json'))) throw e;
    rmSync(tmp, { recursive: true, force: true });
    return { store: openTickStore(dir), instrumentIds: ids, imported: false };
  }
  return { store: openTickStore(dir), instrumentIds: ids, imported: true };
}

/** The scenario's market stream: its instruments, in source order, within its time window. */
export function openMarketStream(sc: Scenario, data: PreparedData): TickStream {
  const fromUs = sc.data.from !== undefined ? usFromIso(sc.data.from) : undefined;
  const toUs = sc.data.to !== undefined ? usFromIso(sc.data.to) : undefined;
  if (Number.isNaN(fromUs) || Number.isNaN(toUs)) throw new HftError('HFT_ERR_CONFIG', `data.from/data.to: expected ISO-8601 times or integer µs, got '${sc.data.from}' / '${sc.data.to}'`);
  return data.store.read({ instruments: data.instrumentIds, ...(fromUs !== undefined ? { fromUs } : {}), ...(toUs !== undefined ? { toUs } : {}) });
}
