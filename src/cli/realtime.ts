/**
 * `hft live --rt-priority N`: the process's main thread (the tick-to-order path: feed, kernel, order
 * entry) under the real-time policy SCHED_FIFO at priority N, through util-linux `chrt` (Node has no
 * sched_setscheduler). A runnable SCHED_FIFO thread takes a CPU from any ordinary thread at once,
 * so a market message is handled when it arrives instead of after another process's time slice: on
 * a shared 2-vCPU machine that wait was the whole p99 of tick-to-order (bench/live `--rt`). Only the
 * main thread, with SCHED_RESET_ON_FORK: V8's GC and compiler helpers, libuv's pool (created later, from
 * the main thread) and child processes stay ordinary, and the kernel's real-time throttling
 * (sched_rt_runtime_us) keeps 5% of every second for everything else.
 * Linux only; needs root or CAP_SYS_NICE (or an `rtprio` limit in /etc/security/limits.conf).
 */
import { spawnSync } from 'node:child_process';
import { HftError } from '../core/errors.ts';

/** What `chrt` answered, for the session's stderr line. */
export interface RealtimeResult { readonly pid: number; readonly policy: string; readonly priority: number }

type Run = (cmd: string, args: readonly string[]) => { status: number | null; stdout: string; stderr: string; error?: Error };
const run: Run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });

export function parseRtPriority(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 99) throw new HftError('HFT_ERR_USAGE', `--rt-priority: expected a SCHED_FIFO priority from 1 to 99, got '${text}'`);
  return Number(text);
}

/** Puts thread `pid` (default: this process's main thread, whose id is the pid) under SCHED_FIFO `priority`, and checks it took. */
export function setRealtimePriority(priority: number, pid: number = process.pid, exec: Run = run): RealtimeResult {
  if (!Number.isInteger(priority) || priority < 1 || priority > 99) throw new HftError('HFT_ERR_USAGE', `--rt-priority: expected a SCHED_FIFO priority from 1 to 99, got ${priority}`);
  const set = exec('chrt', ['-R', '-f', '-p', String(priority), String(pid)]);
  if (set.error) throw new HftError('HFT_ERR_CONFIG', `--rt-priority: cannot run chrt (util-linux): ${set.error.message}`);
  if (set.status !== 0) {
    const why = set.stderr.trim();
    throw new HftError('HFT_ERR_CONFIG', `--rt-priority ${priority}: chrt -R -f -p ${priority} ${pid} failed (exit ${set.status}${why ? `: ${why}` : ''}); SCHED_FIFO needs root or CAP_SYS_NICE (or an rtprio limit)`);
  }
  const got = exec('chrt', ['-p', String(pid)]);
  const policy = /policy:\s*(\S+)/.exec(got.stdout)?.[1];
  const prio = Number(/priority:\s*(\d+)/.exec(got.stdout)?.[1]);
  if (got.status !== 0 || policy !== 'SCHED_FIFO|SCHED_RESET_ON_FORK' || prio !== priority) {
    throw new HftError('HFT_ERR_CONFIG', `--rt-priority ${priority}: thread ${pid} is ${policy ?? '(unknown policy)'} ${Number.isNaN(prio) ? '' : `priority ${prio}`} after chrt (${got.stdout.trim() || got.stderr.trim()})`);
  }
  return { pid, policy, priority: prio };
}
