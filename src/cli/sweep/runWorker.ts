/**
 * One worker process: takes sweep jobs from the pg-boss queue one at a time (a backtest is CPU-bound,
 * so parallelism is processes, not promises), runs each, records the result once, completes the job.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isHftError } from '../../core/errors.ts';
import type { CliIO } from '../command.ts';
import { SweepDb } from './SweepDb.ts';
import { SweepQueue } from './SweepQueue.ts';

export interface WorkerOptions {
  readonly pgUrl: string;
  /** Exit once no job of the queue (or of `sweepId`) is created, waiting for a retry, or active. */
  readonly exitWhenIdle: boolean;
  readonly sweepId?: string;
  readonly pollMs?: number;
  readonly maintenanceIntervalSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface WorkerStats { readonly jobs: number; readonly counted: number; readonly duplicates: number; readonly failed: number }

export const workerName = (): string => `${hostname()}:${process.pid}`;

export async function runWorker(o: WorkerOptions, io: CliIO): Promise<WorkerStats> {
  const name = workerName();
  // Start-up is serial time of every sweep: the job code (the backtest's modules: CPU) loads while the
  // database and the queue connect (network round trips), and those two connect at once.
  const jobCode = import('./runSweepJob.ts');
  const [dbOpen, queueOpen, loaded] = await Promise.allSettled([
    SweepDb.open(o.pgUrl), SweepQueue.open(o.pgUrl, { ...(o.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: o.maintenanceIntervalSeconds } : {}) }), jobCode]);
  if (dbOpen.status === 'rejected' || queueOpen.status === 'rejected' || loaded.status === 'rejected') {
    if (dbOpen.status === 'fulfilled') await dbOpen.value.close().catch(() => {});
    if (queueOpen.status === 'fulfilled') await queueOpen.value.close().catch(() => {});
    throw [dbOpen, queueOpen, loaded].find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
  }
  const db = dbOpen.value; const queue = queueOpen.value; const { runSweepJob } = loaded.value;
  io.err(`worker ${name}: ready ${Math.round(performance.now())} ms after process start (${startupCpu()})`);
  let jobs = 0; let counted = 0; let duplicates = 0; let failed = 0;
  try {
    while (!o.signal?.aborted) {
      const job = await queue.fetch();
      if (!job) {
        if (o.exitWhenIdle && (await queue.pending(o.sweepId)) === 0) break;
        await sleep(o.pollMs ?? 500, o.signal);
        continue;
      }
      jobs++;
      const j = job.data;
      io.err(`worker ${name}: job ${j.sweepId}#${j.index} (${j.combination}) attempt ${job.retryCount} started`);
      try {
        const cost = jobCost();
        const r = await runSweepJob(j, job.retryCount, name, io);
        const spent = cost();
        const first = await db.insertResult(r);
        if (first) counted++; else duplicates++;
        await queue.complete(job.id);
        io.err(`worker ${name}: job ${j.sweepId}#${j.index} done: run ${r.runId} ${first ? 'counted' : 'already counted by an earlier attempt'} (${spent})`);
      } catch (e) {
        failed++;
        const msg = isHftError(e) ? e.message : (e as Error).stack ?? String(e);
        io.err(`worker ${name}: job ${j.sweepId}#${j.index} failed: ${msg}`);
        await queue.fail(job.id, msg);
      }
    }
  } finally {
    await queue.close().catch(() => {});
    await db.close().catch(() => {});
  }
  return { jobs, counted, duplicates, failed };
}

/**
 * Wall and CPU time of one job in this process (all its threads: V8's GC and compiler helpers
 * included), for the log: CPU / wall above 1 means the job used more than one core.
 */
export function jobCost(): () => string {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    return `wall ${wall.toFixed(2)} s, CPU ${cpu.toFixed(2)} s = ${(cpu / wall).toFixed(2)} cores`;
  };
}

/** CPU of this process so far: start-up's cost, for the log. */
function startupCpu(): string {
  const c = process.cpuUsage();
  return `CPU ${((c.user + c.system) / 1e6).toFixed(2)} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
