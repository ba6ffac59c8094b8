/**
 * Two real `hft worker` processes on the local PostgreSQL: every job of a sweep is done and counted
 * once, a worker SIGKILLed mid-job has that job finished by the other after pg-boss expires it, and
 * every result equals a sequential `backtestFromFile` of the same scenario into a fresh store (run id,
 * hash-chain head of the log, summary). The --local runner gives the same results with no server.
 * `hft worker --concurrency 2` runs the jobs in 2 child processes running the bundle of the job code
 * (jobBundle.ts) with the throughput flags, with the same results.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { SINGLE_THREADED_GC, YOUNG_GEN_FLAG } from '../../src/cli/sweep/jobProcesses.ts';
import { sweepScenarioPath } from '../../src/cli/sweep/runSweepJob.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';
import { dropSchema, PG_URL, postgresReachable, uniqueSchema } from '../eventstore/postgresTestDb.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const HFT = join(ROOT, 'src/cli/hft.mjs');
// 3 spreads x 2 seeds on the first ~4 minutes of the shipped capture: a few seconds per backtest.
const GRID = ['--grid', 'strategies.0.params.halfSpreadTicks=0.5,1,2', '--grid', 'seed=1,2', '--grid', 'data.to=2024-08-08T23:58:00Z'];
const SCENARIO = 'scenarios/demo-mm-btcusdt.json';

interface Proc { child: ChildProcess; stdout: string; stderr: string; exit: Promise<number | null> }
function hft(args: string[]): Proc {
  const child = spawn(process.execPath, [HFT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { child, stdout: '', stderr: '', exit: new Promise((r) => child.on('exit', (code) => r(code))) };
  child.stdout!.on('data', (b: Buffer) => { p.stdout += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { p.stderr += b.toString(); });
  return p;
}
async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };

/** Child processes of `pid` with their command lines (from /proc). */
function childrenOf(pid: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      out.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean));
    } catch { /* exited while we looked */ }
  }
  return out;
}

const reachable = await postgresReachable();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c().catch(() => {}); });

interface Row { combination: string; combination_index: number; run_id: string; head_hash: string; summary: Record<string, unknown>; worker: string; attempt: number; store_uri: string }

describe.skipIf(!reachable)('sweeps on PostgreSQL with real worker processes', () => {
  it('two workers finish every job once, the SIGKILLed worker\'s job included, with results equal to sequential runs', async () => {
    const schema = uniqueSchema('sweep');
    cleanups.push(() => dropSchema(schema), () => dropSchema(`${schema}_boss`));
    const url = `${PG_URL}?schema=${schema}`;
    const storeRoot = await mkdtemp(join(tmpdir(), 'hft-sweep-'));
    cleanups.push(() => rm(storeRoot, { recursive: true, force: true }));

    const enq = hft(['sweep', SCENARIO, ...GRID, '--pg', url, '--store', `file:${storeRoot}`, '--job-timeout', '20', '--json']);
    expect(await enq.exit, enq.stderr).toBe(0);
    const plan = JSON.parse(enq.stdout) as { sweepId: string; combinations: number; enqueued: number };
    expect(plan).toMatchObject({ combinations: 6, enqueued: 6 });
    cleanups.push(() => rm(join(ROOT, '.hft/sweeps', plan.sweepId), { recursive: true, force: true }));

    const workerArgs = ['worker', '--pg', url, '--exit-when-idle', '--sweep', plan.sweepId, '--maintenance-seconds', '1', '--poll-ms', '200'];
    const a = hft(workerArgs);
    const b = hft(workerArgs);
    try {
      // Kill A the moment it has taken a job: the job is active in the queue with no one running it.
      await until('worker A to start a job', 120_000, () => /attempt 0 started/.test(a.stderr));
      a.child.kill('SIGKILL');
      const killedIndex = Number(/job sw[0-9a-f]+#(\d+) /.exec(a.stderr)![1]);
      expect(await a.exit).toBeNull();
      expect(a.stderr).not.toMatch(/done: run/);
      expect(await Promise.race([b.exit, new Promise((r) => setTimeout(() => r('timeout'), 240_000))]), b.stderr).toBe(0);

      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const rows = (await c.query(`SELECT * FROM "${schema}".sweep_results WHERE sweep_id = $1 ORDER BY combination_index`, [plan.sweepId])).rows as Row[];
        expect(rows.map((r) => r.combination_index)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(new Set(rows.map((r) => r.combination)).size).toBe(6);
        const bPid = String(b.child.pid);
        for (const r of rows) expect(r.worker.endsWith(`:${bPid}`)).toBe(true);
        const retried = rows.find((r) => r.combination_index === killedIndex)!;
        expect(retried.attempt).toBe(1); // pg-boss counted the killed attempt
        const jobs = (await c.query(`SELECT state, count(*)::int AS n FROM "${schema}_boss".job WHERE name = 'hft-sweep' GROUP BY state`)).rows;
        expect(jobs).toEqual([{ state: 'completed', n: 6 }]);
        // B ran each job once: nothing was counted twice or run as a duplicate.
        expect(b.stderr.match(/done: run r[0-9a-f]+ counted/g)).toHaveLength(6);
        expect(b.stderr).not.toMatch(/already counted by an earlier attempt/);
        expect(b.stderr).toContain('6 job(s), 6 counted, 0 already counted, 0 failed');

        // Sequential reference: the same patched scenarios run one after another into fresh stores.
        for (const r of rows) {
          const dir = join(storeRoot, 'sequential', String(r.combination_index));
          const seq = await backtestFromFile({ scenarioPath: sweepScenarioPath(plan.sweepId, r.combination_index), storeUri: `file:${dir}`, ticksDir: '.hft/ticks', fsync: 'never' }, io);
          expect(r.run_id).toBe(seq.runId);
          expect(r.head_hash).toBe((await verifyStore(dir)).headHash);
          expect(r.summary).toEqual(JSON.parse(JSON.stringify(seq.summary)));
        }
        // Different parameters gave different runs; equal seeds with equal spreads did not collide.
        expect(new Set(rows.map((r) => r.run_id)).size).toBe(6);

        // Enqueueing the same sweep again adds nothing: every combination has its result.
        const again = hft(['sweep', SCENARIO, ...GRID, '--pg', url, '--store', `file:${storeRoot}`, '--job-timeout', '20', '--json']);
        expect(await again.exit, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({ sweepId: plan.sweepId, enqueued: 0 });

        const rep = hft(['sweep', 'report', plan.sweepId, '--by', 'netPnl', '--pg', url, '--json']);
        expect(await rep.exit, rep.stderr).toBe(0);
        const ranked = (JSON.parse(rep.stdout) as { ranked: { rank: number; value: string; runId: string }[]; done: number; total: number });
        expect(ranked.done).toBe(6);
        expect(ranked.total).toBe(6);
        const byHand = rows.map((r) => ({ runId: r.run_id, pnl: Number((r.summary.equityByCurrency as { netPnl: string }[])[0]!.netPnl) })).sort((x, y) => y.pnl - x.pnl);
        expect(ranked.ranked.map((x) => x.runId)).toEqual(byHand.map((x) => x.runId));
      } finally { await c.end(); }
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  }, 400_000);

  it('--concurrency 2 runs the jobs in 2 worker-only processes with the throughput flags, each job once, results equal to sequential runs', async () => {
    const schema = uniqueSchema('sweepc');
    cleanups.push(() => dropSchema(schema), () => dropSchema(`${schema}_boss`));
    const url = `${PG_URL}?schema=${schema}`;
    const storeRoot = await mkdtemp(join(tmpdir(), 'hft-sweepc-'));
    cleanups.push(() => rm(storeRoot, { recursive: true, force: true }));
    const grid = ['--grid', 'strategies.0.params.halfSpreadTicks=1,2', '--grid', 'seed=3,4', '--grid', 'data.to=2024-08-08T23:56:00Z'];
    const enq = hft(['sweep', SCENARIO, ...grid, '--pg', url, '--store', `file:${storeRoot}`, '--json']);
    expect(await enq.exit, enq.stderr).toBe(0);
    const plan = JSON.parse(enq.stdout) as { sweepId: string; enqueued: number };
    expect(plan.enqueued).toBe(4);
    cleanups.push(() => rm(join(ROOT, '.hft/sweeps', plan.sweepId), { recursive: true, force: true }));

    const w = hft(['worker', '--pg', url, '--concurrency', '2', '--exit-when-idle', '--sweep', plan.sweepId, '--poll-ms', '200']);
    const children = new Map<number, string[]>();
    let exited = false;
    void w.exit.then(() => { exited = true; });
    try {
      while (!exited) {
        // Node children only: the TypeScript loader may start an esbuild service process too.
        for (const [pid, cmd] of childrenOf(w.child.pid!)) if (cmd[0] === process.execPath) children.set(pid, cmd);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await w.exit, w.stderr).toBe(0);
    } finally { w.child.kill('SIGKILL'); }

    const cores = availableParallelism();
    expect(w.stderr).toContain(`worker: 2 job process(es) on ${cores} core(s)`);
    expect(children.size).toBe(2);
    for (const cmd of children.values()) {
      // The bundle of the job code (jobBundle.ts), not the whole CLI.
      expect(cmd.some((a) => /node_modules\/\.cache\/hft-job-bundle\/[0-9a-f]{16}\/jobMain\.js$/.test(a)), cmd.join(' ')).toBe(true);
      expect(cmd).toContain(YOUNG_GEN_FLAG);
      expect(cmd.includes(SINGLE_THREADED_GC)).toBe(cores <= 2);
    }
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const rows = (await c.query(`SELECT * FROM "${schema}".sweep_results WHERE sweep_id = $1 ORDER BY combination_index`, [plan.sweepId])).rows as Row[];
      expect(rows.map((r) => r.combination_index)).toEqual([0, 1, 2, 3]);
      for (const r of rows) expect(children.has(Number(r.worker.split(':').pop()))).toBe(true);
      const jobs = (await c.query(`SELECT state, count(*)::int AS n FROM "${schema}_boss".job WHERE name = 'hft-sweep' GROUP BY state`)).rows;
      expect(jobs).toEqual([{ state: 'completed', n: 4 }]);
      // Each job logged once, with its wall and CPU time.
      expect(w.stderr.match(/done: run r[0-9a-f]+ counted \(wall [\d.]+ s, CPU [\d.]+ s = [\d.]+ cores\)/g)).toHaveLength(4);
      for (const r of rows) {
        const dir = join(storeRoot, 'sequential', String(r.combination_index));
        const seq = await backtestFromFile({ scenarioPath: sweepScenarioPath(plan.sweepId, r.combination_index), storeUri: `file:${dir}`, ticksDir: '.hft/ticks', fsync: 'never' }, io);
        expect(r.run_id).toBe(seq.runId);
        expect(r.head_hash).toBe((await verifyStore(dir)).headHash);
        expect(r.summary).toEqual(JSON.parse(JSON.stringify(seq.summary)));
      }
    } finally { await c.end(); }
  }, 400_000);
});
