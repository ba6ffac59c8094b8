/**
 * bench/book: apply the real incremental update mix of the Binance spot BTCUSDT capture
 * (binance-capture/spot/btcusdt_20240808+09, synchronized by BinanceBookSync) and read best bid/ask
 * after every venue message, side by side with the order books of `tardis-dev` (OrderBook) and
 * `orderbooks` (OrderBook, the L2 book of tiagosiebler/orderbooks) in the same run.
 *
 * Each book gets its native input prepared up front (ours: integer ticks/lots rows; tardis-dev:
 * BookChange messages with float price/amount; orderbooks: delete/upsert level tuples per message), so
 * only book work is timed. Per repetition the snapshot is loaded untimed, then every diff is applied
 * and best bid/ask read, timed. Reported: ns per 1,000 row updates (median and min of repetitions; the
 * machine is shared, so the min is the least-disturbed run).
 *
 * Run: npx tsx bench/book/index.ts [repetitions]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { OrderBook as TardisBook } from 'tardis-dev';
import { OrderBook as OrderbooksBook, OrderBookLevel } from 'orderbooks';
import { BinanceBookSync } from '../../src/feeds/binance/BinanceBookSync.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { isDepthSnapshot, parseBinanceCaptureLine } from '../../src/feeds/capture/binanceCaptureLine.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';
import { L2Book } from '../../src/model/book/L2Book.ts';
import { BookFlag, type BookDelta } from '../../src/model/market.ts';

const REPS = Number(process.argv[2] ?? 15);
const DIR = '/work/shared/data/binance-capture/spot';

// ---- load the real update mix ------------------------------------------------------------------
const sync = new BinanceBookSync('binance-spot', instrumentLookup('binance-spot', captureInstruments));
const snapshot: BookDelta[] = [];
const messages: BookDelta[][] = [];
let current: BookDelta[] = [];
for (const file of ['btcusdt_20240808.gz', 'btcusdt_20240809.gz']) {
  const lines = gunzipSync(readFileSync(`${DIR}/${file}`)).toString('utf8').split('\n');
  lines.forEach((line, i) => {
    if (line === '' || !line.includes('depth') && !line.includes('lastUpdateId')) return;
    const r = parseBinanceCaptureLine(line, `${file}:${i + 1}`);
    const events = isDepthSnapshot(r.msg) ? sync.snapshot('BTCUSDT', r.msg, r.tsRecv) : sync.map(r.msg, r.tsRecv);
    for (const e of events) {
      if (e.kind !== 'book') throw new Error(`unexpected ${e.kind} in the capture`);
      if ((e.flags & BookFlag.Snapshot) !== 0) { snapshot.push(e); continue; }
      current.push(e);
      if ((e.flags & BookFlag.EndOfMessage) !== 0) { messages.push(current); current = []; }
    }
  });
}
const rows = messages.reduce((a, m) => a + m.length, 0);
const deletes = messages.reduce((a, m) => a + m.filter((d) => d.sizeLots === 0).length, 0);

// Columnar form for our hot path.
const side = new Int8Array(rows); const px = new Float64Array(rows); const sz = new Float64Array(rows);
const msgEnd = new Int32Array(messages.length);
{
  let k = 0;
  messages.forEach((m, j) => { for (const d of m) { side[k] = d.side; px[k] = d.priceTicks; sz[k] = d.sizeLots; k++; } msgEnd[j] = k; });
}
const TICK = 0.01; const LOT = 1e-8;
const toPx = (t: number): number => Math.round(t) * TICK;
const toSz = (l: number): number => l * LOT;

// tardis-dev input
const ts = new Date(0);
const tardisMsg = (m: BookDelta[], isSnapshot: boolean) => ({
  type: 'book_change' as const, symbol: 'BTCUSDT', exchange: 'binance' as const, isSnapshot, timestamp: ts, localTimestamp: ts,
  bids: m.filter((d) => d.side === 1).map((d) => ({ price: toPx(d.priceTicks), amount: toSz(d.sizeLots) })),
  asks: m.filter((d) => d.side === -1).map((d) => ({ price: toPx(d.priceTicks), amount: toSz(d.sizeLots) })),
});
const tardisSnapshot = tardisMsg(snapshot, true);
const tardisMessages = messages.map((m) => tardisMsg(m, false));

// orderbooks input: [symbol, price, side, qty] tuples; deletes and upserts per message.
const obLevel = (d: BookDelta) => OrderBookLevel('BTCUSDT', toPx(d.priceTicks), d.side === 1 ? 'Buy' : 'Sell', toSz(d.sizeLots));
const obSnapshot = snapshot.map(obLevel);
const obMessages = messages.map((m) => ({ del: m.filter((d) => d.sizeLots === 0).map(obLevel), upsert: m.filter((d) => d.sizeLots > 0).map(obLevel) }));

// ---- the runs ---------------------------------------------------------------------------------
let sink = 0;

function runOurs(): number {
  const book = new L2Book('binance-spot:BTCUSDT');
  for (const d of snapshot) book.applyRow(d.side, d.priceTicks, d.sizeLots, d.flags);
  const t0 = process.hrtime.bigint();
  let k = 0;
  for (let j = 0; j < msgEnd.length; j++) {
    const end = msgEnd[j]!;
    for (; k < end; k++) book.set(side[k]!, px[k]!, sz[k]!);
    sink += book.bestBid() - book.bestAsk();
  }
  const dt = Number(process.hrtime.bigint() - t0);
  finals.ours = [book.bestBid() * TICK, book.bestAsk() * TICK];
  return dt;
}

function runTardis(): number {
  const book = new TardisBook();
  book.update(tardisSnapshot);
  const t0 = process.hrtime.bigint();
  for (const m of tardisMessages) {
    book.update(m);
    sink += book.bestBid()!.price - book.bestAsk()!.price;
  }
  const dt = Number(process.hrtime.bigint() - t0);
  finals.tardis = [book.bestBid()!.price, book.bestAsk()!.price];
  return dt;
}

function runOrderbooks(): number {
  // maxDepth above the book's size: the default (250) would trim levels and make the book wrong.
  const book = new OrderbooksBook('BTCUSDT', { maxDepth: 1_000_000 });
  book.handleSnapshot(obSnapshot.slice(), 0);
  const t0 = process.hrtime.bigint();
  for (const m of obMessages) {
    book.handleDelta(m.del, m.upsert, [], 0);
    sink += book.getBestBid()! - book.getBestAsk()!;
  }
  const dt = Number(process.hrtime.bigint() - t0);
  finals.orderbooks = [book.getBestBid()!, book.getBestAsk()!];
  return dt;
}

const finals: Record<string, [number, number]> = {};
const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };

function bestBidAskNs(name: string): number {
  const N = 5_000_000;
  let t0: bigint; let s = 0;
  if (name === 'ours') {
    const book = new L2Book('x'); for (const d of snapshot) book.applyRow(d.side, d.priceTicks, d.sizeLots, d.flags);
    t0 = process.hrtime.bigint(); for (let i = 0; i < N; i++) s += book.bestBid() - book.bestAsk();
  } else if (name === 'tardis-dev') {
    const book = new TardisBook(); book.update(tardisSnapshot);
    t0 = process.hrtime.bigint(); for (let i = 0; i < N; i++) s += book.bestBid()!.price - book.bestAsk()!.price;
  } else {
    const book = new OrderbooksBook('BTCUSDT', { maxDepth: 1_000_000 }); book.handleSnapshot(obSnapshot.slice(), 0);
    const M = N / 100; // linear scans: fewer calls
    t0 = process.hrtime.bigint(); for (let i = 0; i < M; i++) s += book.getBestBid()! - book.getBestAsk()!;
    sink += s;
    return Number(process.hrtime.bigint() - t0) / M;
  }
  sink += s;
  return Number(process.hrtime.bigint() - t0) / N;
}

const runs: Record<string, () => number> = { ours: runOurs, 'tardis-dev': runTardis, orderbooks: runOrderbooks };
const times: Record<string, number[]> = { ours: [], 'tardis-dev': [], orderbooks: [] };
for (const fn of Object.values(runs)) fn(); // warm-up
for (let r = 0; r < REPS; r++) for (const [name, fn] of Object.entries(runs)) times[name]!.push(fn());

const ours = median(times.ours!);
console.log(`Binance spot BTCUSDT 2024-08-08/09: snapshot ${snapshot.length} levels, ${messages.length} diff messages, ${rows} row updates (${deletes} deletes); ${REPS} repetitions, median`);
console.log('');
console.log('| book | ns per 1,000 updates (+ best bid/ask per message), median | µs per 1,000, median | µs per 1,000, min | vs ours (median) | best bid+ask read, ns | final bid / ask |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const name of Object.keys(runs)) {
  const t = median(times[name]!);
  const per1k = (t / rows) * 1000;
  const f = finals[name === 'tardis-dev' ? 'tardis' : name]!;
  const min = (Math.min(...times[name]!) / rows) * 1000;
  console.log(`| ${name === 'ours' ? 'hft L2Book' : name} | ${per1k.toFixed(0)} | ${(per1k / 1000).toFixed(2)} | ${(min / 1000).toFixed(2)} | ${(t / ours).toFixed(1)}× | ${bestBidAskNs(name).toFixed(1)} | ${f[0].toFixed(2)} / ${f[1].toFixed(2)} |`);
}
if (sink === 42) console.log('');
