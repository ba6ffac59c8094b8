/**
 * End to end: a strategy's modify intent in a live session (createLiveRun + LiveSession, the kernel's
 * OMS and risk gate, the live feed) reaches the venue through BinanceExecution as PUT /fapi/v1/order,
 * against the USDⓈ-M emulator replaying the real 2024-08-08 capture; the run's log records the
 * amendment (update-requested, the modify request row, updated) and the venue's order carries it.
 * The strategy is the test's own (no shipped strategy amends): one post-only bid, amended once on
 * its acknowledgement.
 */
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMarketData } from '../../src/adapters/feed/createMarketData.ts';
import { createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { codeVersion } from '../../src/cli/codeVersion.ts';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { openStore } from '../../src/cli/store.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { EventEnvelope } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';
import type { Order } from '../../src/model/orders.ts';
import type { Decision, Strategy, StrategyContext } from '../../src/strategy/Strategy.ts';
import { waitFor } from '../core/waitFor.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCENARIO = join(ROOT, 'scenarios/paper-mm-usdm-btcusdt.json');
const ID = 'binance-usdm:BTCUSDT';
const spec = captureInstruments.find((s) => s.id === ID)!;
const inst = instrument(spec);

let emu: BinanceSpotEmulator | undefined;
afterEach(async () => { await emu?.close(); emu = undefined; });

/** One post-only bid 100 ticks under the touch; on its acknowledgement, 50 ticks lower and one lot more. */
class AmendOnce implements Strategy {
  readonly instruments = [ID];
  readonly timerIntervalUs = 0;
  placed = false;
  target: { clientOrderId: string; priceTicks: number; sizeLots: number } | undefined;
  constructor(readonly id: string) {}
  onMarket(_instrument: string, _kind: unknown, ctx: StrategyContext): Decision | undefined {
    if (this.placed) return undefined;
    const b = ctx.bbo(ID);
    if (!(b.bidTicks > 0) || !(b.askTicks > b.bidTicks)) return undefined;
    this.placed = true;
    return { trigger: 'book', inputs: { bidTicks: b.bidTicks }, intents: [{ kind: 'place', strategyId: this.id, instrument: ID, side: 'buy', type: 'limit', timeInForce: 'POST_ONLY', priceTicks: b.bidTicks - 100, sizeLots: 2, reduceOnly: false, tag: 'amend-me' }] };
  }
  onTimer(): Decision | undefined { return undefined; }
  onOrder(order: Order): Decision | undefined {
    if (this.target || order.status !== 'accepted') return undefined;
    this.target = { clientOrderId: order.clientOrderId, priceTicks: order.priceTicks - 50, sizeLots: order.sizeLots + 1 };
    return { trigger: 'ack', inputs: { priceTicks: order.priceTicks }, intents: [{ kind: 'modify', strategyId: this.id, ...this.target }] };
  }
}

describe('a strategy amends its order in a live session (USDⓈ-M emulator)', () => {
  it('the modify intent reaches the venue as PUT /fapi/v1/order; the log records update-requested, the modify request and updated', async () => {
    emu = await startEmulator({ captures: [`${ROOT}/../shared/data/binance-capture/usdm/btcusdt_20240808.gz`], speed: 1, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
    const { scenario, path } = loadScenario(SCENARIO, ROOT);
    const store = await openStore('memory:');
    const clock = wallClockUs();
    let session: LiveSession | undefined;
    const exec = new BinanceExecution({
      product: 'usdm', client: createBinanceCcxt({ product: 'usdm', apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest, timeoutMs: 1000 }),
      restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [inst], clockUs: clock, retryDelayMs: 50,
      onReport: () => session?.poke(), onLatency: (row) => session?.record('order.request-acked', { ...row }),
    });
    await exec.start();
    const run = createLiveRun({ mode: 'live', scenario, scenarioPath: path, instruments: [spec], store, codeVersion: codeVersion(), startUs: clock(), venue: exec });
    const strategy = new AmendOnce(scenario.strategies[0]!.id);
    let failure: unknown;
    session = new LiveSession({
      kernel: { ...run.kernel, strategies: [strategy] }, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: false,
      summarize: run.summarize, onError: (e) => { failure ??= e; },
    });
    await session.start();
    const md = createMarketData({ restUrl: emu.url.rest, wsUrl: emu.url.ws, instruments: [spec], clockUs: clock, onEvents: (events) => session!.onMarket(events) });
    md.start();
    try {
      await waitFor(() => strategy.target !== undefined && emu!.stats.orderModifies > 0, 15_000, 'the amendment at the venue');
      const t = strategy.target!;
      await waitFor(() => session!.kernel.oms.orders.get(t.clientOrderId)?.status === 'accepted' && session!.kernel.oms.orders.get(t.clientOrderId)?.priceTicks === t.priceTicks, 5000, 'updated in the OMS');
      // The venue's order carries the amendment, under the same client id.
      expect(emu.openOrderIds()).toEqual([t.clientOrderId]);
      const v = (await (createBinanceCcxt({ product: 'usdm', apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest }).fetchOrder(undefined as unknown as string, 'BTC/USDT:USDT', { origClientOrderId: t.clientOrderId }))).info as { price: string; origQty: string };
      expect([inst.tick.toUnits(v.price), inst.lot.toUnits(v.origQty)]).toEqual([t.priceTicks, t.sizeLots]);
    } finally {
      md.stop();
      await session.stop({ reason: 'test done', cancelOpen: (ids, now) => { for (const id of ids) exec.cancel(id, now); }, drainMs: 3000 });
      exec.stop();
    }
    if (failure !== undefined) throw failure;
    const events: EventEnvelope[] = [];
    for await (const page of store.readStream(run.streamId)) events.push(...page);
    await store.close();
    const t = strategy.target!;
    const mine = events.filter((e) => (e.data as { clientOrderId?: string }).clientOrderId === t.clientOrderId);
    expect(mine.map((e) => e.type).filter((x) => x !== 'order.request-acked')).toEqual(['order.requested', 'order.submitted', 'order.accepted', 'order.update-requested', 'order.updated', 'order.canceled']); // the stop cancels at the venue directly (cancelOpen)
    expect(mine.find((e) => e.type === 'order.updated')!.data).toEqual({ clientOrderId: t.clientOrderId, priceTicks: t.priceTicks, sizeLots: t.sizeLots });
    const modifyRows = mine.filter((e) => e.type === 'order.request-acked' && (e.data as { action: string }).action === 'modify');
    expect(modifyRows.map((e) => (e.data as { outcome: string }).outcome)).toEqual(['ok']);
    expect(events.filter((e) => e.type === 'order.invalid-transition')).toEqual([]);
    expect(emu.openOrderIds()).toEqual([]);
  }, 60_000);
});
