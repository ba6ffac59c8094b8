/**
 * Profiling harness for bench/backtest: the kernel stage (market maker, risk, OMS, venue; events
 * dropped) on an existing tick store, timed in process CPU (the machine is shared: wall time lies).
 *
 * Run: npx tsx bench/backtest/index.ts 2000000   (once, builds the store)
 *      node --import tsx [--cpu-prof] bench/backtest/profile.ts [rows=2000000] [repeats=1]
 * index.ts runs with --max-semi-space-size=64 (see its header); for the same conditions here pass
 * SEMI=64 (and GLIBC_TUNABLES=... when comparing with an index.ts run that had it set).
 * `main` is the main thread's own CPU (Linux /proc, 10 ms ticks): process CPU also counts the file
 * store's writer thread and V8's GC helpers, which run beside the kernel.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createBacktest } from '../../src/engine/createBacktest.ts';
import { runBacktest } from '../../src/engine/runBacktest.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { createHash } from 'node:crypto';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import type { NewEvent } from '../../src/model/events.ts';
import { benchScenario, INSTRUMENT, NullStore } from './scenario.ts';

/** HASH=1: a SHA-256 over every run event's JSON, to show an optimization changed no byte. */
class HashStore extends NullStore {
  readonly hash = createHash('sha256');
  override async append(s: string, events: readonly NewEvent[]): Promise<{ revision: number; position: number }> {
    for (const e of events) this.hash.update(JSON.stringify(e)).update('\n');
    return super.append(s, events);
  }
}

if (process.env['SEMI']) (await import('node:v8')).setFlagsFromString(`--max-semi-space-size=${process.env['SEMI']}`);
const ROWS = Number(process.argv[2] ?? 2_000_000);
const REPEATS = Number(process.argv[3] ?? 1);
const dir = join(tmpdir(), 'hft-bench-backtest', `ticks-${ROWS}`);

// HEAP_PROF=1: sampled allocations including the ones already collected (where the GC work comes from).
const heapProf = process.env['HEAP_PROF'] === '1';
const session = heapProf ? new (await import('node:inspector')).Session() : undefined;
const post = (m: string, p?: object): Promise<unknown> => new Promise((res, rej) => session!.post(m, p, (e, r) => (e ? rej(e) : res(r))));
if (session) {
  session.connect();
  await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}

/** Main-thread user + system CPU seconds (Linux), NaN elsewhere. */
const { readFileSync } = await import('node:fs');
function mainThreadCpuS(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15) in USER_HZ ticks
  } catch { return Number.NaN; }
}

for (let r = 0; r < REPEATS; r++) {
  const m0 = mainThreadCpuS();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // FILE=1: the full stage (a file event store, fsync per append) instead of dropping the events.
  const logDir = join(tmpdir(), 'hft-bench-backtest', 'profile-log');
  if (process.env['FILE'] === '1') (await import('node:fs')).rmSync(logDir, { recursive: true, force: true });
  const store = process.env['FILE'] === '1' ? await FileEventStore.open(logDir, { fsync: 'always' }) : process.env['HASH'] === '1' ? new HashStore() : new NullStore();
  const stream = openTickStore(dir).read({ instruments: [INSTRUMENT] });
  const run = createBacktest({
    scenario: benchScenario(process.env['BOOKS_ONLY'] !== '1'), scenarioPath: 'bench', instruments: stream.instruments, source: stream,
    datasets: stream.files.map((f) => ({ path: f.path, sha256: f.sha256, rowFrom: 0, rowTo: f.rows })), store,
    codeVersion: 'bench', wallMs: () => performance.now(),
  });
  // BATCH=n: append batches of n events instead of 4096 (a different log, for experiments only).
  const res = await runBacktest(process.env['BATCH'] ? { ...run, appendBatchSize: Number(process.env['BATCH']) } : run);
  const cpu = process.cpuUsage(c0);
  const mainS = mainThreadCpuS() - m0;
  if (store instanceof FileEventStore) await store.close();
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const wallS = (performance.now() - t0) / 1000;
  console.log(`rows ${res.counters.marketRows} runEvents ${res.runEvents} cpu ${cpuS.toFixed(2)} s (${((cpuS * 1e9) / res.counters.marketRows).toFixed(0)} ns/row, system ${(cpu.system / 1e6).toFixed(2)} s; main ${mainS.toFixed(2)} s, ${((mainS * 1e9) / res.counters.marketRows).toFixed(0)} ns/row) wall ${wallS.toFixed(2)} s rss ${Math.round(process.memoryUsage().rss / 1e6)} MB${store instanceof HashStore ? ` sha256 ${store.hash.digest('hex')}` : ''}`);
}

if (session) {
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
  (await import('node:fs')).writeFileSync(join(tmpdir(), 'bt-alloc.heapprofile'), JSON.stringify(profile));
}
