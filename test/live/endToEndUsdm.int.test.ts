/**
 * The whole path on Binance USDⓈ-M BTCUSDT against the local emulator replaying the real 2024-08-08
 * USDⓈ-M capture: paper session of the market maker -> parity at 100% -> promote -> live session (a
 * child process: ccxt binanceusdm, signed POST /fapi/v1/order with newClientOrderId, fills and cancels
 * from ORDER_TRADE_UPDATE on the listenKey stream) -> kill switch -> zero open orders within 1 s.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { killedLiveRun, startLiveRun } from './killedLiveRun.ts';
import { runSession } from '../../src/cli/commands/paper.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { promoteCommand } from '../../src/cli/commands/promote.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import type { EventData } from '../../src/model/events.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE = '/work/shared/data/binance-capture/usdm/btcusdt_20240808.gz';
const SCENARIO = join(ROOT, 'scenarios/paper-mm-usdm-btcusdt.json');

let emu: BinanceSpotEmulator;
let cwd: string;
const io = () => ({ out: () => {}, err: () => {}, env: {} as Record<string, string>, cwd, isTTY: false });
const liveEnv = { HFT_ENABLE_LIVE: '1', HFT_BINANCE_API_KEY: EMULATOR_DEMO_KEY, HFT_BINANCE_API_SECRET: EMULATOR_DEMO_SECRET };

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'hft-e2e-usdm-'));
  emu = await startEmulator({ captures: [CAPTURE], speed: 5, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
});
afterAll(async () => { await emu?.close(); });

describe('USDⓈ-M BTCUSDT: paper -> parity -> promote -> live -> kill, against the emulator', () => {
  let paperRunId = '';

  it('runs the market maker on paper, replays it at 100% and promotes it', async () => {
    const r = await runSession({
      mode: 'paper', scenarioPath: SCENARIO, storeUri: 'file:store', restUrl: emu.url.rest, wsUrl: emu.url.ws,
      stopWhen: new Promise((s) => setTimeout(() => s('test duration'), 6000)),
    }, io());
    paperRunId = r.runId;
    expect(r.summary.ordersRequested as number).toBeGreaterThan(10);
    const p = await parityOfRun(paperRunId, 'file:store', io());
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.compared).toBe(p.recorded);
    expect(await promoteCommand.run([paperRunId, '--store', 'file:store'], io())).toBe(0);
  }, 60_000);

  it('trades live through ccxt binanceusdm and the kill switch leaves zero open orders within 1 s', async () => {
    const created0 = emu.stats.ordersCreated;
    const { runId, exited, output } = await startLiveRun({ root: ROOT, cwd, scenario: SCENARIO, rest: emu.url.rest, ws: emu.url.ws, env: liveEnv, timeoutMs: 40_000,
      traded: () => emu.openOrderIds().length > 0 && emu.stats.ordersCreated - created0 >= 4 });
    const { of } = await killedLiveRun({ runId, io: { ...io(), env: liveEnv }, cwd, exited, output, venueOpenOrderIds: () => emu.openOrderIds(), secrets: [EMULATOR_DEMO_SECRET] });
    // Every order the run placed reached the venue under its own client id, exactly once.
    const placed = of('order.accepted').map((e) => (e.data as EventData<'order.accepted'>).clientOrderId);
    expect(placed.length).toBeGreaterThan(0);
    for (const id of placed) expect(emu.ordersWithClientId(id)).toBe(1);
    expect(of('order.canceled').length).toBeGreaterThan(0);
    // The only rejections a post-only quoter meets: the touch moved before the order arrived (GTX, -5022).
    for (const e of of('order.rejected')) expect((e.data as EventData<'order.rejected'>).reason).toMatch(/Post Only order will be rejected/);
    const completed = of('run.completed')[0]!.data as { summary: { openOrdersAtEnd: number } };
    expect(completed.summary.openOrdersAtEnd).toBe(0);
    const places = of('order.request-acked').map((e) => e.data as EventData<'order.request-acked'>).filter((d) => d.action === 'place');
    expect(places.length).toBeGreaterThan(0);
    for (const d of places) expect(d.outcome).toMatch(/^(ok|rejected:InvalidOrder: Due to the order could not be executed as maker)/);
    expect(places.filter((d) => d.outcome === 'ok')).toHaveLength(placed.length);
  }, 90_000);
});
