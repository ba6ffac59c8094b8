/**
 * The whole path on OKX against the local OKX emulator replaying the real cryptofeed capture of
 * BTC-USDT (2022-05-13): paper session of the OKX market maker -> parity at 100% -> promote -> live
 * session (`hft live`, a child process: signed orders through ccxt okx, reports from the private
 * orders channel) -> `hft kill` -> zero open orders within 1 s.
 *
 * The capture is ~12 s long, so the live step gets a fresh emulator replaying it from the live
 * session's subscription.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { okxCaptureInstruments } from '../../src/adapters/okx/okxCaptureInstruments.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_PASSPHRASE, EMULATOR_DEMO_SECRET } from '../../src/cli/commands/emulator.ts';
import { killedLiveRun, startLiveRun } from './killedLiveRun.ts';
import { latencyRowsOf } from '../../src/cli/commands/latency-profile.ts';
import { checkLiveGuards } from '../../src/cli/commands/live.ts';
import { runSession } from '../../src/cli/commands/paper.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { promoteCommand } from '../../src/cli/commands/promote.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { isHftError } from '../../src/core/errors.ts';
import { OKX_DIR } from '../adapters/okxSpecs.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCENARIO = join(ROOT, 'scenarios/paper-mm-okx-btcusdt.json');
const capture = loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']);
const account = { apiKey: EMULATOR_DEMO_KEY, secretKey: EMULATOR_DEMO_SECRET, passphrase: EMULATOR_DEMO_PASSPHRASE, instruments: okxCaptureInstruments.filter((s) => s.id === 'okx:BTC-USDT') };
const liveEnv = { HFT_ENABLE_LIVE: '1', HFT_OKX_API_KEY: EMULATOR_DEMO_KEY, HFT_OKX_API_SECRET: EMULATOR_DEMO_SECRET, HFT_OKX_API_PASSPHRASE: EMULATOR_DEMO_PASSPHRASE };

const emus: OkxEmulator[] = [];
let cwd: string;
const lines: string[] = [];
const io = () => ({ out: (l: string) => { lines.push(l); }, err: (l: string) => { lines.push(l); }, env: {} as Record<string, string>, cwd, isTTY: false });

async function emulator(): Promise<OkxEmulator> {
  const emu = new OkxEmulator({ capture, speed: 1, startOnSubscribe: true, account });
  emus.push(emu);
  await emu.start();
  return emu;
}

beforeAll(() => { cwd = mkdtempSync(join(tmpdir(), 'hft-e2e-okx-')); });
afterAll(async () => { for (const e of emus) await e.close(); });

describe('OKX: paper -> parity -> promote -> live -> kill, against the emulator', () => {
  let paperRunId = '';

  it('runs the OKX market maker on paper and replays the session to the identical event stream', async () => {
    const emu = await emulator();
    const r = await runSession({
      mode: 'paper', scenarioPath: SCENARIO, storeUri: 'file:store', restUrl: emu.url.rest, wsUrl: emu.url.ws,
      stopWhen: new Promise((s) => setTimeout(() => s('test duration'), 8000)),
    }, io());
    paperRunId = r.runId;
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps.sequence + r.feed.gaps.checksum + r.feed.gaps.disconnect).toBe(0);
    expect(r.summary.ordersRequested as number).toBeGreaterThan(4);
    expect(r.summary.openOrdersAtEnd).toBe(0);
    const p = await parityOfRun(paperRunId, 'file:store', io());
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.compared).toBe(p.recorded);
    expect(p.fills.identical).toBe(true);
  }, 60_000);

  it('refuses live before promotion and without the OKX passphrase, then promotes at 100% parity', async () => {
    const guard = { scenarioPath: SCENARIO, storeUri: 'file:store', confirmLive: true };
    await expect(checkLiveGuards(guard, { ...io(), env: liveEnv })).rejects.toThrow(/no promotion for this strategy configuration/);
    const noPassphrase = { ...liveEnv, HFT_OKX_API_PASSPHRASE: '' };
    await expect(checkLiveGuards(guard, { ...io(), env: noPassphrase })).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_CONFIG') && /API keys missing: set HFT_OKX_API_KEY, HFT_OKX_API_SECRET and HFT_OKX_API_PASSPHRASE/.test((e as Error).message));
    // Binance keys are not OKX keys.
    await expect(checkLiveGuards(guard, { ...io(), env: { HFT_ENABLE_LIVE: '1', HFT_BINANCE_API_KEY: 'k', HFT_BINANCE_API_SECRET: 's' } })).rejects.toThrow(/API keys missing/);
    expect(await promoteCommand.run([paperRunId, '--store', 'file:store'], io())).toBe(0);
    const keys = await checkLiveGuards(guard, { ...io(), env: liveEnv });
    expect(keys.passphrase).toBe(EMULATOR_DEMO_PASSPHRASE);
  }, 60_000);

  it('trades live through ccxt okx with signed orders, and hft kill leaves zero open orders within 1 s', async () => {
    const emu = await emulator();
    const acct = emu.account!;
    const { runId, exited, output } = await startLiveRun({ root: ROOT, cwd, scenario: SCENARIO, rest: emu.url.rest, ws: emu.url.ws, env: liveEnv, timeoutMs: 30_000,
      traded: () => emu.openOrderIds().length > 0 && acct.stats.ordersCreated >= 2 });
    expect(acct.stats.logins).toBe(1); // the private orders channel
    expect(acct.stats.signatureFailures).toBe(0);
    // keys never printed nor logged: checked by killedLiveRun
    const { events } = await killedLiveRun({ runId, io: { ...io(), env: liveEnv }, cwd, exited, output, venueOpenOrderIds: () => emu.openOrderIds(), secrets: [EMULATOR_DEMO_SECRET, EMULATOR_DEMO_PASSPHRASE] });
    // Every order placed on the venue carried our client order id as clOrdId.
    const accepted = events.filter((e) => e.type === 'order.accepted').map((e) => (e.data as { clientOrderId: string }).clientOrderId);
    for (const id of accepted) expect(emu.ordersWithClientId(id)).toBe(1);
    const completed = events.find((e) => e.type === 'run.completed')!.data as { summary: { openOrdersAtEnd: number } };
    expect(completed.summary.openOrdersAtEnd).toBe(0);
    const rows = await latencyRowsOf(runId, 'file:store', io());
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.responseUs).toBeGreaterThanOrEqual(r.requestUs);
  }, 60_000);
});
