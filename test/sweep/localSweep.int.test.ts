/**
 * `hft sweep --local 2`: two forked worker processes, no server. A child SIGKILLed mid-job has its
 * job handed on; every combination is recorded once and equals a sequential run of its scenario.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { localResultsPath } from '../../src/cli/sweep/localResults.ts';
import { sweepScenarioPath } from '../../src/cli/sweep/runSweepJob.ts';
import type { SweepResultRecord } from '../../src/cli/sweep/SweepDb.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };
const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe('local sweep with forked workers', () => {
  it('survives a SIGKILLed child: 4 combinations, each recorded once, equal to sequential runs', async () => {
    const storeRoot = await mkdtemp(join(tmpdir(), 'hft-local-sweep-'));
    dirs.push(storeRoot);
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/hft.mjs'), 'sweep', 'scenarios/demo-mm-btcusdt.json',
      '--grid', 'strategies.0.params.requoteThresholdTicks=1,2', '--grid', 'seed=5,6', '--grid', 'data.to=2024-08-08T23:57:30Z',
      '--local', '2', '--store', `file:${storeRoot}`, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed: { pid: number; index: number } | undefined;
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const m = /local worker (\d+): job sw[0-9a-f]+#(\d+) attempt 0 started/.exec(stderr);
      if (m && !killed) {
        killed = { pid: Number(m[1]), index: Number(m[2]) };
        process.kill(killed.pid, 'SIGKILL');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(0);
    expect(killed).toBeDefined();
    expect(stderr).toContain(`local worker ${killed!.pid} died (SIGKILL) during job #${killed!.index}: handing it on`);
    const out = JSON.parse(stdout) as { sweepId: string; results: SweepResultRecord[]; failed: unknown[] };
    dirs.push(join(ROOT, '.hft/sweeps', out.sweepId));
    expect(out.failed).toEqual([]);
    expect(out.results.map((r) => r.combinationIndex)).toEqual([0, 1, 2, 3]);
    expect(out.results.find((r) => r.combinationIndex === killed!.index)!.attempt).toBe(1);
    // The results file holds each combination once.
    const lines = readFileSync(localResultsPath(ROOT, out.sweepId), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const r of out.results) {
      const dir = join(storeRoot, 'sequential', String(r.combinationIndex));
      const seq = await backtestFromFile({ scenarioPath: sweepScenarioPath(out.sweepId, r.combinationIndex), storeUri: `file:${dir}`, ticksDir: '.hft/ticks', fsync: 'never' }, io);
      expect(r.runId).toBe(seq.runId);
      expect(r.headHash).toBe((await verifyStore(dir)).headHash);
      expect(r.summary).toEqual(JSON.parse(JSON.stringify(seq.summary)));
    }
  }, 300_000);
});
