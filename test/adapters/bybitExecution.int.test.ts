/**
 * Bybit v5 order entry (ccxt bybit, POST /v5/order/create under our orderLinkId, reports from the
 * private `order` / `execution` topics) through BybitExecution, against the Bybit emulator on 127.0.0.1
 * replaying the legacy 2021 ETHUSDT capture translated into v5 shape (bybitCapture.ts). Spot (the
 * emulator's spot account trades against the linear capture's book, a stand-in) and linear. Each fault
 * the brief names: a lost ack and a 502 after processing are resolved by query (one order), 10006 and
 * 10016 (not processed) by query -> not found -> the same orderLinkId again (one order), a duplicate
 * execution push is counted once, a wrong secret is refused with Bybit's retCode, the create limit
 * paces a burst.
 */
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createBybitCcxt } from '../../src/adapters/bybit/bybitCcxt.ts';
import { BybitExecution } from '../../src/adapters/bybit/BybitExecution.ts';
import type { RequestLatency } from '../../src/adapters/TrackedOrdersVenue.ts';
import { bybitLegacySpecs, loadBybitLegacyCapture, spotStandIn } from '../../src/cli/emulator/bybitCapture.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { isHftError } from '../../src/core/errors.ts';
import { instrument, type InstrumentSpec } from '../../src/model/instrument.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { sleep, waitFor } from '../core/waitFor.ts';

const DIR = '/work/shared/data/cryptofeed';
const KEY = { apiKey: 'bybitTestKey', secret: 'bybitTestSecret' };
const linearSpec = bybitLegacySpecs(`${DIR}/BYBIT.0`).find((s) => s.symbol === 'ETHUSDT')!;
const spotSpec = spotStandIn(linearSpec);
const capture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, [linearSpec], ['ETHUSDT']);
let emu: BybitEmulator | undefined;
let exec: BybitExecution | undefined;
afterEach(async () => { exec?.stop(); exec = undefined; await emu?.close(); emu = undefined; });

type Fill = Extract<VenueReport, { kind: 'fill' }>;

const order = (spec: InstrumentSpec, cid: string, side: 'buy' | 'sell', tif: OrderIntentData['timeInForce'], priceTicks: number, sizeLots = 5, reduceOnly = false): OrderIntentData => ({
  clientOrderId: cid, strategyId: 't', instrument: spec.id, side, type: 'limit', timeInForce: tif, priceTicks, sizeLots, reduceOnly, tag: '',
});

async function harness(o: { spec?: InstrumentSpec; secret?: string; timeDifferenceMs?: number } = {}) {
  const spec = o.spec ?? spotSpec;
  const inst = instrument(spec);
  emu = new BybitEmulator({ capture, speed: 1, account: { ...KEY, instruments: [spotSpec, linearSpec], balances: { USDT: '100000', ETH: '10' } } });
  const url = await emu.start();
  // The capture's ETHUSDT snapshot comes ~1.7 s in: wait until the replay has built the book.
  await waitFor(() => emu!.bestAsk('ETHUSDT') !== undefined, 5000, 'the replayed ETHUSDT book');
  const client = createBybitCcxt({ apiKey: KEY.apiKey, secret: o.secret ?? KEY.secret, restUrl: url.rest, timeoutMs: 1000, category: spec.venue === 'bybit-spot' ? 'spot' : 'linear' });
  if (o.timeDifferenceMs !== undefined) client.options.timeDifference = o.timeDifferenceMs;
  const reports: VenueReport[] = [];
  const logs: string[] = [];
  const latency: RequestLatency[] = [];
  const e: BybitExecution = new BybitExecution({
    client, wsPrivateUrl: url.wsPrivate, apiKey: KEY.apiKey, secret: KEY.secret, instruments: [inst], clockUs: wallClockUs(), retryDelayMs: 50, log: (l) => logs.push(l),
    onLatency: (row) => latency.push(row),
    onReport: () => { for (const r of e.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
  });
  exec = e;
  await e.start();
  const touch = async () => {
    const d = (await (await fetch(`${url.rest}/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=5`)).json()) as { result: { b: string[][]; a: string[][] } };
    const b = d.result;
    return { bidTicks: inst.tick.toUnits(b.b[0]![0]!), askTicks: inst.tick.toUnits(b.a[0]![0]!), askPx: b.a[0]![0]!, askSize: b.a[0]![1]! };
  };
  const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
  return { exec: e, emu, reports, touch, of, url, inst, logs, latency };
}

describe('Bybit v5 spot order entry against the emulator (legacy ETHUSDT capture, translated to v5)', () => {
  it('accepts a resting PostOnly order under our orderLinkId, lists it, cancels it', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.exec.submit(order(spotSpec, 'rest-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('rest-1').some((r) => r.kind === 'accepted'), 5000, 'accepted');
    expect(h.emu.openOrderIds()).toEqual(['rest-1']);
    expect(await h.exec.fetchOpenClientIds()).toEqual(['rest-1']);
    h.exec.cancel('rest-1', 0);
    await waitFor(() => h.of('rest-1').some((r) => r.kind === 'canceled'), 5000, 'canceled');
    expect(h.of('rest-1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    expect((h.of('rest-1')[1] as { reason: string }).reason).toBe('venue');
    expect(await h.exec.fetchOpenClientIds()).toEqual([]);
    expect(await h.exec.fetchPositions()).toBeNull(); // spot: no positions, as Binance spot
  }, 30_000);

  it('fills an IOC through the touch at the best ask, each execution once although the venue pushes it twice; balances move by exactly that', async () => {
    const h = await harness();
    h.emu.account!.faults.duplicateExecutions = true;
    const { askTicks, askPx, askSize } = await h.touch();
    const sizeLots = 5; // 0.05 ETH
    expect(h.inst.lot.toUnits(askSize)).toBeGreaterThanOrEqual(sizeLots); // one fill at the ask
    h.exec.submit(order(spotSpec, 'take-1', 'buy', 'IOC', askTicks + 20, sizeLots), 0);
    await waitFor(() => h.of('take-1').some((r) => r.kind === 'fill'), 5000, 'fill');
    await sleep(300); // the duplicate push has arrived by now
    const fills = h.of('take-1').filter((r) => r.kind === 'fill') as Fill[];
    expect(fills).toHaveLength(1);
    expect(h.exec.stats.duplicateFillsDropped).toBe(1);
    expect(fills[0]!.priceTicks).toBe(h.inst.tick.toUnits(askPx));
    expect(fills[0]!.sizeLots).toBe(sizeLots);
    expect(fills[0]!.liquidity).toBe('taker');
    expect(fills[0]!.feeCurrency).toBe('USDT');
    // 0.1% taker on 0.05 ETH at the ask, exact decimal strings from the venue (decimal.js here, no float).
    const fee = new Decimal(askPx).times('0.05').times('0.001');
    expect(new Decimal(fills[0]!.fee!).eq(fee)).toBe(true);
    expect(h.of('take-1').map((r) => r.kind)).toEqual(['accepted', 'fill']);
    const bal = await h.exec.fetchBalances();
    expect(bal.ETH).toBe('10.05');
    expect(new Decimal(bal.USDT!).eq(new Decimal(100000).minus(new Decimal(askPx).times('0.05')).minus(fee))).toBe(true);
  }, 30_000);

  it('a market buy is sized in the base coin (marketUnit baseCoin) and fills at the ask', async () => {
    const h = await harness();
    const { askTicks, askSize } = await h.touch();
    expect(h.inst.lot.toUnits(askSize)).toBeGreaterThanOrEqual(3);
    h.exec.submit({ ...order(spotSpec, 'mkt-1', 'buy', 'IOC', 0, 3), type: 'market' }, 0);
    await waitFor(() => h.of('mkt-1').some((r) => r.kind === 'fill'), 5000, 'fill');
    const f = h.of('mkt-1').find((r) => r.kind === 'fill') as Fill;
    expect(f.sizeLots).toBe(3);
    expect(f.priceTicks).toBe(askTicks);
    expect((await h.exec.fetchBalances()).ETH).toBe('10.03');
  }, 30_000);

  it('warmOrder builds and signs the create request without sending it', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    for (let i = 0; i < 100; i++) h.exec.warmOrder(order(spotSpec, `warm-${i}`, 'buy', 'POST_ONLY', bidTicks - 100));
    await sleep(100);
    expect(h.emu.account!.stats.createPosts).toBe(0);
    expect(h.reports).toEqual([]);
    expect(h.exec.createRequest(order(spotSpec, 'w', 'buy', 'POST_ONLY', 47_300, 5))).toEqual({ // tick 0.05
      category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Limit', qty: '0.05', price: '2365', timeInForce: 'PostOnly', orderLinkId: 'w',
    });
  }, 30_000);

  it('refuses to start when our spec is not the venue\'s grid (instruments-info), naming both', async () => {
    const h = await harness();
    const wrong = { ...spotSpec, tickSize: '0.01' };
    const e = new BybitExecution({ client: createBybitCcxt({ ...KEY, restUrl: h.url.rest }), wsPrivateUrl: h.url.wsPrivate, ...KEY, instruments: [instrument(wrong)], clockUs: wallClockUs() });
    await expect(e.start()).rejects.toSatisfy((err) => isHftError(err, 'HFT_ERR_CONFIG')
      && (err as Error).message === 'HFT_ERR_CONFIG: bybit GET /v5/market/instruments-info?category=spot&symbol=ETHUSDT: venue tickSize 0.05 / basePrecision 0.01, our spec bybit-spot:ETHUSDT has 0.01 / 0.01');
    e.stop();
    expect(h.emu.account!.stats.auths).toBe(1); // only the harness's: the refused one never opened its private socket
  }, 30_000);

  it('a wrong secret: REST refused with 10004 (the order rejected, none created), the private auth refused', async () => {
    const h = await harness({ secret: 'notTheSecret' });
    const { bidTicks } = await h.touch();
    h.exec.submit(order(spotSpec, 'bad-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('bad-1').length > 0, 5000, 'rejection');
    const r = h.of('bad-1')[0]!;
    expect(r.kind).toBe('rejected');
    expect((r as { reason: string }).reason).toBe('AuthenticationError: 10004 Error sign, please check your signature generation algorithm.');
    expect(h.emu.account!.stats.signatureFailures).toBe(1);
    expect(h.emu.account!.stats.ordersCreated).toBe(0);
    const wrong = new BybitExecution({
      client: createBybitCcxt({ ...KEY, restUrl: h.url.rest }), wsPrivateUrl: h.url.wsPrivate, apiKey: KEY.apiKey, secret: 'notTheSecret', instruments: [h.inst], clockUs: wallClockUs(),
    });
    await expect(wrong.start()).rejects.toThrow('bybit private auth refused: Params Error');
    wrong.stop();
    expect(h.emu.account!.stats.authFailures).toBe(1);
  }, 30_000);

  it('a timestamp outside the recv window is refused with 10002 naming both clocks: a definitive rejection, nothing created', async () => {
    const h = await harness({ timeDifferenceMs: 60_000 }); // our clock 60 s behind
    const { bidTicks } = await h.touch();
    h.exec.submit(order(spotSpec, 'late-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('late-1').length > 0, 5000, 'rejection');
    const reason = (h.of('late-1')[0] as { kind: string; reason: string });
    expect(reason.kind).toBe('rejected');
    expect(reason.reason).toMatch(/^InvalidNonce: 10002 invalid request, please check your server timestamp or recv_window param\. req_timestamp\[\d+\],server_timestamp\[\d+\],recv_window\[5000\]$/);
    expect(h.emu.account!.stats.ordersCreated).toBe(0);
  }, 30_000);

  it('a lost ack and a 502 after processing are resolved by querying the orderLinkId: one order each, never a second', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.emu.account!.faults.loseAcks = 1;
    h.exec.submit(order(spotSpec, 'lost-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('lost-1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a lost ack');
    h.emu.account!.faults.server5xx = 1;
    h.exec.submit(order(spotSpec, 'err-1', 'buy', 'POST_ONLY', bidTicks - 101), 0);
    await waitFor(() => h.of('err-1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a 502');
    await sleep(300);
    expect(h.exec.stats.ambiguous).toBe(2);
    expect(h.exec.stats.resends).toBe(0);
    expect(h.emu.account!.stats.createPosts).toBe(2);
    expect(h.emu.account!.stats.ordersCreated).toBe(2);
    expect(h.emu.ordersWithLinkId('lost-1')).toBe(1);
    expect(h.of('lost-1').map((r) => r.kind)).toEqual(['accepted']);
    expect(h.of('err-1').map((r) => r.kind)).toEqual(['accepted']);
    expect(h.emu.openOrderIds().sort()).toEqual(['err-1', 'lost-1']);
  }, 30_000);

  it('a lost ack while the private socket is down: the query by orderLinkId finds the order (no push can), one order', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.emu.account!.disconnectPrivate(); // our socket reconnects after 250 ms; the query comes first
    h.emu.account!.faults.loseAcks = 1;
    h.exec.submit(order(spotSpec, 'lost-2', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('lost-2').some((r) => r.kind === 'accepted'), 5000, 'accepted');
    const rows = h.latency.filter((r) => r.clientOrderId === 'lost-2');
    expect(rows[0]).toMatchObject({ action: 'place' });
    expect(rows[0]!.outcome).toMatch(/^ambiguous:/);
    expect(rows.some((r) => r.action === 'query' && r.outcome === 'ok')).toBe(true);
    expect(h.exec.stats.resends).toBe(0);
    expect(h.emu.ordersWithLinkId('lost-2')).toBe(1);
    await waitFor(() => h.exec.stats.reconnects === 1 && h.emu.account!.stats.auths === 2, 5000, 'the private socket back');
    expect(h.of('lost-2').map((r) => r.kind)).toEqual(['accepted']);
  }, 30_000);

  it('an ambiguous create of an order already filled and closed, listed only in the order history (as after a Bybit restart): found there, its execution fetched, reported once', async () => {
    const h = await harness();
    const { askTicks, askSize } = await h.touch();
    expect(h.inst.lot.toUnits(askSize)).toBeGreaterThanOrEqual(2);
    h.emu.account!.disconnectPrivate(); // no push can answer: the queries must
    h.emu.account!.faults.closedOnlyInHistory = true;
    h.emu.account!.faults.server5xx = 1;
    h.exec.submit(order(spotSpec, 'hist-1', 'buy', 'IOC', askTicks, 2), 0);
    await waitFor(() => h.of('hist-1').some((r) => r.kind === 'fill'), 5000, 'the fill');
    await waitFor(() => h.exec.stats.reconnects === 1 && h.emu.account!.stats.auths === 2, 5000, 'the private socket back');
    await sleep(300);
    expect(h.of('hist-1').map((r) => r.kind)).toEqual(['accepted', 'fill']);
    expect((h.of('hist-1')[1] as Fill).sizeLots).toBe(2);
    expect(h.emu.account!.stats.historyQueries).toBeGreaterThanOrEqual(1);
    expect(h.exec.stats.resends).toBe(0);
    expect(h.emu.ordersWithLinkId('hist-1')).toBe(1);
    expect(h.exec.openClientIds()).toEqual([]);
  }, 30_000);

  it('cancel-all answered 502 after canceling is asked again, and the orders are canceled once each', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    for (let i = 0; i < 3; i++) h.exec.submit(order(spotSpec, `ca-${i}`, 'buy', 'POST_ONLY', bidTicks - 100 - i, 1), 0);
    await waitFor(() => h.reports.filter((r) => r.kind === 'accepted').length === 3, 5000, '3 accepted');
    h.emu.account!.faults.cancelAll5xx = 1;
    await h.exec.cancelAll(); // the retry finds nothing left: the venue never said how many the first one canceled
    await waitFor(() => h.reports.filter((r) => r.kind === 'canceled').length === 3, 5000, '3 canceled');
    expect(h.latency.filter((r) => r.action === 'cancel-all').map((r) => r.outcome.split(':')[0])).toEqual(['ambiguous', 'ok']);
    expect(h.emu.openOrderIds()).toEqual([]);
    await sleep(200);
    expect(h.reports.filter((r) => r.kind === 'canceled')).toHaveLength(3);
  }, 30_000);

  it('a create that times out stays in flight (no report, no resend) until the venue says: here its order push, 0.5 s after the timeout; one order', async () => {
    const h = await harness(); // ccxt timeout 1000 ms
    const { bidTicks } = await h.touch();
    h.emu.account!.faults.ackDelayMs = 1500; // the venue processes the create after 1.5 s (queries wait as long)
    h.exec.submit(order(spotSpec, 'slow-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.exec.stats.ambiguous === 1, 5000, 'the create timed out');
    expect(h.logs.some((l) => l.startsWith('order slow-1: RequestTimeout'))).toBe(true);
    expect(h.of('slow-1')).toEqual([]);
    expect(h.emu.account!.stats.ordersCreated).toBe(0);
    await waitFor(() => h.of('slow-1').some((r) => r.kind === 'accepted'), 10_000, 'accepted once the venue answers');
    h.emu.account!.faults.ackDelayMs = 0;
    await sleep(1500); // the query in flight meanwhile answers too: nothing more happens
    expect(h.exec.stats.resends).toBe(0);
    expect(h.emu.ordersWithLinkId('slow-1')).toBe(1);
    expect(h.emu.account!.stats.createPosts).toBe(1);
    expect(h.of('slow-1').map((r) => r.kind)).toEqual(['accepted']);
  }, 30_000);

  it('10006 and 10016 (not processed) are resolved by query -> not found -> the same orderLinkId sent again: exactly one order each, never a rejection', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.emu.account!.faults.rateLimit10006 = 1;
    h.exec.submit(order(spotSpec, 'rl-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('rl-1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a 10006');
    h.emu.account!.faults.server10016 = 1;
    h.exec.submit(order(spotSpec, 'se-1', 'buy', 'POST_ONLY', bidTicks - 101), 0);
    await waitFor(() => h.of('se-1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a 10016');
    expect(h.exec.stats.resends).toBe(2);
    expect(h.exec.stats.rejects).toBe(0);
    expect(h.emu.account!.stats.ordersCreated).toBe(2);
    expect(h.emu.ordersWithLinkId('rl-1')).toBe(1);
    expect(h.emu.ordersWithLinkId('se-1')).toBe(1);
    expect(h.logs.some((l) => l.includes('10006 Too many visits!'))).toBe(true);
  }, 30_000);

  it('a resend that meets the first create is answered 110072 (duplicate orderLinkId) by the venue, never a second order', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const client = createBybitCcxt({ ...KEY, restUrl: h.url.rest });
    const req = { category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Limit', qty: '0.05', price: h.inst.tick.toDecimal(bidTicks - 100), timeInForce: 'PostOnly', orderLinkId: 'dup-1' };
    const first = await client.privatePostV5OrderCreate(req) as { retCode: number };
    expect(first.retCode).toBe(0);
    await expect(client.privatePostV5OrderCreate(req)).rejects.toThrow(/"retCode":110072,"retMsg":"OrderLinkedID is duplicate"/);
    expect(h.emu.ordersWithLinkId('dup-1')).toBe(1);
    expect(h.emu.account!.stats.duplicateRejects).toBe(1);
  }, 30_000);

  it('after the private socket drops, it authenticates again and a cancel pushed meanwhile is found by query', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.exec.submit(order(spotSpec, 'drop-1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('drop-1').some((r) => r.kind === 'accepted'), 5000, 'accepted');
    h.emu.account!.disconnectPrivate();
    // Another client on the account cancels it while our socket is down: that push reaches nobody.
    const other = createBybitCcxt({ ...KEY, restUrl: h.url.rest });
    await other.privatePostV5OrderCancel({ category: 'spot', symbol: 'ETHUSDT', orderLinkId: 'drop-1' });
    expect(h.emu.openOrderIds()).toEqual([]);
    await waitFor(() => h.of('drop-1').some((r) => r.kind === 'canceled'), 10_000, 'canceled after the reconnect');
    expect(h.exec.stats.reconnects).toBe(1);
    expect(h.emu.account!.stats.auths).toBe(2);
    expect(h.of('drop-1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    h.exec.submit(order(spotSpec, 'drop-2', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('drop-2').some((r) => r.kind === 'accepted'), 5000, 'accepted on the new socket');
    h.exec.cancel('drop-2', 0);
    await waitFor(() => h.of('drop-2').some((r) => r.kind === 'canceled'), 5000, 'canceled on the new socket');
  }, 30_000);

  it('paces a burst of 30 creates at the spot create limit (20 per rolling second): the excess waits, none refused, all accepted; cancel-all cancels them', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const t0 = Date.now();
    for (let i = 0; i < 30; i++) h.exec.submit(order(spotSpec, `b-${i}`, 'buy', 'POST_ONLY', bidTicks - 200 - i, 1), 0);
    await waitFor(() => h.reports.filter((r) => r.kind === 'accepted').length === 30, 10_000, '30 accepted');
    expect(h.exec.stats.throttled).toBe(10);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(h.emu.account!.stats.rateLimited).toBe(0);
    expect(h.emu.account!.stats.createPosts).toBe(30);
    expect(await h.exec.cancelAll()).toBe(30);
    await waitFor(() => h.reports.filter((r) => r.kind === 'canceled').length === 30, 5000, '30 canceled');
    expect(h.emu.openOrderIds()).toEqual([]);
  }, 30_000);

  it('the emulator answers the 21st create within a second with 10006, unprocessed', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const client = createBybitCcxt({ ...KEY, restUrl: h.url.rest });
    const px = h.inst.tick.toDecimal(bidTicks - 300);
    const results = await Promise.allSettled(Array.from({ length: 21 }, (_, i) => client.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Limit', qty: '0.01', price: px, timeInForce: 'PostOnly', orderLinkId: `raw-${i}` })));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => `${String((r as PromiseRejectedResult).reason.constructor.name)} ${String((r as PromiseRejectedResult).reason.message)}`);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^RateLimitExceeded bybit \{"retCode":10006,"retMsg":"Too many visits!"/);
    expect(h.emu.account!.stats.ordersCreated).toBe(20);
  }, 30_000);
});

describe('Bybit v5 linear order entry against the emulator', () => {
  it('an IOC larger than the best bid: the level fills, the remainder expires; fill before expiry even when the venue pushes the Cancelled state first', async () => {
    const h = await harness({ spec: linearSpec });
    h.emu.account!.faults.orderBeforeExecution = true;
    const d = (await (await fetch(`${h.url.rest}/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=1`)).json()) as { result: { b: string[][] } };
    const [px, size] = d.result.b[0] as [string, string];
    const levelLots = h.inst.lot.toUnits(size);
    h.exec.submit(order(linearSpec, 'ioc-1', 'sell', 'IOC', h.inst.tick.toUnits(px), levelLots + 3), 0);
    await waitFor(() => h.of('ioc-1').some((r) => r.kind === 'expired'), 5000, 'the remainder expired');
    const kinds = h.of('ioc-1').map((r) => r.kind);
    expect(kinds[0]).toBe('accepted');
    expect(kinds.at(-1)).toBe('expired');
    const fills = h.of('ioc-1').filter((r) => r.kind === 'fill') as Fill[];
    expect(fills.reduce((a, f) => a + f.sizeLots, 0)).toBe(levelLots);
    expect(fills.every((f) => f.priceTicks === h.inst.tick.toUnits(px))).toBe(true);
    const positions = await h.exec.fetchPositions();
    expect(positions).toHaveLength(1);
    expect(positions![0]).toMatchObject({ instrument: 'bybit-linear:ETHUSDT', quantity: `-${size}`, positionSide: 'BOTH' });
    expect(new Decimal(positions![0]!.entryPrice).eq(px)).toBe(true);
  }, 30_000);

  it('a PostOnly that would take is cancelled by the venue with Bybit\'s post-only reason', async () => {
    const h = await harness({ spec: linearSpec });
    const { askTicks } = await h.touch();
    h.exec.submit(order(linearSpec, 'po-1', 'buy', 'POST_ONLY', askTicks + 2), 0);
    await waitFor(() => h.of('po-1').some((r) => r.kind === 'canceled'), 5000, 'canceled');
    expect(h.of('po-1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    expect((h.of('po-1')[1] as { reason: string }).reason).toBe('venue: post-only order would take (EC_PostOnlyWillTakeLiquidity)');
  }, 30_000);

  it('an IOC through several ask levels: every execution reported once, their sum is what the venue says filled; the position and wallet follow', async () => {
    const h = await harness({ spec: linearSpec });
    h.emu.account!.faults.duplicateExecutions = true;
    const d = (await (await fetch(`${h.url.rest}/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=3`)).json()) as { result: { a: string[][] } };
    const [l1, l2] = d.result.a as [string[], string[]];
    // One lot more than the best level holds: at least two executions at two prices.
    const sizeLots = h.inst.lot.toUnits(l1[1]!) + 1;
    h.exec.submit({ ...order(linearSpec, 'lin-1', 'buy', 'IOC', h.inst.tick.toUnits(l2[0]!), sizeLots) }, 0);
    await waitFor(() => (h.of('lin-1').filter((r) => r.kind === 'fill') as Fill[]).reduce((a, f) => a + f.sizeLots, 0) === sizeLots, 5000, 'the whole IOC filled');
    await sleep(300);
    const fills = h.of('lin-1').filter((r) => r.kind === 'fill') as Fill[];
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(h.exec.stats.duplicateFillsDropped).toBe(fills.length);
    expect(new Set(fills.map((f) => f.venueTradeId)).size).toBe(fills.length);
    // What the venue says it executed, from its own execution list: the same ids, the same total.
    const client = createBybitCcxt({ ...KEY, restUrl: h.url.rest });
    const list = (await client.privateGetV5ExecutionList({ category: 'linear', symbol: 'ETHUSDT', orderLinkId: 'lin-1' }) as { result: { list: { execId: string; execQty: string }[] } }).result.list;
    expect(list.map((x) => x.execId).sort()).toEqual(fills.map((f) => f.venueTradeId).sort());
    expect(list.reduce((a, x) => a + h.inst.lot.toUnits(x.execQty), 0)).toBe(sizeLots);
    // Bybit's taker fee of the capture's instrument list (0.075%), paid, in USDT.
    expect(fills.every((f) => f.feeCurrency === 'USDT' && Number(f.fee) > 0)).toBe(true);
    const positions = await h.exec.fetchPositions();
    expect(positions).toHaveLength(1);
    expect(positions![0]!.instrument).toBe('bybit-linear:ETHUSDT');
    expect(positions![0]!.quantity).toBe(h.inst.lot.toDecimal(sizeLots));
    expect(positions![0]!.positionSide).toBe('BOTH');
    const vwap = fills.reduce((a, f) => a + Number(h.inst.tick.toDecimal(f.priceTicks)) * f.sizeLots, 0) / sizeLots;
    expect(Number(positions![0]!.entryPrice)).toBeCloseTo(vwap, 8);
    // Reduce-only sell closes it: flat, nothing listed.
    const { bidTicks } = await h.touch();
    h.exec.submit(order(linearSpec, 'lin-2', 'sell', 'IOC', bidTicks - 200, sizeLots, true), 0);
    await waitFor(() => (h.of('lin-2').filter((r) => r.kind === 'fill') as Fill[]).reduce((a, f) => a + f.sizeLots, 0) === sizeLots, 5000, 'closed');
    expect(await h.exec.fetchPositions()).toEqual([]);
    expect(h.exec.stats.rejects).toBe(0);
    // Flat again: the USDT wallet moved by the round trip's P&L less every fee, to the last decimal.
    const all = [...fills, ...(h.of('lin-2').filter((r) => r.kind === 'fill') as Fill[])];
    const px = (f: Fill) => new Decimal(h.inst.tick.toDecimal(f.priceTicks)).times(h.inst.lot.toDecimal(f.sizeLots));
    const pnl = all.filter((f) => f.clientOrderId === 'lin-2').reduce((a, f) => a.plus(px(f)), new Decimal(0)).minus(fills.reduce((a, f) => a.plus(px(f)), new Decimal(0)));
    const fees = all.reduce((a, f) => a.plus(f.fee!), new Decimal(0));
    const bal = await h.exec.fetchBalances();
    expect(bal.USDT).toBe(new Decimal(100000).plus(pnl).minus(fees).toFixed());
    expect(bal.ETH).toBe('10'); // linear trades leave the coin balance alone
  }, 30_000);
});
