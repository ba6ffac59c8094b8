/**
 * The whole path against the local emulator replaying the real Binance spot BTCUSDT capture:
 * paper session of the demo market maker -> parity at 100% -> promote -> live session (a child
 * process, real signed orders: new orders signed by BinanceOrderEntry, cancels through ccxt) -> kill
 * switch -> zero open orders within 1 s.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { killedLiveRun, startLiveRun } from './killedLiveRun.ts';
import { latencyRowsOf } from '../../src/cli/commands/latency-profile.ts';
import { checkLiveGuards } from '../../src/cli/commands/live.ts';
import { runSession } from '../../src/cli/commands/paper.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { promoteCommand } from '../../src/cli/commands/promote.ts';
import { isHftError } from '../../src/core/errors.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE = ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'].map((f) => join(ROOT, f));

let emu: BinanceSpotEmulator;
let cwd: string;
const lines: string[] = [];
const io = () => ({ out: (l: string) => { lines.push(l); }, err: (l: string) => { lines.push(l); }, env: {} as Record<string, string>, cwd, isTTY: false });
const liveEnv = { HFT_ENABLE_LIVE: '1', HFT_BINANCE_API_KEY: EMULATOR_DEMO_KEY, HFT_BINANCE_API_SECRET: EMULATOR_DEMO_SECRET };

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'hft-e2e-'));
  mkdirSync(join(cwd, 'scenarios'));
  copyFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), join(cwd, 'scenarios/demo-mm-btcusdt.json'));
  emu = await startEmulator({ captures: CAPTURE, speed: 10, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, cwd);
});
afterAll(async () => { await emu?.close(); });

describe('paper -> parity -> promote -> live -> kill, against the emulator', () => {
  let paperRunId = '';

  it('runs the demo market maker on paper and replays the session to the identical event stream', async () => {
    const r = await runSession({
      mode: 'paper', scenarioPath: 'scenarios/demo-mm-btcusdt.json', storeUri: 'file:store', restUrl: emu.url.rest, wsUrl: emu.url.ws,
      stopWhen: new Promise((s) => setTimeout(() => s('test duration'), 6000)),
    }, io());
    paperRunId = r.runId;
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps.sequence + r.feed.gaps.disconnect + r.feed.gaps.stale).toBe(0);
    expect(r.summary.ordersRequested as number).toBeGreaterThan(10);
    expect(r.summary.openOrdersAtEnd).toBe(0); // canceled on stop

    const p = await parityOfRun(paperRunId, 'file:store', io());
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.decisionsAndOrders.recorded).toBeGreaterThan(20);
    expect(p.compared).toBe(p.recorded);
    expect(p.fills.identical).toBe(true);
  }, 60_000);

  it('refuses live before promotion, then promotes at 100% parity', async () => {
    const guard = { scenarioPath: 'scenarios/demo-mm-btcusdt.json', storeUri: 'file:store', confirmLive: true };
    await expect(checkLiveGuards(guard, { ...io(), env: liveEnv })).rejects.toThrow(/no promotion for this strategy configuration/);
    await expect(checkLiveGuards(guard, { ...io(), env: { ...liveEnv, HFT_ENABLE_LIVE: '' } })).rejects.toThrow(/HFT_ENABLE_LIVE=1/);
    await expect(checkLiveGuards({ ...guard, confirmLive: false }, { ...io(), env: liveEnv })).rejects.toThrow(/--confirm-live/);
    await expect(checkLiveGuards(guard, { ...io(), env: { HFT_ENABLE_LIVE: '1' } })).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_CONFIG') && /API keys missing/.test((e as Error).message));
    expect(await promoteCommand.run([paperRunId, '--store', 'file:store'], io())).toBe(0);
    const keys = await checkLiveGuards(guard, { ...io(), env: liveEnv });
    expect(keys.apiKey).toBe(EMULATOR_DEMO_KEY);
  }, 60_000);

  it('trades live with signed orders, and the kill switch leaves zero open orders within 1 s', async () => {
    const created0 = emu.stats.ordersCreated;
    const { runId, exited, output } = await startLiveRun({ root: ROOT, cwd, scenario: 'scenarios/demo-mm-btcusdt.json', rest: emu.url.rest, ws: emu.url.ws, env: liveEnv, timeoutMs: 30_000,
      traded: () => emu.openOrderIds().length > 0 && emu.stats.ordersCreated - created0 >= 4 });
    const { events, of } = await killedLiveRun({ runId, io: { ...io(), env: liveEnv }, cwd, exited, output, venueOpenOrderIds: () => emu.openOrderIds(), secrets: [EMULATOR_DEMO_SECRET] });
    const types = (t: string) => of(t).length;
    // every order the venue accepted from this run is closed in the log
    const completed = events.find((e) => e.type === 'run.completed')!.data as { summary: { openOrdersAtEnd: number } };
    expect(completed.summary.openOrdersAtEnd).toBe(0);
    const rows = await latencyRowsOf(runId, 'file:store', io());
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) { expect(r.responseUs).toBeGreaterThanOrEqual(r.requestUs); }
  }, 60_000);
});
