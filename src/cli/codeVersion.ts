/**
 * The code version recorded in `run.started`: package version plus a hash of the source tree, so a
 * replay can tell whether it runs the same code as the run it checks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { sha256Hex } from '../core/ids.ts';

const ROOT = resolve(import.meta.dirname, '../..');

let cached: string | undefined;

/** Computed once per process: every run of a process records the code that process loaded. */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p); else if (/\.(ts|mjs)$/.test(name)) files.push(p);
    }
  };
  walk(join(ROOT, 'src'));
  const h = sha256Hex(files.map((f) => `${relative(ROOT, f)}\n${readFileSync(f, 'utf8')}`).join('\n'));
  cached = `${pkg.version}+src.${h.slice(0, 12)}`;
  return cached;
}
