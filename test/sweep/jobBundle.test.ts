/**
 * The bundle of the job code that forked job processes run (jobBundle.ts): built once per source
 * version, reused after, its modules seeing their source files' own paths; HFT_JOB_BUNDLE=0 keeps the
 * TypeScript sources. That a job process runs it and a sweep's results stay those of sequential
 * backtests is test/sweep/workers.int.test.ts and localSweep.int.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJobBundle, jobProcessEntry } from '../../src/cli/sweep/jobBundle.ts';
import { WORKER_ENTRY } from '../../src/cli/sweep/jobProcesses.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const cache = mkdtempSync(join(tmpdir(), 'hft-job-bundle-'));
afterAll(() => { rmSync(cache, { recursive: true, force: true }); });

describe('bundle of the job code', () => {
  it('is built once for these sources and reused after', async () => {
    const entry = await buildJobBundle(cache);
    expect(entry.startsWith(cache)).toBe(true);
    expect(entry.endsWith('/jobMain.js')).toBe(true);
    const built = statSync(entry).mtimeMs;
    expect(await buildJobBundle(cache)).toBe(entry);
    expect(statSync(entry).mtimeMs).toBe(built);
    expect(readdirSync(cache)).toHaveLength(1);
  }, 60_000);

  it('keeps every module\'s own paths (import.meta replaced by its source file\'s) and leaves packages to node', async () => {
    const dir = dirname(await buildJobBundle(cache));
    const code = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(code).not.toContain('import.meta');
    // codeVersion.ts reads package.json two folders above its own file, not above the bundle.
    expect(code).toContain(JSON.stringify(join(ROOT, 'src/cli')));
    expect(code).toMatch(/from "pg-boss"/);
    expect(code).not.toMatch(/class PgBoss\b/);
  }, 60_000);

  it('is not used with HFT_JOB_BUNDLE=0: the job processes load the TypeScript sources', async () => {
    const lines: string[] = [];
    expect(await jobProcessEntry({ env: { HFT_JOB_BUNDLE: '0' }, err: (l) => { lines.push(l); } })).toBe(WORKER_ENTRY);
    expect(lines).toEqual([]);
  });
});
