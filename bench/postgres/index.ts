/**
 * bench/postgres: append throughput of our PostgreSQL event store beside Emmett's
 * (@event-driven-io/emmett-postgresql) on the same server and database, in the same run; then the
 * projection catch-up rate (read the log + fold + write read models with checkpoints) on a real run.
 *
 * Append: small `market.trade` events built from the real Binance spot BTCUSDT trades of the shared
 * capture, in batches of 100 and 1,000, each batch to its own stream, by 1 writer and by 4 concurrent
 * writers. Reported: events/s, median of repetitions, both stores in a fresh database.
 * Catch-up: the demo scenario's full run (~19k run events) recorded in our store, projected from
 * position 0 into fresh read models (in-process runner; pages of the store's default size, 2,000 events,
 * as `hft project` reads them, one read ahead; transactions of up to 10,000),
 * with the CPU time it took in this process and in the two server processes (reading, writing): on a
 * shared machine the wall-clock rate says how busy the machine was, the CPU time what the work costs.
 * Where a single writer's append time goes: median latency of an append of 100 beside a one-row
 * INSERT's commit (the WAL flush every durable commit waits for).
 *
 * `--runs K`: the catch-up log holds K runs of the demo scenario (seeds 1..K, ~19k run events each),
 * so the catch-up is measured over a log of K x 19k events rather than one run's (default 1).
 *
 * Run: npx tsx bench/postgres/index.ts [eventsPerCase=20000] [repetitions=3] [all|catchup] [--no-tune] [--runs K]
 *      (HFT_BENCH_PG=postgres://postgres@127.0.0.1:5432 names the server; a database is created per run)
 *
 * The bench re-runs itself with the young-generation size `hft` runs every command with
 * (--max-semi-space-size=64, src/cli/hft.mjs), so the catch-up's CPU is what `hft project` spends;
 * --no-tune keeps V8's default.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { loadProjectionDdl } from '../../src/cli/commands/project.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { NewEvent } from '../../src/model/events.ts';
import { PostgresReadModelWriter } from '../../src/projections/PostgresReadModelWriter.ts';
import { createProjectionState, projectEvent } from '../../src/projections/projectEvent.ts';
import { RowBatch } from '../../src/projections/RowBatch.ts';
import { runProjection } from '../../src/projections/runProjection.ts';
import { pgConn } from '../../src/projections/SqlConn.ts';

const args = process.argv.slice(2);
const SEMI_FLAG = '--max-semi-space-size=64';
if (!args.includes('--no-tune') && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  // V8 reads the young-generation size at start-up only: run again with the flag.
  const r = spawnSync(process.execPath, [SEMI_FLAG, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const runsFlag = args.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 1;
if (!(Number.isSafeInteger(RUNS) && RUNS >= 1)) throw new Error(`bench/postgres: --runs must be a positive integer, got '${args[runsFlag + 1]}'`);
const positional = args.filter((a, i) => !a.startsWith('--') && !(runsFlag >= 0 && i === runsFlag + 1));
const TOTAL = Number(positional[0] ?? 20_000);
const REPS = Number(positional[1] ?? 3);
/** `catchup`: only the projection catch-up (the append cases take about a minute). */
const ONLY = positional[2] ?? 'all';
if (ONLY !== 'all' && ONLY !== 'catchup') throw new Error(`bench/postgres: third argument must be 'all' or 'catchup', got '${ONLY}'`);
const SERVER = process.env.HFT_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const DB = `hft_bench_${process.pid}`;
const URL_DB = `${SERVER}/${DB}`;
const ROOT = resolve(import.meta.dirname, '../..');

// ---- real trades -> small events ----------------------------------------------------------------
const text = gunzipSync(readFileSync('/work/shared/data/binance-capture/spot/btcusdt_20240808.gz')).toString('utf8');
const trades: { t: number; p: string; q: string; T: number; m: boolean; recvUs: number }[] = [];
for (const line of text.split('\n')) {
  if (!line.includes('"btcusdt@trade"')) continue;
  const sp = line.indexOf(' ');
  const d = (JSON.parse(line.slice(sp + 1)) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
  trades.push({ ...d, recvUs: Number(BigInt(line.slice(0, sp)) / 1000n) });
}
const tradeEvent = (n: number): NewEvent => {
  const t = trades[n % trades.length]!;
  return {
    id: `bench-${n}`, type: 'market.trade', version: 1, tsEvent: t.T * 1000, tsRecv: t.recvUs, runId: 'bench', correlationId: 'bench-0', causationId: 'bench-0',
    data: { venueTradeId: String(t.t), price: t.p, qty: t.q, aggressor: t.m ? 'sell' : 'buy' } as never,
  };
};
const makeBatches = (batch: number): NewEvent[][] => Array.from({ length: Math.ceil(TOTAL / batch) }, (_, b) => Array.from({ length: batch }, (_, i) => tradeEvent(b * batch + i)));

interface Appender { append(stream: string, events: readonly NewEvent[]): Promise<unknown>; close(): Promise<void> }

async function ours(): Promise<Appender> {
  const s = await PostgresEventStore.open(URL_DB, { schema: 'hft', poolSize: 8 });
  return { append: (stream, events) => s.append(stream, events, { expectedRevision: 'no_stream' }), close: () => s.close() };
}
async function emmett(): Promise<Appender> {
  const s = getPostgreSQLEventStore(URL_DB);
  await s.schema.migrate();
  return {
    // Emmett's event shape: type + data (+ metadata); our envelope fields travel in data and metadata.
    append: (stream, events) => s.appendToStream(stream, events.map((e) => ({
      type: e.type, data: e.data as Record<string, unknown>,
      metadata: { id: e.id, tsEvent: e.tsEvent, tsRecv: e.tsRecv, runId: e.runId, correlationId: e.correlationId, causationId: e.causationId },
    })), { expectedStreamVersion: 0n as never }),
    close: () => s.close(),
  };
}

let streamSeq = 0;
async function appendRate(make: () => Promise<Appender>, batches: NewEvent[][], writers: number): Promise<number> {
  const store = await make();
  try {
    await store.append(`warm-${streamSeq++}`, batches[0]!.slice(0, 10));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: writers }, async () => {
      for (let b = next++; b < batches.length; b = next++) await store.append(`s-${streamSeq++}`, batches[b]!);
    }));
    return (batches.length * batches[0]!.length) / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
  }
}

/** User + system CPU of a process, ms (Linux /proc; clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}
async function pgOne(url: string, sql: string): Promise<Record<string, unknown>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return (await c.query(sql)).rows[0]; } finally { await c.end(); }
}

const loadAvg = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DB}`);
  try {
    console.log(`bench/postgres: ${TOTAL} events per case, median of ${REPS}; server ${SERVER}, database ${DB}; ${new Date().toISOString()}`);
    console.log(`CPU ${cpus()[0]!.model} x${cpus().length}; load average ${loadAvg()}; node ${process.execArgv.filter((a) => a.startsWith('--max-semi')).join(' ') || 'default young generation'}`);
    if (ONLY === 'all') {
      console.log('');
      console.log('append (events/s)            hft PostgresEventStore   Emmett PostgreSQL   ratio');
      for (const batch of [100, 1_000]) {
        const batches = makeBatches(batch);
        for (const writers of [1, 4]) {
          const a: number[] = [], b: number[] = [];
          for (let r = 0; r < REPS; r++) {
            // Alternate who goes first so table growth and server noise hit both alike.
            if (r % 2 === 0) { a.push(await appendRate(ours, batches, writers)); b.push(await appendRate(emmett, batches, writers)); } else { b.push(await appendRate(emmett, batches, writers)); a.push(await appendRate(ours, batches, writers)); }
          }
          const label = `batch ${batch}, ${writers} writer${writers > 1 ? 's' : ''}`;
          console.log(`${label.padEnd(28)} ${fmt(median(a)).padStart(22)}   ${fmt(median(b)).padStart(17)}   ${(median(a) / median(b)).toFixed(2)}x`);
        }
      }

      // ---- where a single writer's append of 100 goes: the commit's WAL flush is paid by both stores --
      {
        const batches = makeBatches(100).slice(0, 100);
        const lat = async (make: () => Promise<Appender>): Promise<number> => {
          const store = await make();
          try {
            await store.append(`warm-${streamSeq++}`, batches[0]!.slice(0, 10));
            const ms: number[] = [];
            for (const b of batches) { const t0 = performance.now(); await store.append(`l-${streamSeq++}`, b); ms.push(performance.now() - t0); }
            return median(ms);
          } finally { await store.close(); }
        };
        const flush = new pg.Client({ connectionString: URL_DB });
        await flush.connect();
        await flush.query('CREATE TABLE IF NOT EXISTS flush_probe (n int)');
        const flushMs: number[] = [];
        for (let i = 0; i < 100; i++) { const t0 = performance.now(); await flush.query('INSERT INTO flush_probe VALUES (1)'); flushMs.push(performance.now() - t0); }
        await flush.end();
        const a: number[] = [], b: number[] = [];
        for (let r = 0; r < REPS; r++) { a.push(await lat(ours)); b.push(await lat(emmett)); }
        console.log('');
        console.log('one writer, batch 100: median ms per append     hft   Emmett   a 1-row INSERT commit (the WAL flush both wait for)');
        console.log(`${''.padEnd(46)} ${median(a).toFixed(2).padStart(5)}   ${median(b).toFixed(2).padStart(6)}   ${median(flushMs).toFixed(2)}`);
      }
    }

    // ---- projection catch-up on a real run ----------------------------------------------------------
    const work = mkdtempSync(join(tmpdir(), 'hft-bench-pg-'));
    const io = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };
    const runIds: string[] = [];
    for (let k = 1; k <= RUNS; k++) {
      const one = await backtestFromFile({ scenarioPath: join(ROOT, 'scenarios/demo-mm-btcusdt.json'), storeUri: `${URL_DB}?schema=run`, ticksDir: join(work, 'ticks'), fsync: 'never', ...(RUNS > 1 ? { seed: k } : {}) }, io);
      runIds.push(one.runId);
    }
    // One reader connection, named, so its server process's CPU time can be read from /proc.
    const store = await PostgresEventStore.open(`${URL_DB}?application_name=hft_bench_reader`, { schema: 'run', poolSize: 1 });
    const analyze = new pg.Client({ connectionString: URL_DB });
    await analyze.connect();
    await analyze.query('ANALYZE run.events'); // what autovacuum does soon after a bulk load
    await analyze.end();
    const events = await collect(store.readAll());
    const readRates: number[] = [], foldRates: number[] = [], writeRates: number[] = [], catchUp: number[] = [];
    const cpuNode: number[] = [], cpuReader: number[] = [], cpuWriter: number[] = [];
    const readerPid = Number((await pgOne(URL_DB, "SELECT pid FROM pg_stat_activity WHERE application_name = 'hft_bench_reader' AND backend_type = 'client backend'")).pid);
    for (let r = 0; r < REPS; r++) {
      let t0 = performance.now();
      await collect(store.readAll());
      readRates.push(events.length / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      const st = createProjectionState();
      const rows = new RowBatch();
      for (const e of events) projectEvent(st, e, rows);
      foldRates.push(events.length / ((performance.now() - t0) / 1000));
      const client = new pg.Client({ connectionString: URL_DB });
      await client.connect();
      const scratch = new PostgresReadModelWriter(pgConn(client), `rmw_${r}`);
      await scratch.init(loadProjectionDdl());
      t0 = performance.now();
      await scratch.write(rows, { position: -1, events: 0 }, { position: events.at(-1)!.position, events: events.length });
      writeRates.push(events.length / ((performance.now() - t0) / 1000));
      const writer = new PostgresReadModelWriter(pgConn(client), `rm_${r}`);
      await writer.init(loadProjectionDdl());
      const writerPid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      const r0 = procCpuMs(readerPid), w0 = procCpuMs(writerPid), n0 = process.cpuUsage();
      t0 = performance.now();
      const res = await runProjection({ store, writer, maxBatchEvents: 10_000 });
      catchUp.push(res.projectedEvents / ((performance.now() - t0) / 1000));
      const n1 = process.cpuUsage(n0);
      cpuNode.push((n1.user + n1.system) / 1000); cpuReader.push(procCpuMs(readerPid) - r0); cpuWriter.push(procCpuMs(writerPid) - w0);
      await client.end();
    }
    await store.close();
    console.log('');
    console.log(`projection catch-up, ${RUNS === 1 ? `demo run ${runIds[0]}` : `${RUNS} demo runs (seeds 1..${RUNS})`} (${events.length} run events)      events/s`);
    console.log(`  read the log (readAll, 2,000 per page)                    ${fmt(median(readRates)).padStart(10)}`);
    console.log(`  fold (reducer only, in memory)                            ${fmt(median(foldRates)).padStart(10)}`);
    console.log(`  write the rows of all events, one transaction             ${fmt(median(writeRates)).padStart(10)}`);
    console.log(`  catch-up: read + fold + write rows and checkpoints        ${fmt(median(catchUp)).padStart(10)}   (target >= 100,000)`);
    // Each run's own figures: on a shared machine one slow run is the neighbours', not the code's.
    console.log(`    each run: ${catchUp.map((r, i) => `${fmt(r)} events/s (${(cpuNode[i]! / events.length * 100).toFixed(2)} s CPU per 100k in this process)`).join(', ')}`);
    const [cn, cr, cw] = [median(cpuNode), median(cpuReader), median(cpuWriter)];
    const per100k = (ms: number): string => (ms / events.length * 100).toFixed(2);
    console.log(`  CPU time of the catch-up (ms): this process ${fmt(cn)}, reading server process ${fmt(cr)}, writing server process ${fmt(cw)}`);
    console.log(`  CPU s per 100k events: this process ${per100k(cn)}, reading server ${per100k(cr)}, writing server ${per100k(cw)}, total ${per100k(cn + cr + cw)}`);
    console.log(`  => on two idle cores at best ${fmt(events.length / (Math.max(cn, cr, cw, (cn + cr + cw) / 2) / 1000))} events/s (WAL flushes not counted)`);
    console.log(`CPU ${cpus()[0]!.model}; load average ${loadAvg()}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
