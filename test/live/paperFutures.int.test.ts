/**
 * A paper session of the demo-like market maker on Binance USDⓈ-M BTCUSDT and COIN-M BTCUSD_PERP,
 * fed by the local emulator replaying the real 2024-08-08 captures, replays (`hft parity`) to the
 * identical event stream: 100% of decisions and orders, fills identical.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { venuePaperSession } from './venuePaperSession.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = '/work/shared/data/binance-capture';
let emu: BinanceSpotEmulator | undefined;
afterEach(async () => { await emu?.close(); emu = undefined; });
const io = (cwd: string) => ({ out: () => {}, err: () => {}, env: {} as Record<string, string>, cwd, isTTY: false });

const cases = [
  { id: 'binance-usdm:BTCUSDT', scenario: 'paper-mm-usdm-btcusdt.json', file: `${DATA}/usdm/btcusdt_20240808.gz` },
  { id: 'binance-coinm:BTCUSD_PERP', scenario: 'paper-mm-coinm-btcusd.json', file: `${DATA}/cm/btcusd_perp_20240808.gz` },
];

describe.each(cases)('paper session on $id', ({ id, scenario, file }) => {
  it('trades on the live feed and replays to the identical event stream (parity 100%)', async () => {
    emu = await startEmulator({ captures: [file], speed: 5, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
    const cwd = mkdtempSync(join(tmpdir(), 'hft-paper-fut-'));
    const r = await venuePaperSession({
      cwd, scenarioPath: join(ROOT, 'scenarios', scenario), storeUri: 'file:store', specs: [captureInstruments.find((s) => s.id === id)!],
      restUrl: emu.url.rest, wsUrl: emu.url.ws, durationMs: 6000,
    });
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps).toEqual({ sequence: 0, checksum: 0, disconnect: 0, stale: 0 });
    expect(r.summary.ordersRequested as number).toBeGreaterThan(10);
    expect(r.summary.openOrdersAtEnd).toBe(0);

    const p = await parityOfRun(r.runId, 'file:store', io(cwd));
    expect(p.divergence).toBeUndefined();
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.decisionsAndOrders.recorded).toBeGreaterThan(20);
    expect(p.compared).toBe(p.recorded);
    expect(p.fills.identical).toBe(true);
  }, 60_000);
});
