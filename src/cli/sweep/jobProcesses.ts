/**
 * How a worker host starts the processes that run sweep jobs (`hft worker --concurrency N`, `hft sweep
 * --local N`), sized for throughput: N processes, one job each at a time, on a machine with C cores.
 *
 * - Entry: the `hft worker` command alone (jobMain.ts), not the whole CLI, from a bundle of the job
 *   code (jobBundle.ts: ~0.9 s start-up CPU instead of 2.2-2.6 s through tsx), or with
 *   HFT_JOB_BUNDLE=0 from the sources through tsx (`workerEntry.mjs`).
 * - V8 flags: the parent's own flags, plus the backtest's 64 MB young generation if the parent was
 *   started without it (`node hft.mjs` instead of the `hft` launcher), plus `--single-threaded-gc`
 *   when N >= C. A backtest allocates a lot of short-lived objects; V8's parallel scavenger and
 *   concurrent marker then run on helper threads, so one job alone takes ~1.1-1.2 cores. With a spare
 *   core that is free speed; with every core running a job it only takes CPU from the other jobs
 *   (bench/sweep/jobCpu.ts: the same job's total CPU is lower with the GC on its own thread).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const WORKER_ENTRY = fileURLToPath(new URL('./workerEntry.mjs', import.meta.url));

/** The young-generation size the `hft` launcher (src/cli/hft.mjs) runs every command with. */
export const YOUNG_GEN_FLAG = '--max-semi-space-size=64';
export const SINGLE_THREADED_GC = '--single-threaded-gc';

export interface JobProcessPlan {
  readonly processes: number;
  readonly cores: number;
  /** Node flags of each job process. */
  readonly execArgv: readonly string[];
}

export interface JobProcessOptions {
  /** Keep V8's parallel and concurrent GC even when the jobs fill every core (`hft worker --parallel-gc`). */
  readonly parallelGc?: boolean;
}

/** Node flags for each of `processes` job processes on `cores` cores, from the parent's `inherited` flags. */
export function jobProcessExecArgv(processes: number, cores: number, inherited: readonly string[], o: JobProcessOptions = {}): string[] {
  const out = inherited.filter((a) => a !== SINGLE_THREADED_GC);
  if (!out.some((a) => a.startsWith('--max-semi-space-size'))) out.push(YOUNG_GEN_FLAG);
  if (processes >= cores && !o.parallelGc) out.push(SINGLE_THREADED_GC);
  return out;
}

export function planJobProcesses(processes: number, o: JobProcessOptions = {}, cores = availableParallelism(), inherited: readonly string[] = process.execArgv): JobProcessPlan {
  return { processes, cores, execArgv: jobProcessExecArgv(processes, cores, inherited, o) };
}

/** One line for the log: how the job processes were started. */
export const describeJobProcesses = (p: JobProcessPlan): string =>
  `${p.processes} job process(es) on ${p.cores} core(s), node ${p.execArgv.filter((a) => a.startsWith('--') && !a.startsWith('--import') && !a.startsWith('--require') && !a.startsWith('--loader')).join(' ') || '(no flags)'}`;
