/**
 * The tick store manifest, `<root>/manifest.json`: what a run records when it says which data it
 * consumed (path + sha256 + row range). Rewritten atomically (temp file + rename) after every file.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { HftError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { TICK_SCHEMA_VERSION } from './tickSchema.ts';

export interface ManifestFile {
  /** Relative to the store root: `<venue>/<symbol>/<yyyy-mm-dd>.parquet`. */
  readonly path: string;
  readonly day: string;
  readonly rows: number;
  readonly tsRecvMin: number;
  readonly tsRecvMax: number;
  readonly sha256: string;
  readonly bytes: number;
  readonly instrument: InstrumentSpec;
}

export interface Manifest {
  readonly schemaVersion: number;
  readonly files: readonly ManifestFile[];
}

const SPEC_FIELDS = ['id', 'venue', 'symbol', 'kind', 'base', 'quote', 'settle', 'tickSize', 'lotSize', 'contractMultiplier', 'makerFeeRate', 'takerFeeRate'] as const;

/** The serializable InstrumentSpec fields only (an Instrument also carries Increment objects). */
export function plainSpec(spec: InstrumentSpec): InstrumentSpec {
  const out: Record<string, string> = {};
  for (const k of SPEC_FIELDS) out[k] = spec[k];
  return out as unknown as InstrumentSpec;
}

export const MANIFEST_NAME = 'manifest.json';

export function loadManifest(root: string): Manifest {
  const path = join(root, MANIFEST_NAME);
  if (!existsSync(path)) return { schemaVersion: TICK_SCHEMA_VERSION, files: [] };
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${path}: not valid JSON (${(e as Error).message})`, { path }, { cause: e });
  }
  if (typeof m.schemaVersion !== 'number' || !Array.isArray(m.files)) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: field 'schemaVersion' or 'files' missing`, { path });
  if (m.schemaVersion > TICK_SCHEMA_VERSION) throw new HftError('HFT_ERR_CONFIG', `${path}: schema version ${m.schemaVersion} is newer than this reader (${TICK_SCHEMA_VERSION})`, { path });
  return m;
}

export function saveManifest(root: string, m: Manifest): void {
  const path = join(root, MANIFEST_NAME);
  const tmp = `${path}.${process.pid}.tmp`;
  const files = [...m.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  writeFileSync(tmp, `${JSON.stringify({ schemaVersion: m.schemaVersion, files }, null, 1)}\n`);
  const fd = openSync(tmp, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
}
