/**
 * bench/eventstore: durable append and full read+verify throughput of the file store, with the
 * memory store and a naive durable JSON-lines log (one JSON.stringify per event, one write + one
 * fdatasync per batch, JSON.parse per line on read; no checksums, no chain, no index) beside it.
 *
 * Events: small `market.trade` events built from the real Binance spot BTCUSDT trades of the shared
 * capture (cycled, each with its own id), appended in batches of 1,000 to 10 streams.
 * Reported: events/s and MB/s (median of repetitions), each store in a fresh temp directory on the
 * same file system.
 *
 * Run: npx tsx bench/eventstore/index.ts [events=200000] [repetitions=3]
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import type { NewEvent } from '../../src/model/events.ts';

const TOTAL = Number(process.argv[2] ?? 200_000);
const REPS = Number(process.argv[3] ?? 3);
const BATCH = 1_000;
const STREAMS = 10;

// ---- real trades -> small events ----------------------------------------------------------------
const text = gunzipSync(readFileSync('/work/shared/data/binance-capture/spot/btcusdt_20240808.gz')).toString('utf8');
const trades: { t: number; p: string; q: string; T: number; m: boolean; recvUs: number }[] = [];
for (const line of text.split('\n')) {
  if (!line.includes('"btcusdt@trade"')) continue;
  const sp = line.indexOf(' ');
  const d = (JSON.parse(line.slice(sp + 1)) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
  trades.push({ ...d, recvUs: Number(BigInt(line.slice(0, sp)) / 1000n) });
}
const batches: NewEvent[][] = [];
for (let b = 0; b * BATCH < TOTAL; b++) {
  const batch: NewEvent[] = [];
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const t = trades[n % trades.length]!;
    batch.push({
      id: `bench-${n}`, type: 'market.trade', version: 1, tsEvent: t.T * 1000, tsRecv: t.recvUs,
      runId: 'bench', correlationId: `bench-${b}`, causationId: `bench-${b}`,
      data: { venueTradeId: String(t.t), price: t.p, qty: t.q, aggressor: t.m ? 'sell' : 'buy' } as never,
    });
  }
  batches.push(batch);
}
const events = batches.length * BATCH;

// ---- measurements ----------------------------------------------------------------------------------
interface Row { name: string; evPerS: number[]; bytes: number }
const rows = new Map<string, Row>();
const record = (name: string, ms: number, bytes: number): void => {
  const r = rows.get(name) ?? { name, evPerS: [], bytes };
  r.evPerS.push(events / (ms / 1000));
  r.bytes = bytes;
  rows.set(name, r);
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function appendAll(store: EventStore): Promise<number> {
  const t0 = performance.now();
  for (let b = 0; b < batches.length; b++) await store.append(`run-${b % STREAMS}`, batches[b]!);
  return performance.now() - t0;
}
async function readAllCount(store: EventStore): Promise<{ ms: number; n: number }> {
  const t0 = performance.now();
  let n = 0;
  for await (const b of store.readAll()) n += b.length;
  return { ms: performance.now() - t0, n };
}
const check = (n: number, what: string): void => { if (n !== events) throw new Error(`${what}: read ${n} events, appended ${events}`); };

for (let rep = 0; rep < REPS; rep++) {
  for (const fsync of ['always', 'never'] as const) {
    const dir = await mkdtemp(join(tmpdir(), 'hft-bench-'));
    const store = await FileEventStore.open(dir, { fsync });
    const ms = await appendAll(store);
    await store.close();
    const v0 = performance.now();
    const v = await verifyStore(dir);
    const verifyMs = performance.now() - v0;
    check(v.events, 'verify');
    record(`file store append, fsync ${fsync}`, ms, v.bytes);
    if (fsync === 'always') {
      // Same batches with up to 4 appends in flight: they share fdatasyncs (group commit).
      const dir2 = await mkdtemp(join(tmpdir(), 'hft-bench-'));
      const s2 = await FileEventStore.open(dir2, { fsync });
      const t0 = performance.now();
      const inFlight: Promise<unknown>[] = [];
      for (let b = 0; b < batches.length; b++) {
        inFlight.push(s2.append(`run-${b % STREAMS}`, batches[b]!));
        if (inFlight.length === 4) await inFlight.shift();
      }
      await Promise.all(inFlight);
      record('file store append, fsync always, 4 in flight', performance.now() - t0, v.bytes);
      await s2.close();
      check((await verifyStore(dir2)).events, 'verify (4 in flight)');
      await rm(dir2, { recursive: true, force: true });
    }
    if (fsync === 'always') {
      record('file store verify (checksums + chain)', verifyMs, v.bytes);
      const reader = await FileEventStore.open(dir, { readOnly: true });
      const r = await readAllCount(reader);
      check(r.n, 'file readAll');
      await reader.close();
      record('file store readAll (checksums + chain + decode)', r.ms, v.bytes);
      const o0 = performance.now();
      const reopened = await FileEventStore.open(dir, { readOnly: true });
      record('file store open (index rebuild + verify)', performance.now() - o0, v.bytes);
      await reopened.close();
    }
    await rm(dir, { recursive: true, force: true });
  }

  const mem = new MemoryEventStore();
  record('memory store append', await appendAll(mem), 0);
  const mr = await readAllCount(mem);
  check(mr.n, 'memory readAll');
  record('memory store readAll', mr.ms, 0);

  // Peer: naive durable JSON lines, same batches, one write + fdatasync per batch.
  const dir = await mkdtemp(join(tmpdir(), 'hft-bench-jsonl-'));
  const path = join(dir, 'log.jsonl');
  const fd = openSync(path, 'a');
  const t0 = performance.now();
  let bytes = 0;
  for (let b = 0; b < batches.length; b++) {
    let s = '';
    for (const e of batches[b]!) s += `${JSON.stringify({ ...e, streamId: `run-${b % STREAMS}` })}\n`;
    bytes += writeSync(fd, s);
    fdatasyncSync(fd);
  }
  record('peer: JSON lines append, fdatasync per batch', performance.now() - t0, bytes);
  closeSync(fd);
  const r0 = performance.now();
  const lines = readFileSync(path, 'utf8').split('\n');
  let n = 0;
  for (const l of lines) if (l !== '') { JSON.parse(l); n++; }
  check(n, 'jsonl read');
  record('peer: JSON lines read (JSON.parse per line)', performance.now() - r0, bytes);
  await rm(dir, { recursive: true, force: true });
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`bench/eventstore: ${fmt(events)} events (${fmt(batches.length)} batches of ${BATCH}, ${STREAMS} streams), median of ${REPS}; node ${process.version}`);
const w = Math.max(...[...rows.keys()].map((k) => k.length));
console.log(`${'measurement'.padEnd(w)}  ${'events/s'.padStart(12)}  ${'MB/s'.padStart(7)}`);
for (const r of rows.values()) {
  const eps = median(r.evPerS);
  const mbps = r.bytes > 0 ? (eps * (r.bytes / events)) / 1e6 : 0;
  console.log(`${r.name.padEnd(w)}  ${fmt(eps).padStart(12)}  ${r.bytes > 0 ? mbps.toFixed(0).padStart(7) : '-'.padStart(7)}`);
}
console.log('targets: durable append >= 300,000 events/s; read+verify >= 1,000,000 events/s');
