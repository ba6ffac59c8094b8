/**
 * `hft sweep --local N`: the same jobs as a server sweep, run by N forked worker processes with this
 * process as the queue. A child that dies mid-job has its job handed to another (a fresh child when
 * none is left), up to `retryLimit` retries; a combination's result is recorded once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { CliIO } from '../command.ts';
import type { SweepResultRecord } from './SweepDb.ts';
import type { ToChild, ToParent } from './ipcWorker.ts';
import { jobProcessEntry } from './jobBundle.ts';
import { describeJobProcesses, planJobProcesses } from './jobProcesses.ts';
import { appendLocalResult, localResultsPath } from './localResults.ts';
import type { SweepPlan, SweepJob } from './planSweep.ts';

export interface LocalSweepResult { readonly results: SweepResultRecord[]; readonly failed: { index: number; message: string }[]; readonly resultsPath: string }

export async function runLocalSweep(plan: SweepPlan, workers: number, retryLimit: number, io: CliIO): Promise<LocalSweepResult> {
  const resultsPath = localResultsPath(io.cwd, plan.sweepId);
  const pending: { job: SweepJob; attempt: number }[] = plan.jobs.map((job) => ({ job, attempt: 0 }));
  const results = new Map<string, SweepResultRecord>();
  const failed: { index: number; message: string }[] = [];
  const busy = new Map<ChildProcess, { job: SweepJob; attempt: number }>();
  const children = new Set<ChildProcess>();
  /** Children that said 'ready' and got nothing yet (a message sent before that could be lost). */
  const idle = new Set<ChildProcess>();
  const total = plan.jobs.length;
  const processes = planJobProcesses(Math.min(workers, total));
  const entry = total === 0 ? '' : await jobProcessEntry(io);

  return new Promise((resolve) => {
    let done = false;
    const finished = (): boolean => results.size + failed.length >= total;
    const finish = (): void => {
      if (done) return;
      done = true;
      for (const c of children) c.send({ type: 'stop' } satisfies ToChild);
      resolve({ results: [...results.values()].sort((a, b) => a.combinationIndex - b.combinationIndex), failed, resultsPath });
    };
    const retryOrFail = (t: { job: SweepJob; attempt: number }, why: string): void => {
      if (t.attempt < retryLimit) pending.push({ job: t.job, attempt: t.attempt + 1 });
      else failed.push({ index: t.job.index, message: why });
    };
    const give = (c: ChildProcess): void => {
      const next = pending.shift();
      if (!next) { idle.add(c); return; }
      idle.delete(c);
      busy.set(c, next);
      c.send({ type: 'job', job: next.job, attempt: next.attempt } satisfies ToChild);
    };
    const spawn = (): void => {
      const c = fork(entry, ['--ipc'], { cwd: io.cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...processes.execArgv] });
      children.add(c);
      c.on('message', (m: ToParent) => {
        if (m.type === 'ready') { if (!finished()) give(c); return; }
        if (m.type === 'started') { io.err(`local worker ${c.pid}: job ${plan.sweepId}#${m.index} attempt ${m.attempt} started`); return; }
        const t = busy.get(c);
        busy.delete(c);
        if (m.type === 'result') {
          if (!results.has(m.result.combination)) {
            results.set(m.result.combination, m.result);
            appendLocalResult(resultsPath, m.result);
          }
        } else if (t) retryOrFail(t, m.message);
        if (finished()) finish();
      });
      c.on('exit', (code, signal) => {
        children.delete(c);
        idle.delete(c);
        const t = busy.get(c);
        busy.delete(c);
        if (t) {
          io.err(`local worker ${c.pid} died (${signal ?? `exit ${code}`}) during job #${t.job.index}: handing it on`);
          retryOrFail(t, `worker died (${signal ?? `exit ${code}`})`);
        }
        if (finished()) { finish(); return; }
        // Idle children get the handed-on job; with none idle, a fresh child takes it.
        for (const w of [...idle]) if (pending.length > 0) give(w);
        if (pending.length > 0) spawn();
      });
    };
    if (total === 0) { finish(); return; }
    io.err(`local sweep: ${describeJobProcesses(processes)}`);
    for (let i = 0; i < Math.min(workers, total); i++) spawn();
  });
}
