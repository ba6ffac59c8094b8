/**
 * Live amendment on Binance USDⓈ-M (PUT /fapi/v1/order) and COIN-M (PUT /dapi/v1/order) through
 * BinanceExecution.modify, against the emulator replaying the real 2024-08-08 captures; the reports
 * are folded by the real OMS (decideOms / evolveOms), as the kernel does. Spot's refusal is checked
 * without a venue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';
import type { DomainEvent, VenueReport } from '../../src/model/orders.ts';
import { decideOms } from '../../src/oms/decideOms.ts';
import { evolveOms } from '../../src/oms/evolveOms.ts';
import { createOmsState } from '../../src/oms/OmsState.ts';
import { sleep, waitFor } from '../core/waitFor.ts';

const DATA = '/work/shared/data/binance-capture';
let emu: BinanceSpotEmulator | undefined;
const stops: (() => void)[] = [];
afterEach(async () => { for (const s of stops.splice(0)) s(); await emu?.close(); emu = undefined; });

const cases = [
  { id: 'binance-usdm:BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz`, depth: '/fapi/v1/depth', listenKey: '/fapi/v1/listenKey', sizeLots: 2 },
  { id: 'binance-coinm:BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz`, depth: '/dapi/v1/depth', listenKey: '/dapi/v1/listenKey', sizeLots: 1 },
];

describe.each(cases)('amend on $id', ({ id, file, depth, listenKey, sizeLots }) => {
  const spec = captureInstruments.find((s) => s.id === id)!;
  const inst = instrument(spec);
  const product = BINANCE_PRODUCT_OF_VENUE[spec.venue]!;
  const ccxtSym = `${inst.base}/${inst.quote}:${inst.settle}`;

  async function harness() {
    emu = await startEmulator({ captures: [file], speed: 5, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
    const client = createBinanceCcxt({ product, apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest, timeoutMs: 1000 });
    const reports: VenueReport[] = [];
    // The OMS as the kernel runs it: intents and venue reports decided, the events folded back.
    const oms = createOmsState({ runId: 'amend', instruments: [inst] });
    const events: DomainEvent[] = [];
    const fold = (out: readonly DomainEvent[]) => { for (const e of out) { events.push(e); evolveOms(oms, e); } };
    const exec: BinanceExecution = new BinanceExecution({
      product, client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [inst], clockUs: wallClockUs(), retryDelayMs: 50,
      onReport: () => {
        for (const r of exec.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) { reports.push(r.report); fold(decideOms(oms, { kind: 'venue', report: r.report }) as DomainEvent[]); }
      },
    });
    await exec.start();
    stops.push(() => exec.stop());
    // A second listener on the account's user-data stream: what the emulator pushes.
    const key = ((await (await fetch(`${emu.url.rest}${listenKey}`, { method: 'POST', headers: { 'X-MBX-APIKEY': EMULATOR_DEMO_KEY } })).json()) as { listenKey: string }).listenKey;
    const pushes: Record<string, unknown>[] = [];
    const ws = new WebSocket(`${emu.url.ws}/ws/${key}`);
    ws.on('message', (raw: WebSocket.RawData) => pushes.push(JSON.parse(raw.toString()) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    stops.push(() => ws.terminate());
    const touch = async () => {
      const d = (await (await fetch(`${emu!.url.rest}${depth}?symbol=${spec.symbol}&limit=5`)).json()) as { bids: [string, string][]; asks: [string, string][] };
      return { bidTicks: inst.tick.toUnits(d.bids[0]![0]), askTicks: inst.tick.toUnits(d.asks[0]![0]) };
    };
    /** A resting GTC buy placed through the OMS: its client order id once the venue accepted it. */
    const placeResting = async (priceTicks: number): Promise<string> => {
      const out = decideOms(oms, { kind: 'place', strategyId: 't', instrument: id, side: 'buy', type: 'limit', timeInForce: 'GTC', priceTicks, sizeLots, reduceOnly: false }) as DomainEvent[];
      fold(out);
      const req = out[0]!.data as unknown as OrderIntentData;
      fold([{ type: 'order.submitted', data: { clientOrderId: req.clientOrderId } }]);
      exec.submit(req, 0);
      await waitFor(() => oms.orders.get(req.clientOrderId)?.status === 'accepted', 5000, 'accepted');
      return req.clientOrderId;
    };
    const modify = (cid: string, priceTicks: number, newSize: number) => {
      const out = decideOms(oms, { kind: 'modify', strategyId: 't', clientOrderId: cid, priceTicks, sizeLots: newSize }) as DomainEvent[];
      fold(out);
      expect(out.map((e) => e.type)).toEqual(['order.update-requested']);
      expect(oms.orders.get(cid)!.status).toBe('pending-update');
      exec.modify(cid, priceTicks, newSize, 0);
    };
    const venueOrder = async (cid: string) => (await client.fetchOrder(undefined as unknown as string, ccxtSym, { origClientOrderId: cid })).info as { price: string; origQty: string; status: string };
    const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
    return { exec, client, oms, events, pushes, touch, placeResting, modify, venueOrder, of };
  }

  it('amends price and size of a resting order: the venue order changes, AMENDMENT is pushed, the OMS works at the new price', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    h.modify(cid, bidTicks - 150, sizeLots + 1);
    await waitFor(() => h.of(cid).some((r) => r.kind === 'updated'), 5000, 'updated');
    await sleep(300); // the PUT answer and the AMENDMENT push both arrived: one report
    expect(h.of(cid).map((r) => r.kind)).toEqual(['accepted', 'updated']);
    expect(h.of(cid)[1]).toEqual({ kind: 'updated', clientOrderId: cid, priceTicks: bidTicks - 150, sizeLots: sizeLots + 1 });
    const v = await h.venueOrder(cid);
    expect(inst.tick.toUnits(v.price)).toBe(bidTicks - 150);
    expect(inst.lot.toUnits(v.origQty)).toBe(sizeLots + 1);
    expect(v.status).toBe('NEW');
    const amendments = h.pushes.filter((m) => m.e === 'ORDER_TRADE_UPDATE' && (m.o as { x: string }).x === 'AMENDMENT').map((m) => m.o as { c: string; p: string; q: string; X: string });
    expect(amendments).toHaveLength(1);
    expect(amendments[0]!.c).toBe(cid);
    expect(inst.tick.toUnits(amendments[0]!.p)).toBe(bidTicks - 150);
    expect(amendments[0]!.X).toBe('NEW');
    const o = h.oms.orders.get(cid)!;
    expect([o.status, o.priceTicks, o.sizeLots, o.leavesLots]).toEqual(['accepted', bidTicks - 150, sizeLots + 1, sizeLots + 1]);
    expect(h.events.filter((e) => (e.data as { clientOrderId?: string }).clientOrderId === cid).map((e) => e.type)).toEqual(['order.requested', 'order.submitted', 'order.accepted', 'order.update-requested', 'order.updated']);
    expect(emu!.stats.orderModifies).toBe(1);
    expect(h.exec.stats.modifies).toBe(1);
  }, 30_000);

  it('an amendment that prices the order through the book takes at once: updated, then the fills, the OMS filled at the new size', async () => {
    const h = await harness();
    const { bidTicks, askTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    h.modify(cid, askTicks + 50, sizeLots);
    await waitFor(() => h.oms.orders.get(cid)!.filledLots > 0, 5000, 'fill after the amendment');
    await sleep(300);
    const kinds = h.of(cid).map((r) => r.kind);
    expect(kinds.slice(0, 3)).toEqual(['accepted', 'updated', 'fill']);
    expect(h.oms.invalidTransitions).toBe(0);
    const o = h.oms.orders.get(cid)!;
    expect(o.priceTicks).toBe(askTicks + 50);
    const filled = h.of(cid).filter((r) => r.kind === 'fill').reduce((n, r) => n + (r as { sizeLots: number }).sizeLots, 0);
    expect(o.filledLots).toBe(filled);
    expect(o.status).toBe(filled === sizeLots ? 'filled' : 'partially-filled');
    // The PUT answer and the AMENDMENT push both arrived: no second `updated`, no `update-rejected`.
    expect(kinds.filter((k) => k === 'updated' || k === 'update-rejected')).toEqual(['updated']);
  }, 30_000);

  it('an amendment the venue refuses (-5027 nothing to change) is update-rejected and leaves the order as it was', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    h.modify(cid, bidTicks - 100, sizeLots);
    await waitFor(() => h.of(cid).some((r) => r.kind === 'update-rejected'), 5000, 'update-rejected');
    const r = h.of(cid).find((x) => x.kind === 'update-rejected') as Extract<VenueReport, { kind: 'update-rejected' }>;
    expect(r.reason).toContain('No need to modify the order.');
    expect(r.reason).toContain('(-5027)');
    const v = await h.venueOrder(cid);
    expect([inst.tick.toUnits(v.price), inst.lot.toUnits(v.origQty), v.status]).toEqual([bidTicks - 100, sizeLots, 'NEW']);
    const o = h.oms.orders.get(cid)!;
    expect([o.status, o.priceTicks, o.sizeLots]).toEqual(['accepted', bidTicks - 100, sizeLots]);
    expect(h.events.at(-1)!.type).toBe('order.update-rejected');
  }, 30_000);

  it('an unanswered PUT (503 after processing) is resolved by querying the order, never reported as a rejection', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    const cid = await h.placeResting(bidTicks - 100);
    emu!.faults.server5xx = 1;
    h.modify(cid, bidTicks - 120, sizeLots);
    await waitFor(() => h.oms.orders.get(cid)!.status === 'accepted' && h.oms.orders.get(cid)!.priceTicks === bidTicks - 120, 5000, 'amended');
    await sleep(300);
    expect(h.of(cid).map((r) => r.kind)).toEqual(['accepted', 'updated']);
    expect(h.exec.stats.ambiguous).toBe(1);
    expect(emu!.faults.server5xx).toBe(0);
  }, 30_000);

  it('the venue refuses to amend a filled order (-2013); the adapter refuses a closed one without asking', async () => {
    const h = await harness();
    const { askTicks } = await h.touch();
    const out = decideOms(h.oms, { kind: 'place', strategyId: 't', instrument: id, side: 'buy', type: 'limit', timeInForce: 'IOC', priceTicks: askTicks + 5, sizeLots, reduceOnly: false }) as DomainEvent[];
    const req = out[0]!.data as unknown as OrderIntentData;
    h.exec.submit(req, 0);
    await waitFor(() => h.pushes.some((m) => m.e === 'ORDER_TRADE_UPDATE' && (m.o as { c: string; X: string }).c === req.clientOrderId && (m.o as { X: string }).X === 'FILLED'), 5000, 'filled');
    const put = (h.client as unknown as Record<string, (p: object) => Promise<unknown>>)[product === 'usdm' ? 'fapiPrivatePutOrder' : 'dapiPrivatePutOrder']!;
    await expect(put({ symbol: spec.symbol, origClientOrderId: req.clientOrderId, side: 'BUY', quantity: inst.lot.toDecimal(sizeLots + 1), price: inst.tick.toDecimal(askTicks - 500) })).rejects.toThrow(/-2013/);
    await waitFor(() => h.exec.openClientIds().length === 0, 5000, 'closed in the adapter');
    h.exec.modify(req.clientOrderId, askTicks - 500, sizeLots + 1, 0);
    await waitFor(() => h.of(req.clientOrderId).some((r) => r.kind === 'update-rejected'), 2000, 'update-rejected');
    expect((h.of(req.clientOrderId).find((r) => r.kind === 'update-rejected') as { reason: string }).reason).toBe('order already closed');
    expect(emu!.stats.orderModifies).toBe(1); // only the direct PUT reached the venue
  }, 30_000);
});

describe('amend on binance spot', () => {
  it('is refused with the reason: no spot amendment keeps the client id for a price change', () => {
    const spec = captureInstruments.find((s) => s.venue === 'binance-spot')!;
    const inst = instrument(spec);
    const reports: VenueReport[] = [];
    const exec: BinanceExecution = new BinanceExecution({
      product: 'spot', client: createBinanceCcxt({ product: 'spot', apiKey: 'k', secret: 's', restUrl: 'http://127.0.0.1:9' }), restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9', apiKey: 'k',
      instruments: [inst], clockUs: () => 1, onReport: () => { for (const r of exec.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
    });
    exec.modify('o1', 100, 1, 0);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.kind).toBe('update-rejected');
    const reason = (reports[0] as { reason: string }).reason;
    expect(reason).toMatch(/^binance spot: no amendment keeps the client order id/);
    expect(reason).toContain('cancelReplace');
    expect(reason).toContain('keepPriority');
  });
});
