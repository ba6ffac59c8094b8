/**
 * The code version recorded in `run.started`: the package version. Deliberately not a hash of the
 * source tree: the run log (and so its head hash, which golden tests pin) must change when behaviour
 * changes, not when a comment does. Replay compares every output event, which is what catches a
 * behaviour change; bump the version when a release changes results.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
let cached: string | undefined;

export function codeVersion(): string {
  if (cached === undefined) cached = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
