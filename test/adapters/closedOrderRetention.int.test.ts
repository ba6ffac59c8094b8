/**
 * Bounded per-order memory in the live adapters (issue #8), one story run against each venue's emulator
 * replaying its real capture (Binance USDⓈ-M 2024-08-08, OKX BTC-USDT 2022-05-13, Bybit ETHUSDT 2021):
 * with `retainClosedOrders` 3, more orders close than are kept. The adapter holds at most the open orders
 * and 3 closed ones; the resting order placed first is never forgotten and is canceled at the end; a
 * duplicate fill push of a retained order is dropped and counted. Then late frames: the fill and the
 * cancel push of forgotten orders, as the emulator sent them (recorded off the adapter's own private
 * socket, emitted on it again), are handled exactly as the same frames for a client id never placed
 * (another session's on the account): no report, counted in `unknownOrderMessages`. A kernel cancel of a
 * forgotten order sends nothing; an unanswered cancel (5xx after processing) whose order closes and is
 * forgotten before the retry is not sent again, with a log line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { createBybitCcxt } from '../../src/adapters/bybit/bybitCcxt.ts';
import { BybitExecution } from '../../src/adapters/bybit/BybitExecution.ts';
import { createOkxCcxt } from '../../src/adapters/okx/okxCcxt.ts';
import { OkxExecution } from '../../src/adapters/okx/OkxExecution.ts';
import type { RequestLatency } from '../../src/adapters/TrackedOrdersVenue.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { bybitLegacySpecs, loadBybitLegacyCapture, spotStandIn } from '../../src/cli/emulator/bybitCapture.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument, type Instrument, type InstrumentSpec } from '../../src/model/instrument.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { sleep, waitFor } from '../core/waitFor.ts';
import { OKX_DIR, okxSpecs } from './okxSpecs.ts';

const RETAIN = 3;
/** Long enough for three orders to close between an unanswered cancel and its retry. */
const RETRY_DELAY_MS = 2500;

type Exec = BinanceExecution | OkxExecution | BybitExecution;

/** What the story needs from one venue: the adapter, its emulator's faults, and how its frames read. */
interface Venue {
  readonly exec: Exec;
  readonly inst: Instrument;
  /** The adapter's private socket (user-data stream), to record frames off and emit late ones on. */
  readonly wire: WebSocket;
  readonly takeLots: number;
  /** Ticks above the best ask an IOC buy may pay (one fill at the ask). */
  readonly takeSlackTicks: number;
  touch(): Promise<{ bidTicks: number; askTicks: number }>;
  duplicateFills(on: boolean): void;
  /** The next private request is processed, then answered 5xx. */
  fail5xxOnce(): void;
  isFillFrame(text: string): boolean;
  isCancelFrame(text: string): boolean;
  close(): Promise<void>;
}

const harnessOpts = (reports: VenueReport[], logs: string[], latency: RequestLatency[], getExec: () => Exec) => ({
  clockUs: wallClockUs(), retryDelayMs: RETRY_DELAY_MS, retainClosedOrders: RETAIN, log: (l: string) => logs.push(l), onLatency: (r: RequestLatency) => latency.push(r),
  onReport: () => { for (const r of getExec().takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
});

async function binanceVenue(reports: VenueReport[], logs: string[], latency: RequestLatency[]): Promise<Venue> {
  const spec = captureInstruments.find((s) => s.id === 'binance-usdm:BTCUSDT')!;
  const inst = instrument(spec);
  const emu = await startEmulator({ captures: ['/work/shared/data/binance-capture/usdm/btcusdt_20240808.gz'], speed: 5, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
  const product = BINANCE_PRODUCT_OF_VENUE[spec.venue]!;
  const client = createBinanceCcxt({ product, apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest, timeoutMs: 1000 });
  const exec: BinanceExecution = new BinanceExecution({ product, client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [inst], ...harnessOpts(reports, logs, latency, () => exec) });
  await exec.start();
  return {
    exec, inst, wire: (exec as unknown as { userWs: WebSocket }).userWs, takeLots: 2, takeSlackTicks: 50,
    touch: async () => {
      const d = (await (await fetch(`${emu.url.rest}/fapi/v1/depth?symbol=${spec.symbol}&limit=5`)).json()) as { bids: [string, string][]; asks: [string, string][] };
      return { bidTicks: inst.tick.toUnits(d.bids[0]![0]), askTicks: inst.tick.toUnits(d.asks[0]![0]) };
    },
    duplicateFills: (on) => { emu.faults.duplicateFills = on; },
    fail5xxOnce: () => { emu.faults.server5xx = 1; },
    isFillFrame: (t) => t.includes('"e":"ORDER_TRADE_UPDATE"') && t.includes('"x":"TRADE"'),
    isCancelFrame: (t) => t.includes('"e":"ORDER_TRADE_UPDATE"') && t.includes('"x":"CANCELED"'),
    close: async () => { exec.stop(); await emu.close(); },
  };
}

const OKX_KEY = { apiKey: 'okxTestKey', secretKey: 'okxTestSecret', passphrase: 'okxTestPassphrase' };
async function okxVenue(reports: VenueReport[], logs: string[], latency: RequestLatency[]): Promise<Venue> {
  const spec = okxSpecs(['BTC-USDT'])[0]!;
  const inst = instrument(spec);
  const capture = loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']);
  const emu = new OkxEmulator({ capture, speed: 1, account: { ...OKX_KEY, instruments: [spec] } });
  const url = await emu.start();
  await waitFor(() => capture.messages.length - emu.remaining > 5, 5000, 'replay start');
  const client = createOkxCcxt({ apiKey: OKX_KEY.apiKey, secret: OKX_KEY.secretKey, passphrase: OKX_KEY.passphrase, restUrl: url.rest, timeoutMs: 1000 });
  const exec: OkxExecution = new OkxExecution({
    client, wsPrivateUrl: url.wsPrivate, apiKey: OKX_KEY.apiKey, secret: OKX_KEY.secretKey, passphrase: OKX_KEY.passphrase, instruments: [inst], ...harnessOpts(reports, logs, latency, () => exec),
  });
  await exec.start();
  return {
    exec, inst, wire: (exec as unknown as { socket: { ws: WebSocket } }).socket.ws, takeLots: 100_000, takeSlackTicks: 50,
    touch: async () => {
      const d = (await (await fetch(`${url.rest}/api/v5/market/books?instId=BTC-USDT&sz=5`)).json()) as { data: { bids: string[][]; asks: string[][] }[] };
      return { bidTicks: inst.tick.toUnits(d.data[0]!.bids[0]![0]!), askTicks: inst.tick.toUnits(d.data[0]!.asks[0]![0]!) };
    },
    duplicateFills: (on) => { emu.account!.faults.duplicateFills = on; },
    fail5xxOnce: () => { emu.account!.faults.server5xx = 1; },
    isFillFrame: (t) => t.includes('"channel":"orders"') && /"tradeId":"[^"]+"/.test(t),
    isCancelFrame: (t) => t.includes('"channel":"orders"') && t.includes('"state":"canceled"'),
    close: async () => { exec.stop(); await emu.close(); },
  };
}

const BYBIT_KEY = { apiKey: 'bybitTestKey', secret: 'bybitTestSecret' };
async function bybitVenue(reports: VenueReport[], logs: string[], latency: RequestLatency[]): Promise<Venue> {
  const dir = '/work/shared/data/cryptofeed';
  const linearSpec = bybitLegacySpecs(`${dir}/BYBIT.0`).find((s) => s.symbol === 'ETHUSDT')!;
  const spec: InstrumentSpec = spotStandIn(linearSpec);
  const inst = instrument(spec);
  const capture = loadBybitLegacyCapture(`${dir}/BYBIT.ws.25.0`, [linearSpec], ['ETHUSDT']);
  const emu = new BybitEmulator({ capture, speed: 1, account: { ...BYBIT_KEY, instruments: [spec, linearSpec], balances: { USDT: '100000', ETH: '10' } } });
  const url = await emu.start();
  await waitFor(() => emu.bestAsk('ETHUSDT') !== undefined, 5000, 'the replayed ETHUSDT book');
  const client = createBybitCcxt({ apiKey: BYBIT_KEY.apiKey, secret: BYBIT_KEY.secret, restUrl: url.rest, timeoutMs: 1000, category: 'spot' });
  const exec: BybitExecution = new BybitExecution({ client, wsPrivateUrl: url.wsPrivate, apiKey: BYBIT_KEY.apiKey, secret: BYBIT_KEY.secret, instruments: [inst], ...harnessOpts(reports, logs, latency, () => exec) });
  await exec.start();
  return {
    exec, inst, wire: (exec as unknown as { socket: { ws: WebSocket } }).socket.ws, takeLots: 5, takeSlackTicks: 20,
    touch: async () => {
      const d = (await (await fetch(`${url.rest}/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=5`)).json()) as { result: { b: string[][]; a: string[][] } };
      return { bidTicks: inst.tick.toUnits(d.result.b[0]![0]!), askTicks: inst.tick.toUnits(d.result.a[0]![0]!) };
    },
    duplicateFills: (on) => { emu.account!.faults.duplicateExecutions = on; },
    fail5xxOnce: () => { emu.account!.faults.server5xx = 1; },
    isFillFrame: (t) => t.includes('"topic":"execution"'),
    isCancelFrame: (t) => t.includes('"topic":"order"') && t.includes('"orderStatus":"Cancelled"'),
    close: async () => { exec.stop(); await emu.close(); },
  };
}

let open: Venue | undefined;
afterEach(async () => { await open?.close(); open = undefined; });

const CLOSING = new Set<VenueReport['kind']>(['canceled', 'expired', 'rejected']);

describe.each([
  { venue: 'binance-usdm', start: binanceVenue },
  { venue: 'okx', start: okxVenue },
  { venue: 'bybit-spot', start: bybitVenue },
])('$venue adapter with retainClosedOrders 3', ({ start }) => {
  it('stays bounded over more closed orders than it keeps, never forgets an open one, and treats late frames of forgotten orders as unknown ones', async () => {
    const reports: VenueReport[] = []; const logs: string[] = []; const latency: RequestLatency[] = [];
    const v = await start(reports, logs, latency);
    open = v;
    const { exec, inst } = v;
    const frames: string[] = [];
    v.wire.on('message', (raw: WebSocket.RawData) => frames.push(raw.toString()));
    const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
    // OKX client ids are letters and digits only.
    const order = (cid: string, tif: OrderIntentData['timeInForce'], priceTicks: number, sizeLots = v.takeLots): OrderIntentData => ({
      clientOrderId: cid, strategyId: 't', instrument: inst.id, side: 'buy', type: 'limit', timeInForce: tif, priceTicks, sizeLots, reduceOnly: false, tag: '',
    });
    const bounded = () => {
      const r = exec.retention();
      expect(r.closedRetained).toBeLessThanOrEqual(RETAIN);
      expect(r.tracked).toBeLessThanOrEqual(exec.openClientIds().length + RETAIN);
    };
    const { bidTicks, askTicks } = await v.touch();

    // Resting all along: never forgotten.
    exec.submit(order('keep', 'POST_ONLY', bidTicks - 200), 0);
    await waitFor(() => of('keep').some((r) => r.kind === 'accepted'), 5000, 'keep accepted');

    // A fill pushed twice while its order is retained: one fill, one duplicate counted.
    v.duplicateFills(true);
    // The ask read again just before the IOC: the replay moves on while 'keep' is placed, and an IOC
    // priced off the first read expired unfilled once in CI (binance-usdm, 5 ticks of slack).
    const fresh = await v.touch();
    exec.submit(order('take1', 'IOC', fresh.askTicks + v.takeSlackTicks), 0);
    await waitFor(() => of('take1').some((r) => r.kind === 'fill' || CLOSING.has(r.kind)), 10_000, 'take1 filled or closed');
    await sleep(300); // the duplicate push has arrived by now
    v.duplicateFills(false);
    expect(of('take1').map((r) => r.kind)).toContain('fill');
    // One fill per trade the IOC took (one at the ask unless the level is thinner than the order), each pushed twice.
    const takeFills = of('take1').filter((r) => r.kind === 'fill').length;
    expect(takeFills).toBeGreaterThanOrEqual(1);
    expect(exec.stats.duplicateFillsDropped).toBe(takeFills);
    expect(exec.stats.fills).toBe(takeFills);
    expect(exec.retention()).toEqual({ tracked: 2, closedRetained: 1, forgotten: 0 });

    // Four resting orders placed and canceled: five closed in all, three kept.
    for (let i = 1; i <= 4; i++) {
      exec.submit(order(`rest${i}`, 'POST_ONLY', bidTicks - 100 - i), 0);
      await waitFor(() => of(`rest${i}`).some((r) => r.kind === 'accepted'), 5000, `rest${i} accepted`);
      bounded();
      exec.cancel(`rest${i}`, 0);
      await waitFor(() => of(`rest${i}`).some((r) => r.kind === 'canceled'), 5000, `rest${i} canceled`);
      bounded();
    }
    expect(exec.retention()).toEqual({ tracked: 1 + RETAIN, closedRetained: RETAIN, forgotten: 2 }); // take1 and rest1
    expect(exec.openClientIds()).toEqual(['keep']);

    // Late frames, as the venue sent them, for forgotten orders and for a client id never placed: same effect.
    const fillFrame = frames.find((t) => t.includes('"take1"') && v.isFillFrame(t));
    const cancelFrame = frames.find((t) => t.includes('"rest1"') && v.isCancelFrame(t));
    expect(fillFrame).toBeDefined();
    expect(cancelFrame).toBeDefined();
    const effect = async (frame: string) => {
      const before = { reports: reports.length, fills: exec.stats.fills, duplicates: exec.stats.duplicateFillsDropped, unknown: exec.stats.unknownOrderMessages };
      v.wire.emit('message', Buffer.from(frame), false);
      await sleep(50);
      return { reports: reports.length - before.reports, fills: exec.stats.fills - before.fills, duplicates: exec.stats.duplicateFillsDropped - before.duplicates, unknown: exec.stats.unknownOrderMessages - before.unknown };
    };
    const lateFill = await effect(fillFrame!);
    expect(lateFill).toEqual({ reports: 0, fills: 0, duplicates: 0, unknown: 1 });
    expect(await effect(fillFrame!.replaceAll('"take1"', '"otherSession1"'))).toEqual(lateFill);
    const lateCancel = await effect(cancelFrame!);
    expect(lateCancel).toEqual({ reports: 0, fills: 0, duplicates: 0, unknown: 1 });
    expect(await effect(cancelFrame!.replaceAll('"rest1"', '"otherSession2"'))).toEqual(lateCancel);

    // A kernel cancel of a forgotten order sends nothing, as for an id never placed.
    const rows = latency.length;
    exec.cancel('rest1', 0);
    exec.cancel('otherSession3', 0);
    await sleep(100);
    expect(latency.length).toBe(rows);
    expect(of('rest1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);

    // An unanswered cancel: the venue cancels (the push closes the order), the answer is a 5xx. Three
    // orders close before the retry, so the order is forgotten by then: not asked again, a log line.
    exec.submit(order('x', 'POST_ONLY', bidTicks - 150), 0);
    await waitFor(() => of('x').some((r) => r.kind === 'accepted'), 5000, 'x accepted');
    v.fail5xxOnce();
    exec.cancel('x', 0);
    await waitFor(() => of('x').some((r) => r.kind === 'canceled'), 5000, 'x canceled by the venue');
    await waitFor(() => latency.some((r) => r.action === 'cancel' && r.clientOrderId === 'x'), 5000, "x's cancel answered");
    expect(latency.filter((r) => r.action === 'cancel' && r.clientOrderId === 'x').map((r) => r.outcome.split(':')[0])).toEqual(['ambiguous']);
    const late = await v.touch(); // the replay has moved on since the first read
    for (let i = 1; i <= RETAIN; i++) exec.submit(order(`cross${i}`, 'POST_ONLY', late.askTicks + 100 + i), 0); // a post-only that would take: closed at once
    await waitFor(() => [1, 2, 3].every((i) => of(`cross${i}`).some((r) => CLOSING.has(r.kind))), 5000, 'the crossing post-only orders closed');
    expect(exec.retention()).toEqual({ tracked: 1 + RETAIN, closedRetained: RETAIN, forgotten: 6 }); // of 9 closed: take1, rest1..4, x
    await waitFor(() => logs.some((l) => l.startsWith('cancel x: not asked again')), RETRY_DELAY_MS + 3000, 'the retry skipped');
    expect(latency.filter((r) => r.action === 'cancel' && r.clientOrderId === 'x')).toHaveLength(1);
    expect(of('x').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    bounded();

    // The order open since the start is still tracked and cancels normally.
    expect(exec.openClientIds()).toEqual(['keep']);
    exec.cancel('keep', 0);
    await waitFor(() => of('keep').some((r) => r.kind === 'canceled'), 5000, 'keep canceled');
    expect(exec.openClientIds()).toEqual([]);
    expect(exec.retention().tracked).toBe(RETAIN);
    expect(exec.stats.duplicateFillsDropped).toBe(1);
    expect(exec.stats.fills).toBe(1);
  }, 60_000);
});
