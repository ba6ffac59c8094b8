/**
 * bench/sim: simulated-venue overhead per market event on the real Binance spot BTCUSDT capture
 * (binance-capture/spot/btcusdt_20240808+09, synchronized by BinanceBookSync, trades included), with
 * 10 resting orders, beside the peer baseline in the same run: a bare loop applying the same rows to
 * an L2Book (what any backtest must pay anyway).
 *
 * Scenarios (each: a fresh book/venue per repetition, the whole capture in one timed pass, responses
 * drained after every row as the kernel does; median of repetitions):
 * - peer: bare L2Book.applyRow loop over book rows (trades skipped).
 * - venue, 10 far: SimVenue (risk-averse) with 5 bids / 5 asks resting 50,000-50,400 ticks (500 USDT) from
 *   the touch: the per-row bookkeeping every resting order costs.
 * - venue, 10 at touch (risk-averse / power2 prob): 5 bids / 5 asks on the first 5 ticks of each side,
 *   every filled order re-placed on its side at the current touch (queue updates, fills with their
 *   exact-decimal fees, submits: all timed). Depth is 100 ms batched on Binance spot while trades are
 *   not, so a quote re-placed at a touch the trades already went through fills again at once: the
 *   touch scenarios are fill-heavy (fills per pass in the last column).
 *
 * Run: npx tsx bench/sim/index.ts [repetitions]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BinanceBookSync } from '../../src/feeds/binance/BinanceBookSync.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { binanceTrade } from '../../src/feeds/binance/trade.ts';
import { isDepthSnapshot, parseBinanceCaptureLine } from '../../src/feeds/capture/binanceCaptureLine.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';
import { L2Book } from '../../src/model/book/L2Book.ts';
import { allocBatch, KindCode, pushEvent, Side, type MarketEvent } from '../../src/model/market.ts';
import { ConstantLatency } from '../../src/sim/ConstantLatency.ts';
import { ProbQueue } from '../../src/sim/ProbQueue.ts';
import { RiskAverseQueue } from '../../src/sim/RiskAverseQueue.ts';
import { SimVenue } from '../../src/sim/SimVenue.ts';
import type { QueueModel } from '../../src/sim/QueueModel.ts';
import type { VenueResponse } from '../../src/sim/VenueResponse.ts';
import { power2Prob } from '../../src/sim/probFunctions.ts';

const REPS = Number(process.argv[2] ?? 15);
const DIR = '/work/shared/data/binance-capture/spot';

// ---- the real rows ---------------------------------------------------------------------------------
const lookup = instrumentLookup('binance-spot', captureInstruments);
const instrument = lookup('BTCUSDT');
const sync = new BinanceBookSync('binance-spot', lookup);
const trades = binanceTrade('binance-spot', lookup);
const events: MarketEvent[] = [];
for (const file of ['btcusdt_20240808.gz', 'btcusdt_20240809.gz']) {
  gunzipSync(readFileSync(`${DIR}/${file}`)).toString('utf8').split('\n').forEach((line, i) => {
    if (line === '' || line.includes('bookTicker')) return;
    const { tsRecv, msg } = parseBinanceCaptureLine(line, `${file}:${i + 1}`);
    if (isDepthSnapshot(msg)) events.push(...sync.snapshot('BTCUSDT', msg, tsRecv));
    else if (sync.canHandle(msg)) events.push(...sync.map(msg, tsRecv));
    else if (trades.canHandle(msg)) events.push(...trades.map(msg, tsRecv));
  });
}
const batch = allocBatch(events.length);
for (const e of events) pushEvent(batch, e, 0);
const N = batch.length;
let bookRows = 0;
for (let i = 0; i < N; i++) if (batch.kind[i] === KindCode.book) bookRows++;

// ---- scenarios -------------------------------------------------------------------------------------
let sink = 0;

function peer(): number {
  const book = new L2Book(instrument.id);
  const { kind, side, price, size, flags } = batch;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (kind[i] === KindCode.book) book.applyRow(side[i]!, price[i]!, size[i]!, flags[i]!);
  const ns = Number(process.hrtime.bigint() - t0);
  sink += book.bestBid();
  return ns;
}

const RESTING = 10;
let seq = 0;
let replaced = 0;
let fills = 0;

function venueRun(makeQueue: () => QueueModel, offsetTicks: number, replace: boolean): number {
  const v = new SimVenue({ instrument, latency: new ConstantLatency(0, 0), queue: makeQueue(), fillMode: 'no-partial' });
  const out: VenueResponse[] = [];
  const sideOf = new Map<string, Side>();
  let placed = false;
  const place = (s: Side, k: number, t: number): void => {
    // Never marketable, even on a momentarily crossed book.
    const bid = Math.min(v.book.bestBid(), v.book.bestAsk() - 1); const ask = Math.max(v.book.bestAsk(), v.book.bestBid() + 1);
    const px = s === Side.Bid ? bid - offsetTicks - k : ask + offsetTicks + k;
    const id = `b${seq++}`;
    sideOf.set(id, s);
    v.submit({ clientOrderId: id, side: s === Side.Bid ? 'buy' : 'sell', type: 'limit', timeInForce: 'GTC', priceTicks: px, sizeLots: 100_000 }, t);
  };
  fills = 0; replaced = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    v.onMarket(batch, i);
    if (!placed && batch.kind[i] === KindCode.trade && Number.isFinite(v.book.bestBid()) && Number.isFinite(v.book.bestAsk()) && !v.book.isCrossed()) {
      const t = v.nowUs;
      for (let k = 0; k < RESTING / 2; k++) { place(Side.Bid, k * (offsetTicks > 0 ? 100 : 1), t); place(Side.Ask, k * (offsetTicks > 0 ? 100 : 1), t); }
      v.advanceTo(t);
      placed = true;
    }
    if (v.nextResponseTimeUs() <= v.nowUs) {
      out.length = 0;
      v.drainResponses(v.nowUs, out);
      for (const r of out) {
        if (r.kind !== 'filled') continue;
        fills++;
        if (replace && r.leavesLots === 0) {
          place(sideOf.get(r.clientOrderId)!, 0, v.nowUs);
          v.advanceTo(v.nowUs);
          replaced++;
        }
      }
    }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  sink += v.openOrders().length;
  if (v.openOrders().length !== RESTING) throw new Error(`expected ${RESTING} resting orders, ${v.openOrders().length} left`);
  return ns;
}

const scenarios: Array<[string, () => number]> = [
  ['peer: bare L2Book update loop', peer],
  ['SimVenue, 10 resting far from the touch (risk-averse)', () => venueRun(() => new RiskAverseQueue(), 50_000, false)],
  ['SimVenue, 10 at the touch, re-placed on fill (risk-averse)', () => venueRun(() => new RiskAverseQueue(), 0, true)],
  ['SimVenue, 10 at the touch, re-placed on fill (prob power2)', () => venueRun(() => new ProbQueue(power2Prob(2)), 0, true)],
];

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; };
const results = new Map<string, number[]>();
const activity = new Map<string, string>();
for (let w = 0; w < 3; w++) for (const [, f] of scenarios) f(); // warm up the JIT
for (let r = 0; r < REPS; r++) {
  for (const [name, f] of scenarios) {
    if (!results.has(name)) results.set(name, []);
    fills = 0; replaced = 0;
    results.get(name)!.push(f());
    activity.set(name, `${fills} fills, ${replaced} re-placed`);
  }
}

const peerNs = median(results.get(scenarios[0]![0])!) / N;
console.log(`rows: ${N} (${bookRows} book, ${N - bookRows} trades) from btcusdt_20240808+09; ${REPS} repetitions, median`);
console.log('');
console.log('| scenario | ns/event | overhead vs peer, ns/event | × peer | per pass |');
console.log('|---|---:|---:|---:|---|');
for (const [name] of scenarios) {
  const ns = median(results.get(name)!) / N;
  console.log(`| ${name} | ${ns.toFixed(1)} | ${name.startsWith('peer') ? '—' : (ns - peerNs).toFixed(1)} | ${(ns / peerNs).toFixed(2)} | ${activity.get(name) ?? ''} |`);
}
if (sink === 42) console.log('');
