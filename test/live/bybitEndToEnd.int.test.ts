/**
 * The whole path on Bybit ETHUSDT linear against the local Bybit emulator (the legacy 2021 capture
 * translated into v5 shape): paper session of a market maker -> parity at 100% -> promote -> live
 * session (`hft live`, a child process: signed orders through ccxt bybit under our orderLinkIds,
 * reports from /v5/private order + execution) -> `hft kill` -> zero open orders within 1 s.
 * Each step gets a fresh emulator replaying the capture from the session's subscription.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET } from '../../src/cli/commands/emulator.ts';
import { latencyRowsOf } from '../../src/cli/commands/latency-profile.ts';
import { checkLiveGuards } from '../../src/cli/commands/live.ts';
import { runSession } from '../../src/cli/commands/paper.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { promoteCommand } from '../../src/cli/commands/promote.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { bybitEthCapture, bybitEthSpec, writeBybitMmScenario } from './bybitEthFixture.ts';
import { killedLiveRun, startLiveRun } from './killedLiveRun.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const spec = bybitEthSpec;
const capture = bybitEthCapture;
const account = { apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, instruments: [spec], balances: { USDT: '10000' } };
const liveEnv = { HFT_ENABLE_LIVE: '1', HFT_BYBIT_API_KEY: EMULATOR_DEMO_KEY, HFT_BYBIT_API_SECRET: EMULATOR_DEMO_SECRET };

const emus: BybitEmulator[] = [];
let cwd: string;
let scenario: string;
const lines: string[] = [];
const io = () => ({ out: (l: string) => { lines.push(l); }, err: (l: string) => { lines.push(l); }, env: {} as Record<string, string>, cwd, isTTY: false });

async function emulator(): Promise<BybitEmulator> {
  const emu = new BybitEmulator({ capture, speed: 2, startOnSubscribe: true, account });
  emus.push(emu);
  await emu.start();
  return emu;
}

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'hft-e2e-bybit-'));
  scenario = writeBybitMmScenario(cwd);
});
afterAll(async () => { for (const e of emus) await e.close(); });

describe('Bybit: paper -> parity -> promote -> live -> kill, against the emulator', () => {
  let paperRunId = '';

  it('runs the market maker on paper and replays the session to the identical event stream', async () => {
    const emu = await emulator();
    const r = await runSession({
      mode: 'paper', scenarioPath: scenario, storeUri: 'file:store', restUrl: emu.url.rest, wsUrl: emu.url.ws,
      stopWhen: new Promise((s) => setTimeout(() => s('test duration'), 10_000)),
    }, io());
    paperRunId = r.runId;
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps.sequence + r.feed.gaps.checksum + r.feed.gaps.disconnect).toBe(0);
    expect(r.summary.ordersRequested as number).toBeGreaterThan(2);
    const p = await parityOfRun(paperRunId, 'file:store', io());
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.fills.identical).toBe(true);
  }, 60_000);

  it('refuses live before promotion and without the Bybit keys, then promotes at 100% parity', async () => {
    const guard = { scenarioPath: scenario, storeUri: 'file:store', confirmLive: true };
    await expect(checkLiveGuards(guard, { ...io(), env: liveEnv })).rejects.toThrow(/no promotion for this strategy configuration/);
    await expect(checkLiveGuards(guard, { ...io(), env: { HFT_ENABLE_LIVE: '1', HFT_BINANCE_API_KEY: 'k', HFT_BINANCE_API_SECRET: 's' } })).rejects.toThrow(/API keys missing: set HFT_BYBIT_API_KEY and HFT_BYBIT_API_SECRET/);
    expect(await promoteCommand.run([paperRunId, '--store', 'file:store'], io())).toBe(0);
    const keys = await checkLiveGuards(guard, { ...io(), env: liveEnv });
    expect(keys.apiKey).toBe(EMULATOR_DEMO_KEY);
  }, 60_000);

  it('trades live through ccxt bybit with signed orders, and hft kill leaves zero open orders within 1 s', async () => {
    const emu = await emulator();
    const acct = emu.account!;
    const { runId, exited, output } = await startLiveRun({ root: ROOT, cwd, scenario, rest: emu.url.rest, ws: emu.url.ws, env: liveEnv, timeoutMs: 30_000,
      traded: () => emu.openOrderIds().length > 0 && acct.stats.ordersCreated >= 2 });
    expect(acct.stats.auths).toBe(1); // the private order + execution topics
    expect(acct.stats.signatureFailures).toBe(0);
    const { events } = await killedLiveRun({ runId, io: { ...io(), env: liveEnv }, cwd, exited, output, venueOpenOrderIds: () => emu.openOrderIds(), secrets: [EMULATOR_DEMO_SECRET] });
    // Every order placed on the venue carried our client order id as orderLinkId, once.
    const accepted = events.filter((e) => e.type === 'order.accepted').map((e) => (e.data as { clientOrderId: string }).clientOrderId);
    for (const id of accepted) expect(emu.ordersWithLinkId(id)).toBe(1);
    const completed = events.find((e) => e.type === 'run.completed')!.data as { summary: { openOrdersAtEnd: number } };
    expect(completed.summary.openOrdersAtEnd).toBe(0);
    const rows = await latencyRowsOf(runId, 'file:store', io());
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.responseUs).toBeGreaterThanOrEqual(r.requestUs);
  }, 60_000);
});
