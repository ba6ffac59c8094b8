/**
 * A paper session of the demo-like market maker on OKX BTC-USDT, fed by the local OKX emulator
 * replaying the real cryptofeed capture (books checksummed on every message), replays (`hft parity`)
 * to the identical event stream: 100% of decisions and orders, fills identical.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { OKX_DIR, okxSpecs } from '../adapters/okxSpecs.ts';
import { venuePaperSession } from './venuePaperSession.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let emu: OkxEmulator | undefined;
afterAll(async () => { await emu?.close(); });

describe('paper session on okx:BTC-USDT', () => {
  it('trades on the live feed and replays to the identical event stream (parity 100%)', async () => {
    emu = new OkxEmulator({ capture: loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']), speed: 2, paused: true });
    const { ws } = await emu.start();
    const cwd = mkdtempSync(join(tmpdir(), 'hft-paper-okx-'));
    const resume = setInterval(() => { if (emu!.stats.subscribes === 3) { clearInterval(resume); emu!.resume(); } }, 5);
    const r = await venuePaperSession({
      cwd, scenarioPath: join(ROOT, 'scenarios/paper-mm-okx-btcusdt.json'), storeUri: 'file:store', specs: okxSpecs(['BTC-USDT']),
      restUrl: '', wsUrl: ws, durationMs: 6500,
    });
    clearInterval(resume);
    expect(emu.remaining).toBe(0); // the whole capture went through the session
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps).toEqual({ sequence: 0, checksum: 0, disconnect: 0, stale: 0 });
    expect(r.summary.ordersRequested as number).toBeGreaterThan(4);
    expect(r.summary.openOrdersAtEnd).toBe(0);

    const p = await parityOfRun(r.runId, 'file:store', { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false });
    expect(p.divergence).toBeUndefined();
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.decisionsAndOrders.recorded).toBeGreaterThan(8);
    expect(p.compared).toBe(p.recorded);
    expect(p.fills.identical).toBe(true);
  }, 60_000);
});
