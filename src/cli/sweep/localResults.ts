/**
 * `--local` sweeps keep their results in `<sweep dir>/results.jsonl` instead of PostgreSQL: one JSON
 * line per counted combination, written only by the parent process, so it never holds one twice.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import type { SweepResultRecord } from './SweepDb.ts';
import { SWEEP_DIR } from './sweepPaths.ts';

export const localResultsPath = (cwd: string, sweepId: string): string => resolve(cwd, join(SWEEP_DIR, sweepId, 'results.jsonl'));

export function appendLocalResult(path: string, r: SweepResultRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(r)}\n`);
}

export function readLocalResults(path: string): SweepResultRecord[] {
  if (!existsSync(path)) throw new HftError('HFT_ERR_NOT_FOUND', `no local sweep results at ${path} (a server sweep's report needs --pg <url>)`);
  const seen = new Set<string>();
  const out: SweepResultRecord[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r: SweepResultRecord;
    try { r = JSON.parse(line) as SweepResultRecord; } catch (e) {
      throw new HftError('HFT_ERR_BAD_INPUT', `${path}:${i + 1}: not a JSON result (${(e as Error).message})`);
    }
    // A rerun of the same local sweep appends again: the first result of a combination is the one.
    if (!seen.has(r.combination)) { seen.add(r.combination); out.push(r); }
  });
  return out.sort((a, b) => a.combinationIndex - b.combinationIndex);
}
