/**
 * Order entry on OKX spot (ccxt okx, POST /api/v5/trade/order, reports from the private `orders`
 * channel) through OkxExecution, against the OKX emulator replaying the real cryptofeed capture of
 * BTC-USDT (2022-05-13): a resting post-only order is accepted and canceled under our clOrdId, an IOC
 * order through the touch fills at the venue's best ask and is reported once (even when the venue
 * pushes it twice), a bad signature is refused with OKX's code, an ambiguous placement is resolved by
 * querying the clOrdId (no second order), and the place-order limit (60 / 2 s per instrument) paces
 * a burst.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOkxCcxt } from '../../src/adapters/okx/okxCcxt.ts';
import { OkxExecution } from '../../src/adapters/okx/OkxExecution.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { OKX_DIR, okxSpecs } from './okxSpecs.ts';
import { sleep, waitFor } from '../core/waitFor.ts';

const KEY = { apiKey: 'okxTestKey', secretKey: 'okxTestSecret', passphrase: 'okxTestPassphrase' };
const spec = okxSpecs(['BTC-USDT'])[0]!;
const inst = instrument(spec);
const capture = loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']);
let emu: OkxEmulator | undefined;
let exec: OkxExecution | undefined;
afterEach(async () => { exec?.stop(); exec = undefined; await emu?.close(); emu = undefined; });


const order = (cid: string, side: 'buy' | 'sell', tif: OrderIntentData['timeInForce'], priceTicks: number, sizeLots = 100_000): OrderIntentData => ({
  clientOrderId: cid, strategyId: 't', instrument: spec.id, side, type: 'limit', timeInForce: tif, priceTicks, sizeLots, reduceOnly: false, tag: '',
});

async function harness(o: { secret?: string } = {}) {
  emu = new OkxEmulator({ capture, speed: 1, account: { ...KEY, instruments: [spec] } });
  const url = await emu.start();
  // The capture opens with the books snapshot: wait until the replay has built the book.
  await waitFor(() => capture.messages.length - emu!.remaining > 5, 5000, 'replay start');
  const client = createOkxCcxt({ apiKey: KEY.apiKey, secret: o.secret ?? KEY.secretKey, passphrase: KEY.passphrase, restUrl: url.rest, timeoutMs: 1000 });
  const reports: VenueReport[] = [];
  const e: OkxExecution = new OkxExecution({
    client, wsPrivateUrl: url.wsPrivate, apiKey: KEY.apiKey, secret: KEY.secretKey, passphrase: KEY.passphrase, instruments: [inst], clockUs: wallClockUs(), retryDelayMs: 50,
    onReport: () => { for (const r of e.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
  });
  exec = e;
  await e.start();
  const touch = async () => {
    const d = (await (await fetch(`${url.rest}/api/v5/market/books?instId=BTC-USDT&sz=5`)).json()) as { data: { bids: string[][]; asks: string[][] }[] };
    const b = d.data[0]!;
    return { bidTicks: inst.tick.toUnits(b.bids[0]![0]!), askTicks: inst.tick.toUnits(b.asks[0]![0]!), askPx: b.asks[0]![0]!, askSize: b.asks[0]![1]! };
  };
  const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
  return { exec: e, emu: emu, reports, touch, of, url };
}

describe('OKX spot order entry against the emulator (real BTC-USDT capture)', () => {
  it('accepts a resting post-only order under our clOrdId and cancels it', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.exec.submit(order('rest1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('rest1').some((r) => r.kind === 'accepted'), 5000, 'accepted');
    expect(h.emu.openOrderIds()).toEqual(['rest1']);
    expect(await h.exec.fetchOpenClientIds()).toEqual(['rest1']);
    h.exec.cancel('rest1', 0);
    await waitFor(() => h.of('rest1').some((r) => r.kind === 'canceled'), 5000, 'canceled');
    expect(h.of('rest1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    expect(h.emu.openOrderIds()).toEqual([]);
    expect(await h.exec.fetchOpenClientIds()).toEqual([]);
  }, 30_000);

  it('fills an IOC order through the touch at the best ask, reported once although the venue pushes it twice', async () => {
    const h = await harness();
    h.emu.account!.faults.duplicateFills = true;
    const { askTicks, askPx, askSize } = await h.touch();
    const sizeLots = 100_000; // 0.001 BTC
    expect(inst.lot.toUnits(askSize)).toBeGreaterThanOrEqual(sizeLots); // one fill at the ask
    h.exec.submit(order('take1', 'buy', 'IOC', askTicks + 50, sizeLots), 0);
    await waitFor(() => h.of('take1').some((r) => r.kind === 'fill'), 5000, 'fill');
    await sleep(300); // the duplicate push has arrived by now
    const fills = h.of('take1').filter((r) => r.kind === 'fill');
    expect(fills).toHaveLength(1);
    expect(h.exec.stats.duplicateFillsDropped).toBe(1);
    const f = fills[0] as Extract<VenueReport, { kind: 'fill' }>;
    expect(f.priceTicks).toBe(inst.tick.toUnits(askPx));
    expect(f.sizeLots).toBe(sizeLots);
    expect(f.liquidity).toBe('taker');
    // Taker fee of the capture's instrument list, paid in USDT (OKX pushes it negative, we keep it positive).
    expect(Number(f.fee)).toBeCloseTo(Number(askPx) * 0.001 * Number(spec.takerFeeRate), 8);
    expect(f.feeCurrency).toBe('USDT');
    expect(h.of('take1').map((r) => r.kind)).toEqual(['accepted', 'fill']);
    expect(h.emu.openOrderIds()).toEqual([]);
  }, 30_000);

  it('refuses a bad signature with OKX codes: 50113 on REST (the order is rejected, none created), 60007 on the private login', async () => {
    const h = await harness({ secret: 'notTheSecret' });
    const { bidTicks } = await h.touch();
    h.exec.submit(order('bad1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('bad1').length > 0, 5000, 'rejection');
    const r = h.of('bad1')[0]!;
    expect(r.kind).toBe('rejected');
    expect((r as { reason: string }).reason).toBe('AuthenticationError: 50113 Invalid Sign');
    expect(h.emu.account!.stats.signatureFailures).toBe(1);
    expect(h.emu.account!.stats.ordersCreated).toBe(0);
    const wrong = new OkxExecution({
      client: createOkxCcxt({ ...KEY, secret: KEY.secretKey, restUrl: h.url.rest }), wsPrivateUrl: h.url.wsPrivate, apiKey: KEY.apiKey, secret: 'notTheSecret',
      passphrase: KEY.passphrase, instruments: [inst], clockUs: wallClockUs(),
    });
    await expect(wrong.start()).rejects.toThrow('okx private login refused: 60007 Invalid sign');
    wrong.stop();
    expect(h.emu.account!.stats.loginFailures).toBe(1);
  }, 30_000);

  it('a lost ack and a 5xx after processing are resolved by querying the clOrdId: one order each, never a second', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.emu.account!.faults.loseAcks = 1;
    h.exec.submit(order('lost1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('lost1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a lost ack');
    h.emu.account!.faults.server5xx = 1;
    h.exec.submit(order('err1', 'buy', 'POST_ONLY', bidTicks - 101), 0);
    await waitFor(() => h.of('err1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a 503');
    await sleep(300);
    expect(h.exec.stats.ambiguous).toBe(2);
    expect(h.exec.stats.resends).toBe(0);
    expect(h.emu.account!.stats.orderPosts).toBe(2);
    expect(h.emu.account!.stats.ordersCreated).toBe(2);
    expect(h.emu.ordersWithClientId('lost1')).toBe(1);
    expect(h.of('lost1').map((r) => r.kind)).toEqual(['accepted']);
    expect(h.of('err1').map((r) => r.kind)).toEqual(['accepted']);
    expect(h.emu.openOrderIds().sort()).toEqual(['err1', 'lost1']);
  }, 30_000);

  it('a 429 (not processed) is resolved by query -> 51603 -> the same clOrdId sent again: exactly one order', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.emu.account!.faults.rateLimit429 = 1;
    h.exec.submit(order('rl1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('rl1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a 429');
    expect(h.exec.stats.resends).toBe(1);
    expect(h.emu.account!.stats.ordersCreated).toBe(1);
    expect(h.emu.openOrderIds()).toEqual(['rl1']);
  }, 30_000);

  it('after the private socket drops, the orders channel comes back (login again) and a cancel pushed meanwhile is found by query', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.exec.submit(order('drop1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('drop1').some((r) => r.kind === 'accepted'), 5000, 'accepted');
    h.emu.account!.disconnectPrivate();
    // Another client on the account cancels it while our socket is down: that push reaches nobody.
    const other = createOkxCcxt({ apiKey: KEY.apiKey, secret: KEY.secretKey, passphrase: KEY.passphrase, restUrl: h.url.rest });
    await other.cancelOrder(undefined as unknown as string, 'BTC/USDT', { clOrdId: 'drop1' });
    expect(h.emu.openOrderIds()).toEqual([]);
    await waitFor(() => h.of('drop1').some((r) => r.kind === 'canceled'), 10_000, 'canceled after the reconnect');
    expect(h.exec.stats.reconnects).toBe(1);
    expect(h.emu.account!.stats.logins).toBe(2);
    expect(h.of('drop1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    // The new socket carries pushes again.
    h.exec.submit(order('drop2', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('drop2').some((r) => r.kind === 'accepted'), 5000, 'accepted on the new socket');
    h.exec.cancel('drop2', 0);
    await waitFor(() => h.of('drop2').some((r) => r.kind === 'canceled'), 5000, 'canceled on the new socket');
  }, 30_000);

  it('the emulator answers the 61st placement within 2 s with 50011 (HTTP 429), which is never a rejection', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    // 61 signed placements straight to the venue, bypassing our limiter.
    const client = createOkxCcxt({ apiKey: KEY.apiKey, secret: KEY.secretKey, passphrase: KEY.passphrase, restUrl: h.url.rest });
    await client.loadMarkets();
    const px = Number(inst.tick.toDecimal(bidTicks - 300));
    const results = await Promise.allSettled(Array.from({ length: 61 }, (_, i) => client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, px, { clOrdId: `raw${i}`, postOnly: true })));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.constructor.name) + ' ' + String((r as PromiseRejectedResult).reason.message));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^RateLimitExceeded okx \{"code":"50011","msg":"Too Many Requests"/);
    expect(h.emu.account!.stats.rateLimited).toBe(1);
    expect(h.emu.account!.stats.ordersCreated).toBe(60);
    // Through OkxExecution the 429 is ambiguous: resolved by query (not found) and resent, one order.
    h.exec.submit(order('after429', 'buy', 'POST_ONLY', bidTicks - 301), 0);
    await waitFor(() => h.of('after429').some((r) => r.kind === 'accepted'), 5000, 'accepted once the window moved on');
    expect(h.of('after429').map((r) => r.kind)).toEqual(['accepted']);
    expect(h.exec.stats.rejects).toBe(0);
    expect(h.emu.ordersWithClientId('after429')).toBe(1);
  }, 30_000);

  it('paces a burst of 80 placements at OKX place-order limit (60 per 2 s per instrument): the excess waits, all accepted, the kill switch cancels them', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const t0 = Date.now();
    for (let i = 0; i < 80; i++) h.exec.submit(order(`b${i}`, 'buy', 'POST_ONLY', bidTicks - 200 - i), 0);
    await waitFor(() => h.reports.filter((r) => r.kind === 'accepted').length === 80, 10_000, '80 accepted');
    const elapsed = Date.now() - t0;
    // 60 go at once, the other 20 wait until the first ones leave the (2 s + margin) window; the
    // emulator, which enforces OKX's limit per 2 s, never had to answer 50011.
    expect(h.exec.stats.throttled).toBe(20);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(h.emu.account!.stats.rateLimited).toBe(0);
    expect(h.emu.account!.stats.orderPosts).toBe(80);
    expect(h.emu.openOrderIds()).toHaveLength(80);
    expect(await h.exec.cancelAll()).toBe(80);
    await waitFor(() => h.reports.filter((r) => r.kind === 'canceled').length === 80, 5000, '80 canceled');
    expect(h.emu.openOrderIds()).toEqual([]);
  }, 30_000);
});
