/**
 * HotPathWarmer: a shadow kernel of the same scenario requoting around the real run's top of book,
 * its orders handed to the adapter's dry run. Shown on the real Binance BTCUSDT capture (demo market
 * maker): the real run's events are byte-identical with and without warm steps between its messages,
 * the shadow requotes (orders near the real touch, two per step), it waits for a top of book, and it
 * is rebuilt so its memory stays bounded.
 */
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { openMarketStream, prepareData } from '../../src/cli/prepareData.ts';
import { HotPathWarmer, SETTLE_STEPS, type WarmTop } from '../../src/engine/live/HotPathWarmer.ts';
import { VenuePort } from '../../src/engine/live/VenuePort.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { Kernel } from '../../src/engine/Kernel.ts';
import type { ExecutionVenue } from '../../src/engine/ports.ts';
import type { Scenario } from '../../src/engine/scenario.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import type { NewEvent, OrderIntentData } from '../../src/model/events.ts';
import type { InstrumentSpec } from '../../src/model/instrument.ts';
import { allocBatch, BookFlag, KindCode, type MarketBatch } from '../../src/model/market.ts';
import type { VenueReport } from '../../src/model/orders.ts';

const ROOT = join(import.meta.dirname, '../..');
const ROWS = 20_000;
let scenario: Scenario;
let specs: readonly InstrumentSpec[];
/** The first ROWS rows of the capture, one row per batch, venue time = receive time (paper). */
let rows: MarketBatch[] = [];

beforeAll(async () => {
  const { scenario: sc, path } = loadScenario('scenarios/demo-mm-btcusdt.json', ROOT);
  scenario = sc;
  const data = await prepareData(sc, dirname(path), ROOT, mkdtempSync(join(tmpdir(), 'hft-warm-ticks-')), () => {});
  const stream = openMarketStream(sc, data);
  specs = stream.instruments;
  rows = [];
  for await (const b of stream) {
    for (let i = 0; i < b.length && rows.length < ROWS; i++) {
      const r = allocBatch(1);
      r.length = 1;
      for (const k of ['kind', 'instrument', 'tsRecv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const) r[k][0] = b[k][i]!;
      r.tsEvent[0] = b.tsRecv[i]!;
      rows.push(r);
    }
    if (rows.length >= ROWS) break;
  }
}, 120_000);

const startUs = 1_723_161_000_000_000;
const paperKernel = (): Kernel => new Kernel(createLiveRun({ mode: 'paper', scenario, scenarioPath: 'demo', instruments: specs, store: new MemoryEventStore(), codeVersion: 'test', startUs }).kernel);

function warmerFor(real: Kernel, signed: OrderIntentData[], rebuildEvery?: number): HotPathWarmer {
  return new HotPathWarmer({
    shadow: (v: ExecutionVenue) => createLiveRun({ mode: 'live', scenario, scenarioPath: 'demo', instruments: specs, store: new MemoryEventStore(), codeVersion: 'warm', startUs, venue: v }).kernel,
    top: (idx) => real.top(idx), warmOrder: (o) => signed.push(o), startUs,
    ...(rebuildEvery !== undefined ? { rebuildEvery } : {}),
  });
}

/** Steps every row through `k` (advancing to its time after it, as the session's ticker does); `between` runs after each. */
function drive(k: Kernel, between?: (row: number) => void): string[] {
  const out: NewEvent[] = [];
  rows.forEach((r, i) => {
    out.push(...k.step(r), ...k.advance(r.tsRecv[0]!));
    between?.(i);
  });
  out.push(...k.finish());
  return out.map((e) => JSON.stringify(e));
}

describe('HotPathWarmer', () => {
  it('leaves the real run untouched: the same events, byte for byte, with a warm step after every message', () => {
    const plain = drive(paperKernel());
    const real = paperKernel();
    const signed: OrderIntentData[] = [];
    const w = warmerFor(real, signed, 500);
    const warmed = drive(real, () => w.step());
    expect(plain.length).toBeGreaterThan(500);
    expect(plain.some((e) => e.includes('"type":"order.submitted"'))).toBe(true);
    expect(warmed).toEqual(plain);
    expect(w.stats.steps).toBeGreaterThan(ROWS * 0.9);
    expect(signed.length).toBeGreaterThan(w.stats.steps);
  });

  it('requotes every step around the real touch: a bid below an ask, inside the real spread, signed by the adapter', () => {
    const real = paperKernel();
    const signed: OrderIntentData[] = [];
    const w = warmerFor(real, signed);
    let checked = 0;
    drive(real, (i) => {
      if (i % 97 !== 0) return;
      const before = signed.length;
      if (!w.step()) return;
      const top = real.top(0);
      const fresh = signed.slice(before);
      // The demo maker quotes one post-only level each side at the (shifted) touch; after a dry fill
      // it quotes again (both sides move with the inventory skew): a few more orders in that step.
      expect(fresh.filter((o) => o.side === 'buy').length).toBeGreaterThanOrEqual(1);
      expect(fresh.filter((o) => o.side === 'sell').length).toBeGreaterThanOrEqual(1);
      expect(fresh.length).toBeLessThanOrEqual(6);
      for (const o of fresh) {
        expect(o.timeInForce).toBe('POST_ONLY');
        expect(o.sizeLots).toBe(100_000);
        // Inside the real spread shifted by the warm row's one tick (the maker quotes around the mid).
        // One more tick either way for the inventory skew after a dry fill (at most one order held:
        // 3 ticks at the 0.01 BTC maximum, 0.3 at 0.001).
        expect(o.priceTicks).toBeGreaterThanOrEqual(top.bidTicks - 2);
        expect(o.priceTicks).toBeLessThanOrEqual(top.askTicks + 2);
      }
      expect(fresh.findLast((o) => o.side === 'buy')!.priceTicks).toBeLessThan(fresh.findLast((o) => o.side === 'sell')!.priceTicks);
      checked++;
    });
    expect(checked).toBeGreaterThan(150);
  });

  it('fills every 32nd order of each side, so the fill path runs in the shadow, and keeps quoting both sides', () => {
    const real = paperKernel();
    const signed: OrderIntentData[] = [];
    const w = warmerFor(real, signed);
    drive(real, () => w.step());
    expect(w.stats.steps).toBeGreaterThan(ROWS * 0.9);
    const buys = signed.filter((o) => o.side === 'buy').length;
    const sells = signed.filter((o) => o.side === 'sell').length;
    expect(w.stats.fills).toBe(Math.floor(buys / 32) + Math.floor(sells / 32));
    expect(w.stats.fills).toBeGreaterThan(100);
    // Inventory within one order of flat (0.001 BTC each side, maxPosition 0.01): both sides go on quoting.
    expect(Math.abs(buys - sells)).toBeLessThan(0.05 * signed.length);
    expect(signed.slice(-20).some((o) => o.side === 'buy') && signed.slice(-20).some((o) => o.side === 'sell')).toBe(true);
  });

  it('primes before the real run has a top of book, around a given one', () => {
    const real = paperKernel();
    const signed: OrderIntentData[] = [];
    const w = warmerFor(real, signed);
    expect(w.step()).toBe(false);
    // BTCUSDT around 61,000 USDT (ticks of 0.01, lots of 1e-8).
    expect(w.prime(1_000, () => ({ bidTicks: 6_100_000, bidLots: 50_000_000, askTicks: 6_100_001, askLots: 20_000_000 }))).toBe(1_000);
    expect(w.stats.steps).toBe(1_000);
    expect(signed.length).toBeGreaterThanOrEqual(2_000);
    for (const o of signed) expect(Math.abs(o.priceTicks - 6_100_000)).toBeLessThanOrEqual(10);
    expect(w.prime(5, () => ({ bidTicks: Number.NaN, bidLots: 0, askTicks: Number.NaN, askLots: 0 }))).toBe(0);
  });

  it('settles on the last primed shadow kernel: SETTLE_STEPS more steps, no rebuild, no new snapshot', () => {
    const signed: OrderIntentData[] = [];
    const w = new HotPathWarmer({
      shadow: (v: ExecutionVenue) => createLiveRun({ mode: 'live', scenario, scenarioPath: 'demo', instruments: specs, store: new MemoryEventStore(), codeVersion: 'warm', startUs, venue: v }).kernel,
      top: () => ({ bidTicks: Number.NaN, bidLots: 0, askTicks: Number.NaN, askLots: 0 }), warmOrder: (o) => signed.push(o), startUs,
    });
    const top = (): WarmTop => ({ bidTicks: 6_100_000, bidLots: 50_000_000, askTicks: 6_100_001, askLots: 20_000_000 });
    expect(w.prime(4_500, top)).toBe(4_500);
    const before = { ...w.stats };
    const orders = signed.length;
    // What bench/live and `hft live` run after building the session's kernel.
    expect(w.prime(SETTLE_STEPS, top)).toBe(SETTLE_STEPS);
    expect(w.stats.rebuilds).toBe(before.rebuilds);
    expect(w.stats.snapshots).toBe(before.snapshots);
    expect(w.stats.steps).toBe(before.steps + SETTLE_STEPS);
    expect(signed.length - orders).toBeGreaterThanOrEqual(SETTLE_STEPS);
  });

  it('steps around the primed top while the real run has none yet, and around the real one once it has', () => {
    let real: WarmTop = { bidTicks: Number.NaN, bidLots: 0, askTicks: Number.NaN, askLots: 0 };
    const signed: OrderIntentData[] = [];
    const w = new HotPathWarmer({
      shadow: (v: ExecutionVenue) => createLiveRun({ mode: 'live', scenario, scenarioPath: 'demo', instruments: specs, store: new MemoryEventStore(), codeVersion: 'warm', startUs, venue: v }).kernel,
      top: () => real, warmOrder: (o) => signed.push(o), startUs,
    });
    expect(w.step()).toBe(false);
    // A prime around an unusable top runs nothing and leaves no fallback.
    expect(w.prime(5, () => real)).toBe(0);
    expect(w.step()).toBe(false);
    expect(w.prime(100, () => ({ bidTicks: 6_100_000, bidLots: 50_000_000, askTicks: 6_100_001, askLots: 20_000_000 }))).toBe(100);
    signed.length = 0;
    for (let i = 0; i < 50; i++) expect(w.step()).toBe(true);
    expect(signed.length).toBeGreaterThan(0);
    for (const o of signed) expect(Math.abs(o.priceTicks - 6_100_000)).toBeLessThanOrEqual(10);
    real = { bidTicks: 6_200_000, bidLots: 10_000_000, askTicks: 6_200_002, askLots: 10_000_000 };
    signed.length = 0;
    for (let i = 0; i < 50; i++) expect(w.step()).toBe(true);
    expect(signed.length).toBeGreaterThan(0);
    for (const o of signed.slice(-10)) expect(Math.abs(o.priceTicks - 6_200_001)).toBeLessThanOrEqual(10);
  });

  it('waits for a top of book: no step before the real run has seen one', () => {
    const real = paperKernel();
    const signed: OrderIntentData[] = [];
    const w = warmerFor(real, signed);
    expect(w.step()).toBe(false);
    expect(w.stats).toMatchObject({ steps: 0, skipped: 1, orders: 0 });
    expect(signed).toEqual([]);
  });

  it('rebuilds its shadow so closed orders do not pile up', () => {
    const real = paperKernel();
    const w = warmerFor(real, [], 100);
    drive(real, () => w.step());
    expect(w.stats.rebuilds).toBeGreaterThanOrEqual(Math.floor(w.stats.steps / 100));
  });

  it('primes over fresh shadow generations, each with its dry venue behind its own VenuePort, and feeds trade and depth rows', () => {
    const ports: ExecutionVenue[] = [];
    const rows: { kind: number; side: number; price: number; size: number; flags: number }[] = [];
    const reports: VenueReport[] = [];
    const signed: OrderIntentData[] = [];
    const w = new HotPathWarmer({
      shadow: (v: ExecutionVenue) => {
        ports.push(v);
        const cfg = createLiveRun({ mode: 'live', scenario, scenarioPath: 'demo', instruments: specs, store: new MemoryEventStore(), codeVersion: 'warm', startUs, venue: v }).kernel;
        // What the venue side of the shadow sees: every row of every warm step.
        const spy: ExecutionVenue = {
          onMarketRow: (b, i, id) => { rows.push({ kind: b.kind[i]!, side: b.side[i]!, price: b.price[i]!, size: b.size[i]!, flags: b.flags[i]! }); v.onMarketRow(b, i, id); },
          advanceTo: (t) => v.advanceTo(t), submit: (o, t) => v.submit(o, t), cancel: (id, t) => v.cancel(id, t), modify: (id, p, s, t) => v.modify(id, p, s, t),
          nextResponseUs: () => v.nextResponseUs(),
          takeResponses: (t) => { const r = v.takeResponses(t); for (const x of r) if ('report' in x) reports.push(x.report); return r; },
        };
        return { ...cfg, venue: spy };
      },
      top: () => ({ bidTicks: Number.NaN, bidLots: 0, askTicks: Number.NaN, askLots: 0 }), warmOrder: (o) => signed.push(o), startUs,
    });
    expect(w.prime(5_000, () => ({ bidTicks: 6_100_000, bidLots: 50_000_000, askTicks: 6_100_001, askLots: 20_000_000 }))).toBe(5_000);
    // The constructor's shadow, then a fresh one at steps 2,000 and 4,000.
    expect(w.stats.rebuilds).toBe(3);
    expect(ports).toHaveLength(3);
    for (const p of ports) expect(p).toBeInstanceOf(VenuePort);
    expect(new Set(ports.map((p) => (p as VenuePort).inner)).size).toBe(3);
    // One best bid/offer row a step; every 4th step a trade and a depth update ending its message.
    expect(rows.filter((r) => r.kind === KindCode.bbo)).toHaveLength(5_000);
    const trades = rows.filter((r) => r.kind === KindCode.trade);
    expect(trades).toHaveLength(5_000 / 4);
    expect(new Set(trades.map((r) => r.side))).toEqual(new Set([1, -1]));
    const book = rows.filter((r) => r.kind === KindCode.book && (r.flags & BookFlag.Snapshot) === 0);
    expect(book.filter((r) => (r.flags & BookFlag.EndOfMessage) !== 0)).toHaveLength(5_000 / 4);
    // Each shadow kernel starts with a 200-level-a-side snapshot: Clear on its first row, the end of
    // message on its last, bids under the touch and asks over it, some past the book's dense window.
    const snap = rows.filter((r) => (r.flags & BookFlag.Snapshot) !== 0);
    expect(w.stats.snapshots).toBe(3);
    expect(snap).toHaveLength(3 * 400);
    for (let g = 0; g < 3; g++) {
      const one = snap.slice(g * 400, (g + 1) * 400);
      expect(one.map((r) => r.flags & (BookFlag.Clear | BookFlag.EndOfMessage))).toEqual([BookFlag.Clear, ...Array(398).fill(0), BookFlag.EndOfMessage]);
      const bids = one.filter((r) => r.side === 1).map((r) => r.price);
      const asks = one.filter((r) => r.side === -1).map((r) => r.price);
      expect(new Set(bids).size).toBe(200);
      expect(new Set(asks).size).toBe(200);
      expect(Math.max(...bids)).toBeLessThan(Math.min(...asks));
      expect(Math.min(...bids)).toBeLessThan(6_100_000 - 65_536);
      expect(Math.max(...asks)).toBeGreaterThan(6_100_001 + 65_536);
      expect(one.every((r) => r.size > 0)).toBe(true);
    }
    // Partial fills: one part when accepted, one more while the cancel is pending, just before it.
    expect(w.stats.partialFills).toBeGreaterThan(50);
    const fills = reports.filter((r) => r.kind === 'fill');
    const size = new Map(signed.map((o) => [o.clientOrderId, o.sizeLots]));
    const parts = fills.filter((f) => f.sizeLots < size.get(f.clientOrderId)!);
    expect(parts.length).toBe(w.stats.partialFills);
    const raced = reports.filter((r, i) => r.kind === 'fill' && reports[i + 1]?.kind === 'canceled' && reports[i + 1]!.clientOrderId === r.clientOrderId);
    expect(raced.length).toBeGreaterThan(20);
    // Fees as the venue states them: non-zero, 8 decimals, in the settle currency.
    for (const f of fills) expect(f).toMatchObject({ fee: expect.stringMatching(/^0\.0000[1-9]\d{3}$/), feeCurrency: 'USDT' });
    // Levels set near the touch on both sides, and the previous update's levels deleted (size 0).
    expect(book.filter((r) => r.size > 0 && r.side === 1).every((r) => Math.abs(r.price - 6_100_000) <= 4)).toBe(true);
    expect(book.filter((r) => r.size > 0 && r.side === -1).every((r) => Math.abs(r.price - 6_100_001) <= 4)).toBe(true);
    expect(book.filter((r) => r.size === 0).length).toBeGreaterThan(1_000);
  });

  it('rejects the 16th order of every 64 of each side as a post-only order that would take, and fills none of them', () => {
    const real = paperKernel();
    const signed: OrderIntentData[] = [];
    const w = warmerFor(real, signed);
    drive(real, () => w.step());
    const perSide = (n: number): number => (n >= 16 ? Math.floor((n - 16) / 64) + 1 : 0);
    const buys = signed.filter((o) => o.side === 'buy').length;
    const sells = signed.filter((o) => o.side === 'sell').length;
    expect(w.stats.rejects).toBe(perSide(buys) + perSide(sells));
    expect(w.stats.rejects).toBeGreaterThan(50);
    expect(w.stats.fills).toBe(Math.floor(buys / 32) + Math.floor(sells / 32));
  });
});

