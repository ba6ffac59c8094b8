/**
 * Where one process's CPU goes, by thread: runs a command, samples /proc/<pid>/task/<tid>/stat of it
 * and of its child processes every 20 ms, and prints user + system seconds per thread name (V8's
 * `V8 DefaultWorke` GC/compiler helpers, libuv's `libuv-worker` file-system pool, DuckDB's own
 * threads, the main `node` thread) beside the wall time. A thread's last sample before it exits is
 * what is counted, so threads that live shorter than one interval are missed (their CPU shows in the
 * process total, /proc/<pid>/stat, which is printed too).
 *
 * Run: npx tsx bench/sweep/threadCpu.ts -- <command> [args...]
 * e.g. npx tsx bench/sweep/threadCpu.ts -- node src/cli/hft.mjs backtest <scenario> --store file:/tmp/x --no-fsync
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

const TICK = 100; // USER_HZ on Linux

export interface ThreadSample { readonly pid: number; readonly tid: number; readonly name: string; readonly user: number; readonly sys: number }

/** utime and stime (fields 14 and 15) of a /proc stat line, in seconds; the name is between the parentheses. */
function parseStat(text: string): { name: string; user: number; sys: number; ppid: number } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12], ppid field 4 -> f[1].
  return { name: text.slice(open + 1, close), user: Number(f[11]) / TICK, sys: Number(f[12]) / TICK, ppid: Number(f[1]) };
}

const read = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };

/** The process and all its descendants (by ppid, from one /proc scan). */
function family(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = read(`/proc/${d}/stat`);
    if (s) parent.set(Number(d), parseStat(s).ppid);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

export function sampleThreads(pids: readonly number[]): ThreadSample[] {
  const out: ThreadSample[] = [];
  for (const pid of pids) {
    let tids: string[];
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const t of tids) {
      const s = read(`/proc/${pid}/task/${t}/stat`);
      if (!s) continue;
      const p = parseStat(s);
      out.push({ pid, tid: Number(t), name: p.name, user: p.user, sys: p.sys });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const sep = process.argv.indexOf('--');
  const cmd = process.argv.slice(sep >= 0 ? sep + 1 : 2);
  if (cmd.length === 0) throw new Error('usage: npx tsx bench/sweep/threadCpu.ts -- <command> [args...]');
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid!;
  const last = new Map<string, ThreadSample>();
  let procTotal = 0;
  const tick = (): void => {
    const pids = family(pid);
    for (const s of sampleThreads(pids)) last.set(`${s.pid}/${s.tid}`, s);
    let total = 0;
    for (const p of pids) { const s = read(`/proc/${p}/stat`); if (s) { const q = parseStat(s); total += q.user + q.sys; } }
    if (total > procTotal) procTotal = total;
  };
  const timer = setInterval(tick, 20);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearInterval(timer);
  const wall = (performance.now() - t0) / 1000;
  // The exited child's own and reaped children's CPU, as the kernel accounted it (includes short threads).
  const byName = new Map<string, { user: number; sys: number; threads: number }>();
  for (const s of last.values()) {
    // Node leaves most threads named after the process: tell them apart by creation order (tid - pid).
    const k = s.tid === s.pid ? `${s.name} (main, pid ${s.pid})` : `${s.name.replace(/\d+$/, '#')}${/^node$|^hft$/.test(s.name) ? ` +${s.tid - s.pid}` : ''}`;
    const e = byName.get(k) ?? { user: 0, sys: 0, threads: 0 };
    e.user += s.user; e.sys += s.sys; e.threads++;
    byName.set(k, e);
  }
  const rows = [...byName].sort((a, b) => (b[1].user + b[1].sys) - (a[1].user + a[1].sys));
  const sum = rows.reduce((s, [, e]) => s + e.user + e.sys, 0);
  console.log(`${cmd.join(' ')}\nexit ${code}; ${cpus()[0]!.model}, ${cpus().length} cores, load average ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`);
  console.log('| thread name | threads | user s | sys s | share of process CPU |');
  console.log('|---|---|---|---|---|');
  for (const [k, e] of rows) console.log(`| ${k} | ${e.threads} | ${e.user.toFixed(2)} | ${e.sys.toFixed(2)} | ${((e.user + e.sys) / sum * 100).toFixed(1)}% |`);
  console.log(`\nwall ${wall.toFixed(2)} s; CPU of sampled threads ${sum.toFixed(2)} s (last process sample ${procTotal.toFixed(2)} s) = ${(sum / wall).toFixed(2)} cores`);
}

await main();
