/**
 * Everything `hft sweep` decides before it enqueues: the grid's combinations, each one's patched
 * scenario (validated now, so a bad value fails here with its grid key and not later on a worker),
 * and a sweep id derived from the definition (same scenario, grid and store = same sweep).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { canonicalJson, sha256Hex } from '../../core/ids.ts';
import { parseScenario } from '../../engine/scenario.ts';
import { expandGrid } from '../../engine/sweep/expandGrid.ts';
import { parseGridAxis, type GridAxis } from '../../engine/sweep/parseGridAxis.ts';
import { patchScenario } from '../../engine/sweep/patchScenario.ts';
import { parseStoreUri } from '../store.ts';

/** What a worker needs to run one combination, on any machine with the same data layout. */
export interface SweepJob {
  readonly sweepId: string;
  readonly index: number;
  readonly combination: string;
  readonly params: Readonly<Record<string, string>>;
  /** The patched scenario JSON, data paths relative to the worker's working directory. */
  readonly scenario: Readonly<Record<string, unknown>>;
  /** `file:<root>`: one fresh store per job attempt under root; any other URI: the one shared store. */
  readonly storeUri: string;
  readonly ticksDir: string;
  readonly fsync: 'always' | 'never';
}

export interface SweepPlan {
  readonly sweepId: string;
  readonly scenarioPath: string;
  readonly axes: readonly GridAxis[];
  readonly jobs: readonly SweepJob[];
}

export interface PlanSweepOptions {
  readonly scenarioPath: string;
  readonly grid: readonly string[];
  readonly storeUri: string;
  readonly ticksDir: string;
  readonly fsync: 'always' | 'never';
  readonly cwd: string;
}

export function planSweep(o: PlanSweepOptions): SweepPlan {
  const abs = resolve(o.cwd, o.scenarioPath);
  let json: Record<string, unknown>;
  try { json = JSON.parse(readFileSync(abs, 'utf8')) as Record<string, unknown>; } catch (e) {
    throw new HftError('HFT_ERR_CONFIG', `scenario file ${abs}: ${(e as Error).message}`);
  }
  parseStoreUri(o.storeUri, o.cwd); // fail on a bad URI before anything is enqueued
  const base = rebaseDataFiles(json, dirname(abs), o.cwd);
  const axes = o.grid.map(parseGridAxis);
  const combos = expandGrid(axes);
  const source = relative(o.cwd, abs) || abs;
  const scenarios = combos.map((c) => {
    const s = patchScenario(base, c, source);
    parseScenario(s, `${source} with ${c.key}`);
    return s;
  });
  const sweepId = `sw${sha256Hex(canonicalJson({ scenario: base, grid: axes.map((a) => [a.key, a.values]), store: o.storeUri })).slice(0, 12)}`;
  return {
    sweepId, scenarioPath: source, axes,
    jobs: combos.map((c, i) => ({
      sweepId, index: c.index, combination: c.key, params: c.values, scenario: scenarios[i]!,
      storeUri: o.storeUri, ticksDir: o.ticksDir, fsync: o.fsync,
    })),
  };
}

/**
 * The patched scenario is written under the sweep directory, not beside the original, so data paths
 * that only resolve from the original's folder are rewritten relative to the working directory (the
 * loader tries the cwd first). Paths that already resolve from the cwd stay as written, which keeps
 * the config hash, and so the run id, equal to the original scenario's when no value changed.
 */
function rebaseDataFiles(json: Record<string, unknown>, scenarioDir: string, cwd: string): Record<string, unknown> {
  const copy = structuredClone(json);
  const sources = (copy.data as { sources?: { files?: unknown }[] } | undefined)?.sources;
  if (!Array.isArray(sources)) return copy;
  for (const s of sources) {
    if (!Array.isArray(s.files)) continue;
    s.files = s.files.map((f: unknown) => {
      if (typeof f !== 'string' || isAbsolute(f) || existsSync(resolve(cwd, f))) return f;
      for (const b of [scenarioDir, resolve(scenarioDir, '..')]) {
        const p = resolve(b, f);
        if (existsSync(p)) return relative(cwd, p);
      }
      return f; // the loader names the missing file when the job runs
    });
  }
  return copy;
}
