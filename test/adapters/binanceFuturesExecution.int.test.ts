/**
 * Order entry on Binance USDⓈ-M (ccxt binanceusdm, /fapi/v1/order) and COIN-M (ccxt binancecoinm,
 * /dapi/v1/order) through BinanceExecution, against the emulator replaying the real 2024-08-08
 * captures: a resting post-only order is accepted and canceled, an IOC order through the touch fills
 * at the venue's best price (reported from ORDER_TRADE_UPDATE), a resend of a client id never makes a
 * second order, and a lost ack is resolved by querying the client id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { sleep, waitFor } from '../core/waitFor.ts';

const DATA = '/work/shared/data/binance-capture';
let emu: BinanceSpotEmulator | undefined;
afterEach(async () => { await emu?.close(); emu = undefined; });


// Sizes: USDⓈ-M in BTC (lot 0.001; 0.002 BTC ≈ 110 USDT clears the 100 USDT MIN_NOTIONAL), COIN-M in 100 USD contracts.
const cases = [
  { id: 'binance-usdm:BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz`, depth: '/fapi/v1/depth', sizeLots: 2 },
  { id: 'binance-coinm:BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz`, depth: '/dapi/v1/depth', sizeLots: 1 },
];

describe.each(cases)('order entry on $id', ({ id, file, depth, sizeLots }) => {
  const spec = captureInstruments.find((s) => s.id === id)!;
  const inst = instrument(spec);
  const order = (cid: string, side: 'buy' | 'sell', tif: OrderIntentData['timeInForce'], priceTicks: number): OrderIntentData => ({
    clientOrderId: cid, strategyId: 't', instrument: id, side, type: 'limit', timeInForce: tif, priceTicks, sizeLots, reduceOnly: false, tag: '',
  });

  async function harness() {
    emu = await startEmulator({ captures: [file], speed: 5, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
    const product = BINANCE_PRODUCT_OF_VENUE[spec.venue]!;
    const client = createBinanceCcxt({ product, apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest, timeoutMs: 1000 });
    const reports: VenueReport[] = [];
    const exec: BinanceExecution = new BinanceExecution({
      product, client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [inst], clockUs: wallClockUs(), retryDelayMs: 50,
      onReport: () => { for (const r of exec.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
    });
    await exec.start();
    const touch = async () => {
      const d = (await (await fetch(`${emu!.url.rest}${depth}?symbol=${spec.symbol}&limit=5`)).json()) as { bids: [string, string][]; asks: [string, string][] };
      return { bidTicks: inst.tick.toUnits(d.bids[0]![0]), askTicks: inst.tick.toUnits(d.asks[0]![0]), askSize: d.asks[0]![1] };
    };
    const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
    return { exec, reports, touch, of };
  }

  it('accepts a resting post-only order under our client id and cancels it', async () => {
    const h = await harness();
    const { bidTicks } = await h.touch();
    h.exec.submit(order('rest1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('rest1').some((r) => r.kind === 'accepted'), 5000, 'accepted');
    expect(emu!.openOrderIds()).toEqual(['rest1']);
    expect(await h.exec.fetchOpenClientIds()).toEqual(['rest1']);
    h.exec.cancel('rest1', 0);
    await waitFor(() => h.of('rest1').some((r) => r.kind === 'canceled'), 5000, 'canceled');
    expect(h.of('rest1').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    expect(emu!.openOrderIds()).toEqual([]);
    h.exec.stop();
  }, 30_000);

  it('fills an IOC order through the touch at the best ask, reported once from ORDER_TRADE_UPDATE', async () => {
    const h = await harness();
    const { askTicks, askSize } = await h.touch();
    // The touch must hold the whole order for a single fill at the ask.
    expect(inst.lot.toUnits(askSize)).toBeGreaterThanOrEqual(sizeLots);
    h.exec.submit(order('take1', 'buy', 'IOC', askTicks + 5), 0);
    await waitFor(() => h.of('take1').some((r) => r.kind === 'fill'), 5000, 'fill');
    await sleep(200);
    const fills = h.of('take1').filter((r) => r.kind === 'fill');
    expect(fills).toHaveLength(1);
    const f = fills[0] as Extract<VenueReport, { kind: 'fill' }>;
    // The book may have moved between our depth read and the order: the fill is at the ask the order met,
    // never above our limit, and for the whole size.
    expect(f.priceTicks).toBeLessThanOrEqual(askTicks + 5);
    expect(f.sizeLots).toBe(sizeLots);
    expect(f.liquidity).toBe('taker');
    expect(f.feeCurrency).toBe(spec.settle);
    h.exec.stop();
  }, 30_000);

  it('never makes a second venue order for a client id: a post-only that would take is rejected, a lost ack is queried', async () => {
    const h = await harness();
    const { bidTicks, askTicks } = await h.touch();
    h.exec.submit(order('cross1', 'buy', 'POST_ONLY', askTicks + 50), 0);
    await waitFor(() => h.of('cross1').length > 0, 5000, 'post-only answer');
    expect(h.of('cross1')[0]!.kind).toBe('rejected');
    expect(emu!.ordersWithClientId('cross1')).toBe(0);

    const created = emu!.stats.ordersCreated;
    emu!.faults.loseAcks = 1;
    h.exec.submit(order('lost1', 'buy', 'POST_ONLY', bidTicks - 100), 0);
    await waitFor(() => h.of('lost1').some((r) => r.kind === 'accepted'), 5000, 'accepted after a lost ack');
    expect(emu!.stats.ordersCreated - created).toBe(1);
    expect(emu!.ordersWithClientId('lost1')).toBe(1);
    expect(h.exec.stats.resends).toBe(0);
    expect(h.of('lost1').filter((r) => r.kind === 'rejected')).toEqual([]);
    await h.exec.cancelAll();
    await waitFor(() => emu!.openOrderIds().length === 0 && h.of('lost1').some((r) => r.kind === 'canceled'), 5000, 'cancel-all');
    h.exec.stop();
  }, 30_000);
});
