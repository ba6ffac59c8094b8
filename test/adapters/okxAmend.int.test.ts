/**
 * Live amendment on OKX spot (POST /api/v5/trade/amend-order by clOrdId, outcome on the private
 * `orders` channel with reqId and amendResult) through OkxExecution.modify, against the OKX emulator
 * replaying the real BTC-USDT capture; the reports are folded by the real OMS, as the kernel does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHmac } from 'node:crypto';
import { createOkxCcxt } from '../../src/adapters/okx/okxCcxt.ts';
import { OkxExecution } from '../../src/adapters/okx/OkxExecution.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';
import type { DomainEvent, VenueReport } from '../../src/model/orders.ts';
import { decideOms } from '../../src/oms/decideOms.ts';
import { evolveOms } from '../../src/oms/evolveOms.ts';
import { createOmsState } from '../../src/oms/OmsState.ts';
import { sleep, waitFor } from '../core/waitFor.ts';
import { OKX_DIR, okxSpecs } from './okxSpecs.ts';

const KEY = { apiKey: 'okxTestKey', secretKey: 'okxTestSecret', passphrase: 'okxTestPassphrase' };
const spec = okxSpecs(['BTC-USDT'])[0]!;
const inst = instrument(spec);
const capture = loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']);
let emu: OkxEmulator | undefined;
const stops: (() => void)[] = [];
afterEach(async () => { for (const s of stops.splice(0)) s(); await emu?.close(); emu = undefined; });

const SIZE = 100_000; // 0.001 BTC

async function harness() {
  emu = new OkxEmulator({ capture, speed: 1, account: { ...KEY, instruments: [spec] } });
  const url = await emu.start();
  await waitFor(() => capture.messages.length - emu!.remaining > 5, 5000, 'replay start');
  const client = createOkxCcxt({ apiKey: KEY.apiKey, secret: KEY.secretKey, passphrase: KEY.passphrase, restUrl: url.rest, timeoutMs: 1000 });
  const reports: VenueReport[] = [];
  const oms = createOmsState({ runId: 'okxamend', instruments: [inst] });
  const events: DomainEvent[] = [];
  const fold = (out: readonly DomainEvent[]) => { for (const e of out) { events.push(e); evolveOms(oms, e); } };
  const exec: OkxExecution = new OkxExecution({
    client, wsPrivateUrl: url.wsPrivate, apiKey: KEY.apiKey, secret: KEY.secretKey, passphrase: KEY.passphrase, instruments: [inst], clockUs: wallClockUs(), retryDelayMs: 50,
    onReport: () => {
      for (const r of exec.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) { reports.push(r.report); fold(decideOms(oms, { kind: 'venue', report: r.report }) as DomainEvent[]); }
    },
  });
  await exec.start();
  stops.push(() => exec.stop());
  // A second login on the private socket: the `orders` pushes as the venue sends them.
  const pushes: Record<string, string>[] = [];
  const ws = new WebSocket(url.wsPrivate);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  stops.push(() => ws.terminate());
  const ts = String(Math.floor(Date.now() / 1000));
  ws.send(JSON.stringify({ op: 'login', args: [{ apiKey: KEY.apiKey, passphrase: KEY.passphrase, timestamp: ts, sign: createHmac('sha256', KEY.secretKey).update(`${ts}GET/users/self/verify`).digest('base64') }] }));
  ws.on('message', (raw: WebSocket.RawData) => {
    const m = JSON.parse(raw.toString()) as { event?: string; data?: Record<string, string>[] };
    if (m.event === 'login') ws.send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] }));
    for (const d of m.data ?? []) pushes.push(d);
  });
  await waitFor(() => emu!.account!.stats.logins >= 2, 5000, 'second login');
  await sleep(100);
  const touch = async () => {
    const d = (await (await fetch(`${url.rest}/api/v5/market/books?instId=BTC-USDT&sz=5`)).json()) as { data: { bids: string[][]; asks: string[][] }[] };
    const b = d.data[0]!;
    return { bidTicks: inst.tick.toUnits(b.bids[0]![0]!), askTicks: inst.tick.toUnits(b.asks[0]![0]!) };
  };
  const placeResting = async (priceTicks: number, tif: OrderIntentData['timeInForce'] = 'GTC'): Promise<string> => {
    const out = decideOms(oms, { kind: 'place', strategyId: 't', instrument: spec.id, side: 'buy', type: 'limit', timeInForce: tif, priceTicks, sizeLots: SIZE, reduceOnly: false }) as DomainEvent[];
    fold(out);
    const req = out[0]!.data as unknown as OrderIntentData;
    fold([{ type: 'order.submitted', data: { clientOrderId: req.clientOrderId } }]);
    exec.submit(req, 0);
    await waitFor(() => oms.orders.get(req.clientOrderId)?.status === 'accepted', 5000, 'accepted');
    return req.clientOrderId;
  };
  const modify = (cid: string, priceTicks: number, sizeLots: number) => {
    const out = decideOms(oms, { kind: 'modify', strategyId: 't', clientOrderId: cid, priceTicks, sizeLots }) as DomainEvent[];
    fold(out);
    expect(out.map((e) => e.type)).toEqual(['order.update-requested']);
    exec.modify(cid, priceTicks, sizeLots, 0);
  };
  const venueOrder = async (cid: string) => (await client.fetchOrder(undefined as unknown as string, 'BTC/USDT', { clOrdId: cid })).info as { px: string; sz: string; state: string };
  const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
  const typesOf = (cid: string) => events.filter((e) => (e.data as { clientOrderId?: string }).clientOrderId === cid).map((e) => e.type);
  return { exec, client, oms, pushes, touch, placeResting, modify, venueOrder, of, typesOf };
}

describe('OKX spot amend against the emulator (real BTC-USDT capture)', () => {
  it('amends price and size of a resting order: the venue order changes, the push carries reqId and amendResult 0, the OMS works at the new price', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    h.modify(cid, bidTicks - 150, 2 * SIZE);
    await waitFor(() => h.of(cid).some((r) => r.kind === 'updated'), 5000, 'updated');
    await sleep(200);
    expect(h.of(cid)).toEqual([
      { kind: 'accepted', clientOrderId: cid, venueOrderId: expect.any(String) },
      { kind: 'updated', clientOrderId: cid, priceTicks: bidTicks - 150, sizeLots: 2 * SIZE },
    ]);
    const v = await h.venueOrder(cid);
    expect([inst.tick.toUnits(v.px), inst.lot.toUnits(v.sz), v.state]).toEqual([bidTicks - 150, 2 * SIZE, 'live']);
    const amended = h.pushes.filter((d) => d.clOrdId === cid && d.amendResult !== '');
    expect(amended.map((d) => [d.reqId, d.amendResult, d.code])).toEqual([['am1', '0', '0']]);
    expect(inst.tick.toUnits(amended[0]!.px!)).toBe(bidTicks - 150);
    const o = h.oms.orders.get(cid)!;
    expect([o.status, o.priceTicks, o.sizeLots, o.leavesLots]).toEqual(['accepted', bidTicks - 150, 2 * SIZE, 2 * SIZE]);
    expect(h.typesOf(cid)).toEqual(['order.requested', 'order.submitted', 'order.accepted', 'order.update-requested', 'order.updated']);
    expect(emu!.account!.stats.amendPosts).toBe(1);
    // A second amendment of the same order: reqId am2, a size cut.
    h.modify(cid, bidTicks - 150, SIZE);
    await waitFor(() => h.oms.orders.get(cid)!.status === 'accepted' && h.oms.orders.get(cid)!.sizeLots === SIZE, 5000, 'second amendment');
    expect(h.pushes.filter((d) => d.clOrdId === cid && d.amendResult === '0').map((d) => d.reqId)).toEqual(['am1', 'am2']);
  }, 30_000);

  it('an amendment that prices the order through the book takes at once: updated, then the fill, the OMS filled', async () => {
    const h = await harness();
    const { bidTicks, askTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    h.modify(cid, askTicks + 50, SIZE);
    await waitFor(() => h.oms.orders.get(cid)!.filledLots > 0, 5000, 'fill after the amendment');
    await sleep(300);
    const kinds = h.of(cid).map((r) => r.kind);
    expect(kinds.slice(0, 3)).toEqual(['accepted', 'updated', 'fill']);
    expect(kinds.filter((k) => k === 'updated' || k === 'update-rejected')).toEqual(['updated']);
    expect(h.oms.invalidTransitions).toBe(0);
    const o = h.oms.orders.get(cid)!;
    const filled = h.of(cid).filter((r) => r.kind === 'fill').reduce((n, r) => n + (r as { sizeLots: number }).sizeLots, 0);
    expect([o.priceTicks, o.filledLots, o.status]).toEqual([askTicks + 50, filled, filled === SIZE ? 'filled' : 'partially-filled']);
  }, 30_000);

  it('an amendment refused in the answer (51511: a post-only price through the book) is update-rejected, the order unchanged', async () => {
    const h = await harness();
    const { bidTicks, askTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100, 'POST_ONLY');
    h.modify(cid, askTicks + 10, SIZE);
    await waitFor(() => h.of(cid).some((r) => r.kind === 'update-rejected'), 5000, 'update-rejected');
    const r = h.of(cid).find((x) => x.kind === 'update-rejected') as { reason: string };
    expect(r.reason).toMatch(/^okx: \w+: 51511 Modification failed as the order price did not meet the requirement for Post Only/);
    const v = await h.venueOrder(cid);
    expect([inst.tick.toUnits(v.px), inst.lot.toUnits(v.sz), v.state]).toEqual([bidTicks - 100, SIZE, 'live']);
    const o = h.oms.orders.get(cid)!;
    expect([o.status, o.priceTicks, o.sizeLots]).toEqual(['accepted', bidTicks - 100, SIZE]);
    expect(h.typesOf(cid).at(-1)).toBe('order.update-rejected');
  }, 30_000);

  it('an amendment acknowledged then failed on the orders channel (amendResult -1) is update-rejected with its code', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    emu!.account!.faults.failAmendsAfterAck = 1;
    h.modify(cid, bidTicks - 120, SIZE);
    await waitFor(() => h.of(cid).some((r) => r.kind === 'update-rejected'), 5000, 'update-rejected');
    expect((h.of(cid).find((x) => x.kind === 'update-rejected') as { reason: string }).reason).toBe('okx: amendment failed: 51503 Order modification failed as the order does not exist.');
    const v = await h.venueOrder(cid);
    expect(inst.tick.toUnits(v.px)).toBe(bidTicks - 100);
    expect(h.oms.orders.get(cid)!.status).toBe('accepted');
  }, 30_000);

  it('refuses to amend a filled order (51510 from the venue; the adapter refuses a closed one without asking)', async () => {
    const h = await harness();
    const { askTicks } = await h.touch();
    const out = decideOms(h.oms, { kind: 'place', strategyId: 't', instrument: spec.id, side: 'buy', type: 'limit', timeInForce: 'IOC', priceTicks: askTicks + 50, sizeLots: SIZE, reduceOnly: false }) as DomainEvent[];
    const req = out[0]!.data as unknown as OrderIntentData;
    h.exec.submit(req, 0);
    await waitFor(() => h.pushes.some((d) => d.clOrdId === req.clientOrderId && d.state === 'filled'), 5000, 'filled');
    const amend = (h.client as unknown as Record<string, (p: object) => Promise<unknown>>).privatePostTradeAmendOrder!;
    await expect(amend({ instId: 'BTC-USDT', clOrdId: req.clientOrderId, newPx: inst.tick.toDecimal(askTicks - 500) })).rejects.toThrow(/"sCode":"51510"/);
    await waitFor(() => h.exec.openClientIds().length === 0, 5000, 'closed in the adapter');
    h.exec.modify(req.clientOrderId, askTicks - 500, SIZE, 0);
    expect((h.of(req.clientOrderId).find((r) => r.kind === 'update-rejected') as { reason: string }).reason).toBe('order already closed');
    expect(emu!.account!.stats.amendPosts).toBe(1);
  }, 30_000);

  it('an unanswered amend (503 after processing) is resolved by querying the order, never reported as a rejection', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    emu!.account!.faults.server5xx = 1;
    h.modify(cid, bidTicks - 130, SIZE);
    await waitFor(() => h.oms.orders.get(cid)!.priceTicks === bidTicks - 130, 5000, 'amended');
    await sleep(300);
    expect(h.of(cid).map((r) => r.kind)).toEqual(['accepted', 'updated']);
    expect(h.exec.stats.ambiguous).toBe(1);
  }, 30_000);
});
