/**
 * `hft worker` is started once per job process of a sweep (and `--concurrency N` starts a supervisor
 * first): its start-up is serial time of every sweep (bench/sweep). The CLI loads a verb's module only
 * when that verb runs, and the worker loads the job code only in a process that runs jobs, so the
 * supervisor does not pay for the exchange client, the servers, the job queue or the engine.
 * Checked in a fresh node process: the CommonJS packages it has loaded after `hft <verb> --help`.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TICKS_DIR } from '../../src/cli/commands/backtest.ts';
import { SWEEP_DEFAULT_TICKS_DIR } from '../../src/cli/sweep/sweepPaths.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Packages (node_modules/<name>) loaded through require by `main(argv)` in a fresh process. */
function packagesLoadedBy(argv: readonly string[]): string[] {
  const script = `
    import Module from 'node:module';
    const { main } = await import('./src/cli/main.ts');
    await main(${JSON.stringify(argv)}, { out: () => {}, err: () => {}, env: {}, cwd: process.cwd(), isTTY: false });
    const names = new Set(Object.keys(Module._cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean));
    console.log(JSON.stringify([...names].sort()));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

/** CommonJS (or with CommonJS parts): ESM-only packages do not show in Module._cache. */
const HEAVY = ['ccxt', 'fastify', 'pg-boss', 'pg', 'rxjs'];

describe('start-up of hft worker', () => {
  it('loads none of the packages other verbs and the job code need', () => {
    expect(packagesLoadedBy(['worker', '--help']).filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('hft sweep (the enqueueing or --local parent) loads neither the engine nor, before a --pg sweep, the queue', () => {
    expect(packagesLoadedBy(['sweep', '--help']).filter((p) => HEAVY.includes(p))).toEqual([]);
    // The tick store default it shows without loading hft backtest is hft backtest's.
    expect(SWEEP_DEFAULT_TICKS_DIR).toBe(DEFAULT_TICKS_DIR);
  });

  it('sees them when they are loaded (the check can fail): `hft --help` loads every verb for its summary', () => {
    // pg-boss is the exception: only a worker running jobs and a --pg sweep load it, at run time.
    expect(packagesLoadedBy(['--help'])).toEqual(expect.arrayContaining(HEAVY.filter((p) => p !== 'pg-boss')));
  });
});
