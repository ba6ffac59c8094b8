/**
 * bench/backtest: the full backtest pipeline — tick store (Parquet → Arrow IPC replay cache) → book →
 * market maker → risk → OMS → simulated venue → durable event log — on >= 10M real-shaped market
 * events, with a per-stage breakdown measured in the same run:
 *
 *   read      iterate the tick stream and touch every row (the floor of the data path)
 *   books     + the strategy-side and venue-side L2 books (kernel with no strategy)
 *   kernel    + market maker requoting on every BBO change, risk, OMS, accounting (events discarded)
 *   full      + every run event appended to a file event store (fsync per append)
 *
 * Data: the shipped Binance spot BTCUSDT capture (both days, ~393k rows, imported through the real
 * synchronizer) repeated with shifted time until the row target is reached; each repetition starts
 * with the REST snapshot rows, so the book stays a real book. Built once in the OS temp folder.
 *
 * Run: npx tsx bench/backtest/index.ts [rows=10000000] [--no-tune]
 *      npx tsx bench/backtest/index.ts --day        (27M rows, a researcher's day of BTCUSDT; target < 15 s)
 *
 * Times: wall seconds (what the targets are about) and process CPU seconds beside them (the machine
 * is shared: CPU shows what the code costs when wall time is inflated by other load), and the main
 * thread's own CPU (Linux /proc): the kernel runs there, while the file store finishes and writes its
 * frames on a writer thread and V8's GC helpers scavenge in parallel. On two cores those run beside the
 * kernel, so the main thread's CPU is what bounds the wall time.
 *
 * Tuning: the bench re-runs itself with a 64 MB young-generation semi-space (--max-semi-space-size=64)
 * unless --no-tune is given. The run events of a batch live until they are appended, and with V8's
 * default 16 MB semi-space they are copied by several scavenges first: measured -5..12% CPU on the
 * kernel stage at 10M rows, no effect on any result. The CLI can pass the same flag (NODE_OPTIONS).
 * glibc malloc (opt-in, as for `hft backtest`: the bench measures the product's defaults): the replay
 * cache reads each IPC message (~1.5 MB) into a buffer of its own, and with glibc's defaults these can
 * come from fresh pages, each a page fault when the read fills it (~15-20 µs each in this 2-vCPU VM,
 * more under load). Setting
 *   GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864
 * for the bench (the child inherits it) or for `hft backtest` keeps them on glibc's heap: at 10M rows
 * the read stage took 21,282 minor faults / 0.39 s system CPU without, 46 / 0.09 s with, and 0.41-1.20 s
 * vs 0.44-0.47 s wall (interleaved runs, load 2.5-4.8); on a quiet machine the read stage is 0.18-0.27 s
 * without it. The full stage moved 0.5-4% (noise). Not set by default: it keeps freed memory in the
 * process (no trim below 1 GB), a choice for the user's machine rather than the engine's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBacktest } from '../../src/engine/createBacktest.ts';
import { runBacktest } from '../../src/engine/runBacktest.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { benchScenario, INSTRUMENT, NullStore } from './scenario.ts';
import { repeatedCaptureStore } from '../common/repeatedCapture.ts';

const args = process.argv.slice(2);
const TUNE = !args.includes('--no-tune');
const positional = args.filter((a) => !a.startsWith('--'));
const ROWS = args.includes('--day') ? 27_000_000 : Number(positional[0] ?? 10_000_000);
if (!Number.isSafeInteger(ROWS) || ROWS <= 0) throw new Error(`bench/backtest: rows must be a positive integer, got '${positional[0]}'`);
const SEMI_FLAG = '--max-semi-space-size=64';
if (TUNE && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  // V8 reads the young-generation size at start-up only: run again with the flag.
  const r = spawnSync(process.execPath, [SEMI_FLAG, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const WORK = join(tmpdir(), 'hft-bench-backtest');


const buildStore = (rows: number): Promise<string> => repeatedCaptureStore(WORK, rows);

interface StageResult { stage: string; seconds: number; cpuSeconds: number; mainCpuSeconds: number; rows: number; runEvents: number; peakRssMb: number }

/** Main-thread user + system CPU seconds (Linux /proc, 10 ms ticks), NaN elsewhere. */
function mainThreadCpuS(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15) in USER_HZ ticks
  } catch { return Number.NaN; }
}

async function stage(name: string, dir: string, fn: () => Promise<{ rows: number; runEvents: number }>): Promise<StageResult> {
  if (global.gc) global.gc();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuS();
  const r = await fn();
  const cpu = process.cpuUsage(c0);
  const mainCpuSeconds = mainThreadCpuS() - m0;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  void dir;
  return { stage: name, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainCpuSeconds, rows: r.rows, runEvents: r.runEvents, peakRssMb: Math.round(peak / 1e6) };
}

async function runKernel(dir: string, withStrategy: boolean, store: EventStore): Promise<{ rows: number; runEvents: number }> {
  const ticks = openTickStore(dir);
  const stream = ticks.read({ instruments: [INSTRUMENT] });
  const run = createBacktest({
    scenario: benchScenario(withStrategy), scenarioPath: 'bench', instruments: stream.instruments, source: stream,
    datasets: stream.files.map((f) => ({ path: f.path, sha256: f.sha256, rowFrom: 0, rowTo: f.rows })), store,
    codeVersion: 'bench', wallMs: () => performance.now(),
  });
  const r = await runBacktest(run);
  return { rows: r.counters.marketRows, runEvents: r.runEvents };
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const dir = await buildStore(ROWS);
  // Warm the Arrow IPC replay cache (built once per Parquet file, then reused by every replay).
  for await (const b of openTickStore(dir).read({ instruments: [INSTRUMENT] })) void b;

  const results: StageResult[] = [];
  results.push(await stage('read', dir, async () => {
    let rows = 0; let sum = 0;
    for await (const b of openTickStore(dir).read({ instruments: [INSTRUMENT] })) {
      for (let i = 0; i < b.length; i++) sum += b.price[i]! + b.tsRecv[i]!;
      rows += b.length;
    }
    if (sum === 0) throw new Error('empty');
    return { rows, runEvents: 0 };
  }));
  results.push(await stage('books', dir, () => runKernel(dir, false, new NullStore())));
  results.push(await stage('kernel', dir, () => runKernel(dir, true, new NullStore())));
  const logDir = join(WORK, 'log');
  rmSync(logDir, { recursive: true, force: true });
  const fileStore = await FileEventStore.open(logDir, { fsync: 'always' });
  try {
    results.push(await stage('full', dir, () => runKernel(dir, true, fileStore)));
  } finally { await fileStore.close(); }

  const head = ['stage', 'market events', 'seconds', 'M events/s', 'ns/event', '+ns vs previous', 'CPU s', 'M events/CPU s', 'main-thread CPU s', 'run events', 'peak RSS MB'];
  const rows = results.map((r, k) => {
    const ns = (r.seconds * 1e9) / r.rows;
    const prev = k > 0 ? (results[k - 1]!.seconds * 1e9) / results[k - 1]!.rows : 0;
    return [r.stage, r.rows.toLocaleString('en-US'), r.seconds.toFixed(2), (r.rows / r.seconds / 1e6).toFixed(2), ns.toFixed(0), k > 0 ? (ns - prev).toFixed(0) : '',
      r.cpuSeconds.toFixed(2), (r.rows / r.cpuSeconds / 1e6).toFixed(2), r.mainCpuSeconds.toFixed(2), r.runEvents.toLocaleString('en-US'), String(r.peakRssMb)];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]): string => `| ${r.map((x, c) => x.padStart(widths[c]!)).join(' | ')} |`;
  console.log(`node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--max-semi')).join(' ')}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, ${ROWS.toLocaleString('en-US')} target rows, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(fmt(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
  const full = results.at(-1)!;
  console.log(`\nend to end: ${(full.rows / full.seconds / 1e6).toFixed(2)}M market events/s wall, ${(full.rows / full.cpuSeconds / 1e6).toFixed(2)}M per CPU second (target >= 2M), ${full.seconds.toFixed(1)} s wall / ${full.cpuSeconds.toFixed(1)} s CPU (${full.mainCpuSeconds.toFixed(1)} s on the main thread) for ${full.rows.toLocaleString('en-US')} rows, peak RSS ${full.peakRssMb} MB (target < 1000)`);
}

await main();
