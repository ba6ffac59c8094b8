/**
 * Venue positions through BinanceExecution.fetchPositions, against the emulator replaying the real
 * 2024-08-08 captures: USDⓈ-M `GET /fapi/v2/positionRisk` and COIN-M `GET /dapi/v1/positionRisk`
 * (signed, one-way 'BOTH' rows) give the signed quantity as the venue's exact decimal string, a
 * pre-existing position (the emulator's `position` option) is reported as it was left, a fill moves
 * it, and spot answers null (no positions there).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET } from '../../src/cli/commands/emulator.ts';
import { loadBinanceCapture } from '../../src/cli/emulator/binanceCapture.ts';
import { BinanceSpotEmulator, type EmulatorOptions } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { instrument } from '../../src/model/instrument.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { waitFor } from '../core/waitFor.ts';

const DATA = '/work/shared/data/binance-capture';
let emu: BinanceSpotEmulator | undefined;
let exec: BinanceExecution | undefined;
afterEach(async () => { exec?.stop(); exec = undefined; await emu?.close(); emu = undefined; });


async function harness(id: string, file: string, position?: EmulatorOptions['position']) {
  const spec = captureInstruments.find((s) => s.id === id)!;
  emu = new BinanceSpotEmulator({ capture: loadBinanceCapture([file]), speed: 5, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET, ...(position ? { position } : {}) });
  await emu.start();
  const product = BINANCE_PRODUCT_OF_VENUE[spec.venue]!;
  const client = createBinanceCcxt({ product, apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest, timeoutMs: 1000 });
  const reports: VenueReport[] = [];
  const x: BinanceExecution = new BinanceExecution({
    product, client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [instrument(spec)], clockUs: wallClockUs(), retryDelayMs: 50,
    onReport: () => { for (const r of x.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
  });
  exec = x;
  return { exec: x, spec, inst: instrument(spec), reports };
}

const cases = [
  { id: 'binance-usdm:BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz`, depth: '/fapi/v1/depth', left: '-0.010', sizeLots: 2, filled: '0.002' },
  { id: 'binance-coinm:BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz`, depth: '/dapi/v1/depth', left: '3', sizeLots: 1, filled: '1' },
];

describe.each(cases)('positions on $id', ({ id, file, depth, left, sizeLots, filled }) => {
  it('reports a position the account already holds, signed, in the venue\'s own decimals', async () => {
    const h = await harness(id, file, { positionAmt: left, entryPrice: '56000.1' });
    expect(await h.exec.fetchPositions()).toEqual([{ instrument: id, quantity: left, positionSide: 'BOTH', entryPrice: '56000.1' }]);
  }, 30_000);

  it('reports a flat account as no position, and the position a fill leaves at its price', async () => {
    const h = await harness(id, file);
    expect(await h.exec.fetchPositions()).toEqual([]);
    await h.exec.start();
    const d = (await (await fetch(`${emu!.url.rest}${depth}?symbol=${h.spec.symbol}&limit=5`)).json()) as { asks: [string, string][] };
    const askTicks = h.inst.tick.toUnits(d.asks[0]![0]);
    // 1% through the best ask (inside the 5% PERCENT_PRICE band): the replay runs at 5x, so on a loaded
    // machine the market may rise several ticks between the depth request and the order, and an IOC
    // priced at the old ask + 5 ticks then expired unfilled. A taker fills at the resting asks' prices.
    h.exec.submit({ clientOrderId: 'take1', strategyId: 't', instrument: id, side: 'buy', type: 'limit', timeInForce: 'IOC', priceTicks: Math.round(askTicks * 1.01), sizeLots, reduceOnly: false, tag: '' }, 0);
    await waitFor(() => h.reports.some((r) => r.clientOrderId === 'take1' && (r.kind === 'fill' || r.kind === 'expired' || r.kind === 'rejected' || r.kind === 'canceled')), 10_000, 'take1 filled or ended');
    expect(h.reports.filter((r) => r.clientOrderId === 'take1').map((r) => r.kind)).toContain('fill');
    const fill = h.reports.find((r) => r.kind === 'fill') as Extract<VenueReport, { kind: 'fill' }>;
    expect(fill.priceTicks).toBeLessThanOrEqual(Math.round(askTicks * 1.01));
    expect(fill.sizeLots).toBe(sizeLots);
    const positions = await h.exec.fetchPositions();
    expect(positions).toEqual([{ instrument: id, quantity: filled, positionSide: 'BOTH', entryPrice: h.inst.tick.toDecimal(fill.priceTicks) }]);
  }, 30_000);
});

describe('positions on binance-spot:BTCUSDT', () => {
  it('are null: spot has no positions (what the account holds is in the balances)', async () => {
    const h = await harness('binance-spot:BTCUSDT', `${DATA}/spot/btcusdt_20240808.gz`);
    expect(await h.exec.fetchPositions()).toBeNull();
  }, 30_000);

  it('the emulator refuses a starting position on spot', () => {
    expect(() => new BinanceSpotEmulator({ capture: loadBinanceCapture([`${DATA}/spot/btcusdt_20240808.gz`]), speed: 1, apiKey: 'k', apiSecret: 's', position: { positionAmt: '1', entryPrice: '1' } }))
      .toThrow(/option position: binance-spot is spot, which has no positions/);
  }, 30_000);
});
