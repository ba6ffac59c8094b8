/**
 * bench/sweep: 16 backtests of a parameter sweep through the real pg-boss queue with 1 worker process
 * vs 2 (target speed-up >= 1.8x on 2 cores), beside the peer: the same 16 scenarios run one after
 * another in one process with backtestFromFile (no queue, no process start-up), and the server-less
 * `--local 2` runner.
 *
 * Variants, alternated in every round so each ratio is taken under the same neighbours:
 *  - "1 worker":  `hft worker` (the product's normal configuration);
 *  - "1 worker on 1 core": the same under `taskset -c 0`, its log writer thread and GC helpers
 *    included: what one core does alone, so 2 workers against it is the scaling per core of the
 *    queue and job processes, apart from the second core one job already uses when it runs alone;
 *  - "2 workers": `hft worker --concurrency 2` (the throughput setup: a small supervisor forks 2 job
 *    processes that run the bundle of the job code (src/cli/sweep/jobBundle.ts; the "1 worker" runs
 *    the job code from the sources through tsx in its own process), V8 GC on each job's own thread
 *    when the jobs fill every core);
 *  - "2 workers parallel GC": the same with `--parallel-gc` (V8's GC helper threads kept), to tell
 *    the GC flag apart from the worker-only entry;
 *  - "2 plain":   two `hft worker` processes started side by side, each unaware of the other.
 * Every `hft` process runs with the node flags of the `hft` launcher (src/cli/hft.mjs shebang).
 *
 * Grid: demo market maker, halfSpreadTicks 0.5/1/2/3 x seed 1..4. Data: the shipped Binance capture
 * (11 minutes, 393k market events per backtest: mostly process start-up), or a second argument that
 * is either a scenario file or a row count: the capture repeated to that many rows in a tick store
 * built once under /tmp/hft-bench-sweep (bench/common/repeatedCapture.ts), so a job outweighs start-up.
 * Each variant gets its own PostgreSQL schema and store directory. "wall" runs from starting the
 * workers to the last one exiting (start-up included: a deployment pays it once per worker); "work"
 * runs from the first job started to the last worker exit. Per job, each worker logs its wall and
 * CPU time (all threads of its process): CPU / wall above 1.0 is a job using more than one core.
 * "PG CPU" is the CPU of the PostgreSQL server processes serving the workers' connections (sampled
 * from /proc by their application_name). The phase table splits each variant's wall time at the
 * arrival of the workers' log lines: supervisor forked, last worker ready (with each worker's own
 * start-up CPU), first job started, last job done, exit, and the time between a worker's jobs.
 *
 * Run: npx tsx bench/sweep/index.ts [rounds=3] [scenario.json | rows]   (PostgreSQL from HFT_BENCH_PG, default the local server)
 * e.g. npx tsx bench/sweep/index.ts 3 2000000
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { sweepScenarioPath } from '../../src/cli/sweep/runSweepJob.ts';
import { repeatedCaptureStore } from '../common/repeatedCapture.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const HFT = join(ROOT, 'src/cli/hft.mjs');
/** The node flags the `hft` launcher runs with (its shebang line): every process here gets them. */
const HFT_FLAGS = (/^#!\/usr\/bin\/env -S node(.*)$/m.exec(readFileSync(HFT, 'utf8').split('\n')[0]!)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
if (HFT_FLAGS.some((f) => !process.execArgv.includes(f))) {
  // The sequential peer runs in this process: give it the same V8 flags (read at start-up only).
  const r = spawnSync(process.execPath, [...HFT_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const PG = process.env.HFT_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const GRID = ['--grid', 'strategies.0.params.halfSpreadTicks=0.5,1,2,3', '--grid', 'seed=1,2,3,4'];
const ROUNDS = Number(process.argv[2] ?? 3);
const WORK = mkdtempSync(join(tmpdir(), 'hft-bench-sweep-'));

/** Second argument: a scenario file, or a row count for the demo scenario on a repeated-capture tick store. */
async function benchScenario(arg: string | undefined): Promise<{ path: string; what: string }> {
  if (arg === undefined) return { path: 'scenarios/demo-mm-btcusdt.json', what: 'demo scenario, 393k market events each' };
  if (!/^\d+$/.test(arg)) return { path: arg, what: arg };
  const store = await repeatedCaptureStore(join(tmpdir(), 'hft-bench-sweep'), Number(arg));
  const sc = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8')) as { name: string; data: { sources: unknown[] } };
  sc.name = `demo-mm-btcusdt-${arg}`;
  sc.data.sources = [{ format: 'tickstore', instrument: 'binance-spot:BTCUSDT', files: [store] }];
  const manifest = JSON.parse(readFileSync(join(store, 'manifest.json'), 'utf8')) as { files: { rows: number }[] };
  const rows = manifest.files.reduce((n, f) => n + f.rows, 0);
  const dir = join(tmpdir(), 'hft-bench-sweep');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `scenario-${arg}.json`);
  writeFileSync(path, `${JSON.stringify(sc, null, 2)}\n`);
  return { path, what: `demo market maker on the capture repeated to ${rows.toLocaleString('en-US')} market events each (${store})` };
}

/** `onLine` gets each stderr line as it arrives (the phase timeline is taken from arrival times). */
function hft(args: string[], onLine?: (line: string) => void, oneCore = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const argv = [...HFT_FLAGS, HFT, ...args];
    // oneCore: the process and every thread it starts (log writer, GC helpers) confined to CPU 0.
    const c = oneCore ? spawn('taskset', ['-c', '0', process.execPath, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = ''; let partial = '';
    c.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    c.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      stderr += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine?.(l);
    });
    c.on('exit', (code) => res({ code, stdout, stderr }));
  });
}
const must = (r: { code: number | null; stderr: string }, what: string): void => { if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`); };

/** CPU seconds of the PostgreSQL backends serving connections named `app`, sampled from /proc until stopped. */
function pgServerCpu(app: string): { stop: () => Promise<number> } {
  const seen = new Map<number, number>();
  const c = new pg.Client({ connectionString: PG });
  let running = true;
  const loop = (async () => {
    await c.connect();
    while (running) {
      const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app]);
      for (const { pid } of rows as { pid: number }[]) {
        try {
          const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
          seen.set(pid, (Number(f[11]) + Number(f[12])) / 100);
        } catch { /* the backend exited between the query and the read */ }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await c.end();
  })();
  return { stop: async () => { running = false; await loop; return [...seen.values()].reduce((a, b) => a + b, 0); } };
}

/** One job as its worker logged it; `warm` = not the first job of its process (JIT warm-up and lazy loading excluded). */
interface JobCost { wall: number; cpu: number; warm: boolean }
function jobCosts(stderr: string): JobCost[] {
  const seen = new Set<string>();
  return [...stderr.matchAll(/worker (\S+): job \S+ done: run \S+ .*?\(wall ([\d.]+) s, CPU ([\d.]+) s = [\d.]+ cores\)/g)].map((m) => {
    const warm = seen.has(m[1]!);
    seen.add(m[1]!);
    return { wall: Number(m[2]), cpu: Number(m[3]), warm };
  });
}

/**
 * Where a variant's wall time went, in ms since the launch, from the arrival times of the workers' log
 * lines: the supervisor's fork (--concurrency), each worker ready (queue open, job code loaded; it
 * logs its own CPU so far), first job started, last job done, and the time each worker spent between
 * one job's end and its next job's start (queue round trips, polling).
 */
interface Phases { forkedMs: number | undefined; readyMs: number | undefined; startupCpuS: number[]; firstJobMs: number; lastDoneMs: number; gapsMs: number }
function timeline(): { onLine: (line: string) => void; phases: (t0: number) => Phases } {
  let forked: number | undefined; let ready: number | undefined; let firstJob = Number.POSITIVE_INFINITY; let lastDone = 0; let gaps = 0;
  const startupCpuS: number[] = [];
  const doneAt = new Map<string, number>();
  return {
    onLine: (line) => {
      const t = performance.now();
      let m: RegExpExecArray | null;
      if (forked === undefined && /^worker: \d+ job process/.test(line)) forked = t;
      else if ((m = /^worker (\S+): ready \d+ ms after process start \(CPU ([\d.]+) s\)/.exec(line))) { ready = t; startupCpuS.push(Number(m[2])); }
      else if ((m = /^worker (\S+): job \S+ .* started$/.exec(line))) {
        firstJob = Math.min(firstJob, t);
        const d = doneAt.get(m[1]!);
        if (d !== undefined) gaps += t - d;
      } else if ((m = /^worker (\S+): job \S+ done:/.exec(line))) { lastDone = t; doneAt.set(m[1]!, t); }
    },
    phases: (t0) => ({ forkedMs: forked === undefined ? undefined : forked - t0, readyMs: ready === undefined ? undefined : ready - t0, startupCpuS, firstJobMs: firstJob - t0, lastDoneMs: lastDone - t0, gapsMs: gaps }),
  };
}

type Variant = 'one' | 'oneCore' | 'pair' | 'pairPar' | 'plain';
interface VariantResult { wallMs: number; workMs: number; jobMs: number; jobs: JobCost[]; pgCpu: number; sweepId: string; runIds: string[]; launch: string; phases: Phases }

async function queueVariant(variant: Variant, round: number, scenario: string): Promise<VariantResult> {
  const schema = `bench_sweep_${process.pid}_${round}_${variant.toLowerCase()}`;
  const url = `${PG}?schema=${schema}&application_name=${schema}`;
  const enq = await hft(['sweep', scenario, ...GRID, '--pg', url, '--store', `file:${join(WORK, `q${round}-${variant}`)}`, '--json']);
  must(enq, 'enqueue');
  const { sweepId } = JSON.parse(enq.stdout) as { sweepId: string };
  const pgCpu = pgServerCpu(schema);
  const base = ['worker', '--pg', url, '--exit-when-idle', '--sweep', sweepId, '--poll-ms', '100'];
  const launches = variant === 'one' || variant === 'oneCore' ? [base] : variant === 'pair' ? [[...base, '--concurrency', '2']] : variant === 'pairPar' ? [[...base, '--concurrency', '2', '--parallel-gc']] : [base, base];
  const tl = timeline();
  const t0 = performance.now();
  const rs = await Promise.all(launches.map((args) => hft(args, tl.onLine, variant === 'oneCore')));
  const end = performance.now();
  const phases = tl.phases(t0);
  const pgSeconds = await pgCpu.stop();
  rs.forEach((r, i) => must(r, `worker ${i}`));
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    const rows = (await c.query(`SELECT run_id, wall_ms FROM "${schema}".sweep_results WHERE sweep_id = $1 ORDER BY combination_index`, [sweepId])).rows as { run_id: string; wall_ms: number }[];
    if (rows.length !== 16) throw new Error(`expected 16 results, got ${rows.length}`);
    await c.query(`DROP SCHEMA "${schema}" CASCADE`);
    await c.query(`DROP SCHEMA "${schema}_boss" CASCADE`);
    const launch = /worker: (\d+ job process.*)/.exec(rs.map((r) => r.stderr).join('\n'))?.[1] ?? `${launches.length} x hft worker${variant === 'oneCore' ? ' under taskset -c 0' : ''}, node ${HFT_FLAGS.join(' ')}`;
    return {
      wallMs: end - t0, workMs: end - t0 - phases.firstJobMs, phases, jobMs: rows.reduce((s, r) => s + r.wall_ms, 0), jobs: rs.flatMap((r) => jobCosts(r.stderr)),
      pgCpu: pgSeconds, sweepId, runIds: rows.map((r) => r.run_id), launch,
    };
  } finally { await c.end(); }
}

/**
 * The ceilings any 2-worker speed-up can reach right now: the same fixed loop in 1 process, then in 2
 * processes at once, then in 1 again (the two singles bracket the pair, so a load change in between
 * moves both sides); ceiling = (single + single) / pair, ~2.0x on an idle 2-core machine, on the shared
 * machine what the other tenants leave us. Two loops: "cpu" adds integers in registers (what a core
 * gives when nothing is shared); "mem" sums a 256 MB array one cache line at a time (what the cores
 * give when both stream memory, as a backtest scanning its replay cache and churning its young
 * generation does: shared last-level cache and memory bandwidth). The loops run inside a function
 * called many times, so they are optimized after the first call: a loop at a script's top level waits
 * for on-stack replacement, whose timing alone moved one run of the same loop between 0.4 and 1.8 s.
 */
const CEILING_LOOPS = {
  cpu: 'function f(n){let x=0;for(let i=0;i<n;i++){x=(x+i)|0}return x}let y=0;for(let k=0;k<100;k++)y^=f(2e7);process.exit(y===42?1:0)',
  mem: 'const a=new Float64Array(1<<25);for(let i=0;i<a.length;i+=8)a[i]=i;function f(){let x=0;for(let i=0;i<a.length;i+=8)x+=a[i];return x}let y=0;for(let k=0;k<40;k++)y+=f();process.exit(y===42?1:0)',
} as const;
type Ceilings = Record<keyof typeof CEILING_LOOPS, number>;

async function ceilings(): Promise<Ceilings> {
  const one = async (loop: string, n: number): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((r) => spawn(process.execPath, ['-e', loop]).on('exit', r))));
    return performance.now() - t0;
  };
  const ratio = async (loop: string): Promise<number> => {
    const a = await one(loop, 1);
    const two = await one(loop, 2);
    const b = await one(loop, 1);
    return (a + b) / two;
  };
  return { cpu: await ratio(CEILING_LOOPS.cpu), mem: await ratio(CEILING_LOOPS.mem) };
}

const med = (xs: number[]): number => { const v = [...xs].sort((a, b) => a - b); const h = v.length >> 1; return v.length % 2 === 1 ? v[h]! : (v[h - 1]! + v[h]!) / 2; };

async function main(): Promise<void> {
  const { path: SCENARIO, what } = await benchScenario(process.argv[3]);
  const load0 = loadavg()[0]!;
  process.stderr.write(`${cpus()[0]!.model}, ${cpus().length} cores, load average ${load0.toFixed(2)} at start; node ${HFT_FLAGS.join(' ')}\n`);
  // Warm the tick store (first use imports the capture, or decodes the tick file into its replay cache) so no variant pays for it.
  const warm = await hft(['sweep', SCENARIO, '--grid', 'seed=1', '--grid', 'data.to=2024-08-08T23:55:00Z', '--local', '1', '--store', `file:${join(WORK, 'warm')}`]);
  must(warm, 'warm-up');

  // The machine is shared: load swings within a minute. Alternate the variants over several rounds and
  // measure the CPU ceiling in each round, so every ratio is taken under the same neighbours.
  const rounds: ({ ceiling: Ceilings; load: number } & Record<Variant, VariantResult>)[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const load = loadavg()[0]!;
    const ceiling = await ceilings();
    const one = await queueVariant('one', r, SCENARIO);
    const oneCore = await queueVariant('oneCore', r, SCENARIO);
    const pair = await queueVariant('pair', r, SCENARIO);
    const pairPar = await queueVariant('pairPar', r, SCENARIO);
    const plain = await queueVariant('plain', r, SCENARIO);
    rounds.push({ ceiling, load, one, oneCore, pair, pairPar, plain });
    process.stderr.write(`round ${r + 1} (load ${load.toFixed(2)}): ceiling cpu ${ceiling.cpu.toFixed(2)}x mem ${ceiling.mem.toFixed(2)}x, 1 worker ${(one.wallMs / 1000).toFixed(1)} s, 1 worker on 1 core ${(oneCore.wallMs / 1000).toFixed(1)} s, 2 workers ${(pair.wallMs / 1000).toFixed(1)} s, 2 workers parallel GC ${(pairPar.wallMs / 1000).toFixed(1)} s, 2 plain ${(plain.wallMs / 1000).toFixed(1)} s\n`);
  }
  const ref = rounds[0]!.one;

  const t0 = performance.now();
  const local = await hft(['sweep', SCENARIO, ...GRID, '--local', '2', '--store', `file:${join(WORK, 'local2')}`]);
  const localMs = performance.now() - t0;
  must(local, '--local 2');

  // Peer: the same 16 patched scenarios (written by the queue run), one after another in this process.
  const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };
  const t1 = performance.now();
  const seqIds: string[] = [];
  for (let i = 0; i < 16; i++) {
    const r = await backtestFromFile({ scenarioPath: sweepScenarioPath(ref.sweepId, i), storeUri: `file:${join(WORK, 'seq', String(i))}`, ticksDir: '.hft/ticks', fsync: 'never' }, io);
    seqIds.push(r.runId);
  }
  const seqMs = performance.now() - t1;
  const variants: Variant[] = ['one', 'oneCore', 'pair', 'pairPar', 'plain'];
  const same = rounds.every((r) => variants.every((v) => JSON.stringify(r[v].runIds) === JSON.stringify(seqIds)));

  const f = (ms: number | undefined, w = 6): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1)).padStart(w);
  const x = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  console.log(`\n16 backtests (${what}); ${cpus()[0]!.model}, ${cpus().length} cores; load average ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)} (shared machine); node ${HFT_FLAGS.join(' ')}\n`);
  console.log(`launch: 1 worker = ${rounds[0]!.one.launch}; 1 worker on 1 core = ${rounds[0]!.oneCore.launch}; 2 workers = hft worker --concurrency 2: ${rounds[0]!.pair.launch}; 2 workers parallel GC = --concurrency 2 --parallel-gc: ${rounds[0]!.pairPar.launch}; 2 plain = ${rounds[0]!.plain.launch}\n`);
  console.log('| round | load | ceiling 2 vs 1: cpu / mem loop | 1 worker wall s (work s) | 2 workers wall s (work s) | speed-up wall / work | 2 workers parallel GC wall s (work s) | speed-up wall / work | 2 plain wall s (work s) | speed-up wall / work |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const cell = (r: (typeof rounds)[number], v: Variant): string => `${f(r[v].wallMs, 0)} (${f(r[v].workMs, 0)}) | ${x(r.one.wallMs, r[v].wallMs)} / ${x(r.one.workMs, r[v].workMs)}`;
  rounds.forEach((r, i) => console.log(`| ${i + 1} | ${r.load.toFixed(2)} | ${r.ceiling.cpu.toFixed(2)}x / ${r.ceiling.mem.toFixed(2)}x | ${f(r.one.wallMs, 0)} (${f(r.one.workMs, 0)}) | ${cell(r, 'pair')} | ${cell(r, 'pairPar')} | ${cell(r, 'plain')} |`));
  console.log('\nper job (medians over rounds of the per-variant sums and medians; CPU = all threads of the worker process, from its log):');
  console.log('| variant | sum job wall s | sum job CPU s | median job CPU / wall | median CPU s of a warm job (not a process\'s first) | PG server CPU s |');
  console.log('|---|---|---|---|---|---|');
  for (const v of variants) {
    const name = { one: '1 worker', oneCore: '1 worker on 1 core (taskset -c 0)', pair: '2 workers (--concurrency 2)', pairPar: '2 workers (--concurrency 2 --parallel-gc)', plain: '2 plain' }[v];
    const sumWall = med(rounds.map((r) => r[v].jobs.reduce((s, j) => s + j.wall, 0)));
    const sumCpu = med(rounds.map((r) => r[v].jobs.reduce((s, j) => s + j.cpu, 0)));
    const ratio = med(rounds.map((r) => med(r[v].jobs.map((j) => j.cpu / j.wall))));
    const warmCpu = med(rounds.map((r) => med(r[v].jobs.filter((j) => j.warm).map((j) => j.cpu))));
    console.log(`| ${name} | ${sumWall.toFixed(1)} | ${sumCpu.toFixed(1)} | ${ratio.toFixed(2)} | ${warmCpu.toFixed(2)} | ${med(rounds.map((r) => r[v].pgCpu)).toFixed(2)} |`);
  }
  // The most 2 workers can gain on this machine given what the jobs themselves cost: the cores kept
  // 100% busy with jobs that each need the CPU they were measured to need when paired (which is more
  // than alone when the two contend for cache and memory bandwidth), against one worker's job time.
  // One job alone already uses more than one core (its log writer thread, V8's GC helpers), so the
  // bound is cores / (that job's cores x the CPU growth when paired), not the core count.
  const cores = cpus().length;
  const sumOf = (r: (typeof rounds)[number], v: Variant, k: 'wall' | 'cpu'): number => r[v].jobs.reduce((s, j) => s + j[k], 0);
  console.log(`\nspeed-up bound from the jobs' own CPU (${cores} cores x 1 worker's summed job wall / 2 workers' summed job CPU), and the share of it reached by --concurrency 2's work time:`);
  rounds.forEach((r, i) => {
    const bound = cores * sumOf(r, 'one', 'wall') / sumOf(r, 'pair', 'cpu');
    const reached = r.one.workMs / r.pair.workMs;
    const perCore = r.oneCore.workMs / r.pair.workMs;
    console.log(`  round ${i + 1}: 2 workers on 2 cores vs 1 worker confined to 1 core: ${perCore.toFixed(2)}x; one job alone uses ${(sumOf(r, 'one', 'cpu') / sumOf(r, 'one', 'wall')).toFixed(2)} cores; paired, a job takes ${(sumOf(r, 'pair', 'cpu') / sumOf(r, 'one', 'cpu')).toFixed(2)}x the CPU it took alone; bound ${bound.toFixed(2)}x, reached ${reached.toFixed(2)}x (${(100 * reached / bound).toFixed(0)}%)`);
  });
  console.log('\nphases (median over rounds; s since the launch, from the arrival of the workers\' log lines; "-" = not logged):');
  console.log('| variant | supervisor forked | last worker ready | start-up CPU s per worker | first job started | last job done | exit | between jobs s (sum over workers) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const v of variants) {
    const name = { one: '1 worker', oneCore: '1 worker on 1 core (taskset -c 0)', pair: '2 workers (--concurrency 2)', pairPar: '2 workers (--concurrency 2 --parallel-gc)', plain: '2 plain' }[v];
    const ph = rounds.map((r) => r[v].phases);
    const opt = (xs: (number | undefined)[]): string => (xs.some((x) => x === undefined) ? '-' : f(med(xs as number[]), 0).trim());
    const cpu = ph.flatMap((p) => p.startupCpuS);
    console.log(`| ${name} | ${opt(ph.map((p) => p.forkedMs))} | ${opt(ph.map((p) => p.readyMs))} | ${cpu.length ? med(cpu).toFixed(2) : '-'} | ${f(med(ph.map((p) => p.firstJobMs)), 0).trim()} | ${f(med(ph.map((p) => p.lastDoneMs)), 0).trim()} | ${f(med(rounds.map((r) => r[v].wallMs)), 0).trim()} | ${(med(ph.map((p) => p.gapsMs)) / 1000).toFixed(2)} |`);
  }
  const sp = (v: Variant): string => `wall ${med(rounds.map((r) => r.one.wallMs / r[v].wallMs)).toFixed(2)}x, work ${med(rounds.map((r) => r.one.workMs / r[v].workMs)).toFixed(2)}x`;
  console.log(`\nmedian speed-up vs 1 worker (target >= 1.8x): 2 workers (--concurrency 2) ${sp('pair')}; with --parallel-gc ${sp('pairPar')}; 2 plain ${sp('plain')}; median ceiling: cpu loop ${med(rounds.map((r) => r.ceiling.cpu)).toFixed(2)}x, memory loop ${med(rounds.map((r) => r.ceiling.mem)).toFixed(2)}x`);
  console.log(`median scaling per core (2 workers --concurrency 2 on 2 cores vs 1 worker confined to 1 core): wall ${med(rounds.map((r) => r.oneCore.wallMs / r.pair.wallMs)).toFixed(2)}x, work ${med(rounds.map((r) => r.oneCore.workMs / r.pair.workMs)).toFixed(2)}x`);
  console.log(`median wall: 1 worker ${f(med(rounds.map((r) => r.one.wallMs)), 0)} s, 2 workers ${f(med(rounds.map((r) => r.pair.wallMs)), 0)} s, 2 workers parallel GC ${f(med(rounds.map((r) => r.pairPar.wallMs)), 0)} s, 2 plain ${f(med(rounds.map((r) => r.plain.wallMs)), 0)} s`);
  console.log(`peer: sequential backtestFromFile in 1 process ${f(seqMs, 0)} s; --local 2 (forked workers, no server) ${f(localMs, 0)} s`);
  console.log('"work" = from the first job started to the last worker exit (no process start-up); "sum job wall" = job time summed over jobs (grows when workers share a core)');
  console.log(`run ids equal across sequential and every queue run: ${same}`);
  rmSync(WORK, { recursive: true, force: true });
  for (const r of rounds) for (const v of variants) rmSync(join(ROOT, '.hft/sweeps', r[v].sweepId), { recursive: true, force: true });
}

await main();
