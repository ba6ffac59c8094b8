/**
 * One test per injected fault, against the emulator replaying the real Binance spot BTCUSDT capture.
 * Market data: the capture is its own oracle (every bookTicker whose `u` equals the last applied diff's
 * `u` must show our rebuilt best bid/ask exactly), so "recovered" means zero disagreements after the
 * resync. Execution: no rejection for an ambiguous failure, one venue order per client id under
 * retries, every fill once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve, join } from 'node:path';
import { createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { BinanceSpotMarketData } from '../../src/adapters/binance/BinanceSpotMarketData.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { L2Book } from '../../src/model/book/L2Book.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';
import { BookFlag, type Gap, type MarketEvent } from '../../src/model/market.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { sleep, waitFor } from '../core/waitFor.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE = ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'].map((f) => join(ROOT, f));
const spec = captureInstruments.find((s) => s.id === 'binance-spot:BTCUSDT')!;
const inst = instrument(spec);

let emu: BinanceSpotEmulator;
beforeAll(async () => { emu = await startEmulator({ captures: CAPTURE, speed: 10, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, ROOT); });
afterAll(async () => { await emu?.close(); });

/** A feed client plus the capture's own bookTicker oracle on the book it rebuilds. */
function feedHarness(staleAfterMs = 5000) {
  const book = new L2Book(spec.id);
  const gaps: Gap[] = [];
  let lastU = -1; let synced = false;
  const oracle = { checked: 0, mismatched: 0 };
  const pending = new Map<number, Extract<MarketEvent, { kind: 'bbo' }>>();
  const check = (q: Extract<MarketEvent, { kind: 'bbo' }>): void => {
    oracle.checked++;
    if (book.bestBid() !== q.bidPriceTicks || book.bestAsk() !== q.askPriceTicks || book.bestBidSize() !== q.bidSizeLots || book.bestAskSize() !== q.askSizeLots) oracle.mismatched++;
  };
  const md = new BinanceSpotMarketData({
    restUrl: emu.url.rest, wsUrl: emu.url.ws, instruments: [spec], clockUs: wallClockUs(), staleAfterMs, backoffInitialMs: 20,
    onEvents: (events: MarketEvent[]) => {
      for (const e of events) {
        if (e.kind === 'gap') { gaps.push(e); book.clear(); synced = false; pending.clear(); continue; }
        if (e.kind === 'book') {
          book.applyRow(e.side, e.priceTicks, e.sizeLots, e.flags);
          if ((e.flags & BookFlag.EndOfMessage) !== 0) {
            lastU = e.updateId; synced = true;
            // bookTickers are pushed at once, a 100 ms diff at its end: the matching ticker came first.
            const q = pending.get(lastU);
            if (q) check(q);
            pending.clear();
          }
        } else if (e.kind === 'bbo') {
          if (synced && e.updateId === lastU) check(e);
          else if (e.updateId > lastU) pending.set(e.updateId, e);
        }
      }
    },
  });
  return { md, gaps, oracle };
}


describe('market data faults', () => {
  it('a dropped diff is a sequence gap, followed by a new snapshot and a book that agrees with every checkable bookTicker', async () => {
    const h = feedHarness();
    h.md.start();
    await waitFor(() => h.md.stats.snapshots === 1 && h.oracle.checked > 0, 10_000, 'first sync');
    emu.faults.dropDiffs = 1;
    await waitFor(() => h.gaps.length > 0 && h.md.stats.snapshots === 2, 10_000, 'gap and resync');
    const before = h.oracle.checked;
    await waitFor(() => h.oracle.checked > before + 3, 10_000, 'oracle checks after resync');
    h.md.stop();
    expect(h.gaps.map((g) => g.reason)).toEqual(['sequence']);
    expect(h.gaps[0]!.detail).toMatch(/expected U=\d+/);
    expect(h.md.stats.connects).toBe(1);
    expect(h.oracle.mismatched).toBe(0);
  }, 30_000);

  it('a venue-side disconnect is a disconnect gap, then a reconnect, a resync and an agreeing book', async () => {
    const h = feedHarness();
    h.md.start();
    await waitFor(() => h.md.stats.snapshots === 1, 10_000, 'first sync');
    emu.disconnectMarket();
    await waitFor(() => h.md.stats.connects === 2 && h.md.stats.snapshots === 2, 10_000, 'reconnect and resync');
    const before = h.oracle.checked;
    await waitFor(() => h.oracle.checked > before + 3, 10_000, 'oracle checks after reconnect');
    h.md.stop();
    expect(h.gaps.map((g) => g.reason)).toEqual(['disconnect']);
    expect(h.oracle.mismatched).toBe(0);
  }, 30_000);

  it('a silent feed is reported stale, reconnected and resynced once messages flow again', async () => {
    const h = feedHarness(300);
    h.md.start();
    await waitFor(() => h.md.stats.snapshots === 1, 10_000, 'first sync');
    emu.faults.stallMarket = true;
    await waitFor(() => h.gaps.some((g) => g.reason === 'stale'), 5_000, 'stale gap');
    emu.faults.stallMarket = false;
    await waitFor(() => h.md.stats.connects >= 2 && h.md.stats.snapshots >= 2, 10_000, 'reconnect after stale');
    const before = h.oracle.checked;
    await waitFor(() => h.oracle.checked > before + 3, 10_000, 'oracle checks after stale');
    h.md.stop();
    expect(h.gaps[0]!.reason).toBe('stale');
    expect(h.gaps[0]!.detail).toMatch(/no message for \d+ ms/);
    expect(h.oracle.mismatched).toBe(0);
  }, 30_000);
});

/** An execution adapter on the emulator with its reports collected. */
async function execHarness() {
  const client = createBinanceCcxt({ apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest, timeoutMs: 1000 });
  const reports: VenueReport[] = [];
  const exec: BinanceExecution = new BinanceExecution({
    client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [inst], clockUs: wallClockUs(), retryDelayMs: 50,
    onReport: () => { for (const r of exec.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
  });
  await exec.start();
  return { exec, reports };
}

async function touch(): Promise<{ bidTicks: number; askTicks: number }> {
  const d = (await (await fetch(`${emu.url.rest}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json()) as { bids: [string, string][]; asks: [string, string][] };
  return { bidTicks: inst.tick.toUnits(d.bids[0]![0]), askTicks: inst.tick.toUnits(d.asks[0]![0]) };
}

const restingBuy = (id: string, priceTicks: number): OrderIntentData => ({
  clientOrderId: id, strategyId: 't', instrument: spec.id, side: 'buy', type: 'limit', timeInForce: 'POST_ONLY', priceTicks, sizeLots: 100_000, reduceOnly: false, tag: '',
});
const kinds = (rs: VenueReport[], id: string) => rs.filter((r) => r.clientOrderId === id).map((r) => r.kind);

describe('execution faults', () => {
  it('a delayed ack leaves the order in flight (no answer, no rejection) until the venue answers', async () => {
    const { exec, reports } = await execHarness();
    const { bidTicks } = await touch();
    emu.faults.ackDelayMs = 400;
    exec.submit(restingBuy('fdelay1', bidTicks - 10_000), 0);
    await sleep(150);
    expect(kinds(reports, 'fdelay1')).toEqual([]);
    emu.faults.ackDelayMs = 0;
    await waitFor(() => kinds(reports, 'fdelay1').includes('accepted'), 5_000, 'delayed ack');
    expect(kinds(reports, 'fdelay1')).toEqual(['accepted']);
    exec.cancel('fdelay1', 0);
    await waitFor(() => kinds(reports, 'fdelay1').includes('canceled'), 5_000, 'cancel');
    exec.stop();
  }, 20_000);

  it('a lost ack is resolved by querying the client id: accepted, one venue order, no resend', async () => {
    const { exec, reports } = await execHarness();
    const { bidTicks } = await touch();
    const created = emu.stats.ordersCreated;
    emu.faults.loseAcks = 1;
    exec.submit(restingBuy('flost1', bidTicks - 10_000), 0);
    await waitFor(() => kinds(reports, 'flost1').includes('accepted'), 5_000, 'resolution');
    expect(kinds(reports, 'flost1')).not.toContain('rejected');
    expect(exec.stats.ambiguous).toBe(1);
    expect(exec.stats.resends).toBe(0);
    expect(emu.stats.ordersCreated - created).toBe(1);
    expect(emu.openOrderIds()).toContain('flost1');
    exec.cancel('flost1', 0);
    await waitFor(() => kinds(reports, 'flost1').includes('canceled'), 5_000, 'cancel');
    exec.stop();
  }, 20_000);

  it('a 429 is not a rejection: the query finds nothing, the same client id is sent again, one venue order', async () => {
    const { exec, reports } = await execHarness();
    const { bidTicks } = await touch();
    const created = emu.stats.ordersCreated;
    emu.faults.rateLimit429 = 1;
    exec.submit(restingBuy('f429a', bidTicks - 10_000), 0);
    await waitFor(() => kinds(reports, 'f429a').includes('accepted'), 5_000, 'accepted after 429');
    expect(kinds(reports, 'f429a')).toEqual(['accepted']);
    expect(exec.stats.resends).toBe(1);
    expect(emu.stats.ordersCreated - created).toBe(1);
    exec.cancel('f429a', 0);
    await waitFor(() => kinds(reports, 'f429a').includes('canceled'), 5_000, 'cancel');
    exec.stop();
  }, 20_000);

  it('a 5xx after the venue processed the order is resolved by query, never resent into a duplicate', async () => {
    const { exec, reports } = await execHarness();
    const { bidTicks } = await touch();
    const created = emu.stats.ordersCreated; const dups = emu.stats.duplicateRejects;
    emu.faults.server5xx = 1;
    exec.submit(restingBuy('f5xx1', bidTicks - 10_000), 0);
    await waitFor(() => kinds(reports, 'f5xx1').includes('accepted'), 5_000, 'accepted after 5xx');
    expect(kinds(reports, 'f5xx1')).toEqual(['accepted']);
    expect(exec.stats.resends).toBe(0);
    expect(emu.stats.ordersCreated - created).toBe(1);
    expect(emu.stats.duplicateRejects - dups).toBe(0);
    exec.cancel('f5xx1', 0);
    await waitFor(() => kinds(reports, 'f5xx1').includes('canceled'), 5_000, 'cancel');
    exec.stop();
  }, 20_000);

  it('duplicate fill messages become one fill per venue trade id, and the fills add up to the order', async () => {
    const { exec, reports } = await execHarness();
    const { askTicks } = await touch();
    emu.faults.duplicateFills = true;
    // Marketable IOC: fills against the replayed book at once.
    exec.submit({ ...restingBuy('fdup1', askTicks + 1_000), timeInForce: 'IOC' }, 0);
    await waitFor(() => exec.stats.duplicateFillsDropped > 0 && reports.some((r) => r.clientOrderId === 'fdup1' && r.kind === 'fill'), 5_000, 'fills');
    await sleep(200);
    emu.faults.duplicateFills = false;
    const fills = reports.filter((r): r is Extract<VenueReport, { kind: 'fill' }> => r.clientOrderId === 'fdup1' && r.kind === 'fill');
    const tradeIds = fills.map((f) => f.venueTradeId);
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    expect(fills.reduce((s, f) => s + f.sizeLots, 0)).toBe(100_000);
    expect(exec.stats.duplicateFillsDropped).toBe(fills.length);
    exec.stop();
  }, 20_000);

  it('a request signed with the wrong secret is refused by the emulator with Binance code -1022', async () => {
    const bad = createBinanceCcxt({ apiKey: EMULATOR_DEMO_KEY, secret: 'not-the-secret', restUrl: emu.url.rest });
    const failures = emu.stats.signatureFailures;
    await expect(bad.fetchBalance()).rejects.toThrow(/-1022/);
    expect(emu.stats.signatureFailures - failures).toBe(1);
  }, 20_000);
});
