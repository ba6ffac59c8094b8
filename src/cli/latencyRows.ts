/**
 * Reads a recorded latency table (`hft latency-profile` output: header `requestUs,venueUs,responseUs`,
 * µs since the epoch) for scenarios whose venue latency model is `recorded`. A bad line fails naming
 * the file and line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { HftError } from '../core/errors.ts';
import { sha256Hex } from '../core/ids.ts';
import type { LatencyRow } from '../sim/InterpolatedLatency.ts';

export const LATENCY_HEADER = 'requestUs,venueUs,responseUs';

export function readLatencyRows(file: string, scenarioDir: string, cwd: string): { rows: LatencyRow[]; sha256: string } {
  const path = isAbsolute(file) ? file : [resolve(cwd, file), resolve(scenarioDir, file)].find(existsSync);
  if (path === undefined || !existsSync(path)) throw new HftError('HFT_ERR_NOT_FOUND', `venue.latency.file '${file}' not found (looked in ${cwd} and ${scenarioDir})`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[0]?.trim() !== LATENCY_HEADER) throw new HftError('HFT_ERR_BAD_INPUT', `${path}:1: expected the header '${LATENCY_HEADER}', got '${lines[0] ?? ''}'`);
  const rows: LatencyRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const parts = line.split(',');
    const nums = parts.map(Number);
    if (parts.length !== 3 || nums.some((x) => !Number.isSafeInteger(x))) throw new HftError('HFT_ERR_BAD_INPUT', `${path}:${i + 1}: expected three integer µs values 'requestUs,venueUs,responseUs', got '${line}'`);
    rows.push({ requestUs: nums[0]!, venueUs: nums[1]!, responseUs: nums[2]! });
  }
  if (rows.length === 0) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: no latency rows`);
  return { rows, sha256: sha256Hex(text) };
}
