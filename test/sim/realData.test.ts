/**
 * Passive quotes left on the real Binance spot BTCUSDT capture (2024-08-08, hftbacktest recorder):
 * every fill must be explained by the real rows at the quote's price, the risk-averse model must not
 * fill before the traded volume at the price has exceeded the smallest level seen since joining, and
 * no probabilistic model may fill a quote later than the risk-averse model does.
 */
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../src/model/book/L2Book.ts';
import { BookFlag, KindCode, Side } from '../../src/model/market.ts';
import { ConstantLatency } from '../../src/sim/ConstantLatency.ts';
import { ProbQueue } from '../../src/sim/ProbQueue.ts';
import { RiskAverseQueue } from '../../src/sim/RiskAverseQueue.ts';
import { SimVenue } from '../../src/sim/SimVenue.ts';
import type { QueueModel } from '../../src/sim/QueueModel.ts';
import type { VenueResponse } from '../../src/sim/VenueResponse.ts';
import { log2Prob, logProb, power2Prob, power3Prob, powerProb } from '../../src/sim/probFunctions.ts';
import { loadSpotCapture } from './captureBatch.ts';

const FILE = '/work/shared/data/binance-capture/spot/btcusdt_20240808.gz';
const QUOTE_LOTS = 100_000; // 0.001 BTC at lot 1e-8
const EVERY_US = 15_000_000;

const MODELS: Array<[string, () => QueueModel]> = [
  ['risk-averse', () => new RiskAverseQueue()],
  ['power(2)', () => new ProbQueue(powerProb(2))],
  ['power2(2)', () => new ProbQueue(power2Prob(2))],
  ['power3(2)', () => new ProbQueue(power3Prob(2))],
  ['log', () => new ProbQueue(logProb)],
  ['log2', () => new ProbQueue(log2Prob)],
];

interface QuoteFill { row: number; lots: number }
interface Quote { id: string; side: Side; priceTicks: number; placedRow: number; fills: QuoteFill[] }

const { batch, instrument, gaps } = loadSpotCapture(FILE, 'BTCUSDT');

/** Runs one model: every EVERY_US of venue time, joins the best bid and the best ask with one quote each. */
function run(makeQueue: () => QueueModel): Quote[] {
  const v = new SimVenue({ instrument, latency: new ConstantLatency(0, 0), queue: makeQueue(), fillMode: 'no-partial' });
  const quotes: Quote[] = [];
  const byId = new Map<string, Quote>();
  const out: VenueResponse[] = [];
  let nextQuoteUs = Number.NaN;
  for (let i = 0; i < batch.length; i++) {
    v.onMarket(batch, i);
    const t = v.nowUs;
    // Quote only on a consistent book (after a whole message) once trading is under way.
    if (batch.kind[i] === KindCode.trade && Number.isNaN(nextQuoteUs)) nextQuoteUs = t + EVERY_US;
    if (t >= nextQuoteUs && (batch.flags[i]! & BookFlag.EndOfMessage) !== 0 && !v.book.isCrossed()) {
      nextQuoteUs += EVERY_US;
      for (const side of [Side.Bid, Side.Ask] as const) {
        const q: Quote = { id: `q${quotes.length}`, side, priceTicks: side === Side.Bid ? v.book.bestBid() : v.book.bestAsk(), placedRow: i, fills: [] };
        quotes.push(q); byId.set(q.id, q);
        v.submit({ clientOrderId: q.id, side: side === Side.Bid ? 'buy' : 'sell', type: 'limit', timeInForce: 'POST_ONLY', priceTicks: q.priceTicks, sizeLots: QUOTE_LOTS }, t);
      }
      v.advanceTo(t);
    }
    out.length = 0;
    v.drainResponses(t, out);
    for (const r of out) {
      if (r.kind === 'rejected') throw new Error(`quote ${r.clientOrderId} rejected: ${r.reason}`);
      if (r.kind === 'filled') byId.get(r.clientOrderId)!.fills.push({ row: i, lots: r.sizeLots });
    }
  }
  return quotes;
}

const runs = new Map(MODELS.map(([name, make]) => [name, run(make)]));

/**
 * Independent oracle from the raw rows: for a quote, what each row after placement did at its price
 * (a separate L2Book replays the depth for the opposite best price and the level at our price).
 */
const explained = new Map<string, { why: Map<number, string>; raBound: Map<number, number> }>();
function explain(q: Quote): { why: Map<number, string>; raBound: Map<number, number> } {
  const key = `${q.placedRow}:${q.side}:${q.priceTicks}`;
  let e = explained.get(key);
  if (!e) { e = explainUncached(q); explained.set(key, e); }
  return e;
}

function explainUncached(q: Quote): { why: Map<number, string>; raBound: Map<number, number> } {
  const book = new L2Book(instrument.id);
  const why = new Map<number, string>();
  const raBound = new Map<number, number>();
  let traded = 0; let minLevel = Number.POSITIVE_INFINITY; let decisive = false;
  for (let i = 0; i < batch.length; i++) {
    const kind = batch.kind[i]!; const side = batch.side[i]!; const px = batch.price[i]!; const sz = batch.size[i]!;
    if (kind === KindCode.book) book.applyRow(side, px, sz, batch.flags[i]!);
    if (i < q.placedRow) continue;
    if (i === q.placedRow) { minLevel = book.sizeAt(q.side, q.priceTicks); continue; }
    const opposite = -q.side;
    if (kind === KindCode.trade && side === opposite) {
      const through = q.side === Side.Bid ? px < q.priceTicks : px > q.priceTicks;
      if (through) { why.set(i, 'trade through'); decisive = true; } else if (px === q.priceTicks) { traded += sz; why.set(i, 'trade at price'); }
    } else if (kind === KindCode.book) {
      if (side === q.side && px === q.priceTicks) { minLevel = Math.min(minLevel, sz); why.set(i, 'depth at price'); }
      const best = q.side === Side.Bid ? book.bestAsk() : book.bestBid();
      if (side === opposite && (q.side === Side.Bid ? best <= q.priceTicks : best >= q.priceTicks)) { why.set(i, 'crossed'); decisive = true; }
    }
    raBound.set(i, decisive ? Number.POSITIVE_INFINITY : Math.max(0, traded - minLevel));
  }
  return { why, raBound };
}

const firstFillRow = (q: Quote): number => q.fills[0]?.row ?? Number.POSITIVE_INFINITY;
function doneRow(q: Quote): number {
  let sum = 0;
  for (const f of q.fills) { sum += f.lots; if (sum === QUOTE_LOTS) return f.row; }
  return Number.POSITIVE_INFINITY;
}

describe('passive quotes on the real Binance spot BTCUSDT capture', () => {
  it('replays the capture without a sequence gap and places quotes throughout it', () => {
    expect(gaps).toBe(0);
    expect(runs.get('risk-averse')!.length).toBeGreaterThanOrEqual(30);
  });

  it.each(MODELS.map(([name]) => name))('%s: every fill happens at a row that trades or changes depth at (or through) the quote price, never above its size', (name) => {
    let filledQuotes = 0;
    for (const q of runs.get(name)!) {
      const { why, raBound } = explain(q);
      let cum = 0;
      for (const f of q.fills) {
        cum += f.lots;
        const reason = why.get(f.row);
        expect(reason, `${name} ${q.id} filled at row ${f.row} with nothing at its price`).toBeDefined();
        if (name === 'risk-averse') {
          // The conservative model never moves on a depth change alone...
          expect(reason).not.toBe('depth at price');
          // ...and never before the volume traded at the price exceeds the smallest level since joining.
          expect(cum).toBeLessThanOrEqual(raBound.get(f.row)!);
        }
      }
      expect(cum).toBeLessThanOrEqual(QUOTE_LOTS);
      if (cum > 0) filledQuotes++;
    }
    expect(filledQuotes).toBeGreaterThan(0);
  });

  it('the risk-averse model fills some quotes from the queue (trades at the price), not only by trade-through or crossing', () => {
    const queueFills = runs.get('risk-averse')!.filter((q) => q.fills.some((f) => explain(q).why.get(f.row) === 'trade at price'));
    expect(queueFills.length).toBeGreaterThan(0);
  });

  it.each(MODELS.slice(1).map(([name]) => name))('%s never fills a quote later than the risk-averse model (first lot and last lot)', (name) => {
    const ra = runs.get('risk-averse')!;
    const pm = runs.get(name)!;
    expect(pm.map((q) => q.priceTicks)).toEqual(ra.map((q) => q.priceTicks));
    let earlier = 0;
    ra.forEach((qa, k) => {
      const qp = pm[k]!;
      expect(firstFillRow(qp), `${qa.id} first fill`).toBeLessThanOrEqual(firstFillRow(qa));
      expect(doneRow(qp), `${qa.id} complete`).toBeLessThanOrEqual(doneRow(qa));
      if (firstFillRow(qp) < firstFillRow(qa)) earlier++;
    });
    // The depth drops a probabilistic model credits must matter somewhere in ten minutes of BTCUSDT.
    expect(earlier).toBeGreaterThan(0);
  });
});
