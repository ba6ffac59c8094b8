/**
 * CPU per backtest job, by thread, in one long-lived process (as a sweep worker runs jobs): runs the
 * scenario `jobs` times with backtestFromFile and, around each run, reads utime + stime of every
 * thread of this process from /proc/self/task/<tid>/stat. Start-up (module loading, TypeScript
 * compilation) is before the first job, so the rows show what each job itself costs. Also prints the
 * main-thread GC pause time (perf_hooks 'gc' entries).
 *
 * Run: node [v8 flags] --import tsx bench/sweep/jobCpu.ts <scenario.json> [jobs=3]
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const scenario = process.argv[2];
if (!scenario) throw new Error('usage: node --import tsx bench/sweep/jobCpu.ts <scenario.json> [jobs=3]');
const JOBS = Number(process.argv[3] ?? 3);

function threads(): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of readdirSync('/proc/self/task')) {
    let s: string;
    try { s = readFileSync(`/proc/self/task/${t}/stat`, 'utf8'); } catch { continue; }
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    m.set(Number(t), (Number(f[11]) + Number(f[12])) / 100);
  }
  return m;
}

let gcMs = 0; let gcs = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) { gcMs += e.duration; gcs++; } }).observe({ entryTypes: ['gc'] });

const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };
const work = mkdtempSync(join(tmpdir(), 'hft-jobcpu-'));
console.log(`${cpus()[0]!.model}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}; node ${process.execArgv.filter((a) => a.startsWith('--') && a !== '--import').join(' ') || '(no flags)'}`);
const sumRows: { wall: number; cpu: number; main: number; other: number }[] = [];
for (let i = 0; i < JOBS; i++) {
  const before = threads(); const c0 = process.cpuUsage(); const g0 = gcMs; const n0 = gcs;
  const t0 = performance.now();
  await backtestFromFile({ scenarioPath: scenario, storeUri: `file:${join(work, String(i))}`, ticksDir: '.hft/ticks', fsync: 'never' }, io);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0); const cpu = (c.user + c.system) / 1e6;
  const after = threads();
  const pid = process.pid;
  const deltas = [...after].map(([tid, v]) => [tid, v - (before.get(tid) ?? 0)] as const).filter(([, d]) => d > 0).sort((a, b) => b[1] - a[1]);
  const main = deltas.find(([t]) => t === pid)?.[1] ?? 0;
  const other = deltas.filter(([t]) => t !== pid).reduce((s, [, d]) => s + d, 0);
  sumRows.push({ wall, cpu, main, other });
  console.log(`job ${i + 1}: wall ${wall.toFixed(2)} s, process CPU ${cpu.toFixed(2)} s = ${(cpu / wall).toFixed(2)} cores; main thread ${main.toFixed(2)} s, other threads ${other.toFixed(2)} s [${deltas.filter(([t]) => t !== pid).map(([t, d]) => `+${t - pid}:${d.toFixed(2)}`).join(' ')}]; main-thread GC pauses ${gcs - n0} = ${((gcMs - g0) / 1000).toFixed(2)} s`);
}
rmSync(work, { recursive: true, force: true });
const warm = sumRows.slice(1);
const med = (xs: number[]): number => { const v = [...xs].sort((a, b) => a - b); return v.length === 0 ? Number.NaN : v[Math.floor(v.length / 2)]!; };
console.log(`jobs 2..${JOBS} median: wall ${med(warm.map((r) => r.wall)).toFixed(2)} s, process CPU ${med(warm.map((r) => r.cpu)).toFixed(2)} s, main thread ${med(warm.map((r) => r.main)).toFixed(2)} s, other threads ${med(warm.map((r) => r.other)).toFixed(2)} s; CPU / main thread ${med(warm.map((r) => r.cpu / r.main)).toFixed(2)}`);
