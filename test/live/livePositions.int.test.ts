/**
 * A live start reconciles the venue's positions (issue #8), against the emulator replaying the real
 * 2024-08-08 Binance captures. USDⓈ-M and COIN-M: an account already holding a position in the
 * instrument the run trades is refused before the run exists (the message names the instrument, the
 * venue's quantity and what to do; no order reaches the venue, nothing is recorded); a flat account
 * starts, trades, and its reconciliation.completed (v2) records `positions: []`. Spot records
 * `positions: null` (spot has no positions). The live sessions run in process through runSession
 * (the promotion and --confirm-live guards of `hft live` are tested elsewhere: they come first).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/cli/commands/paper.ts';
import { openStore } from '../../src/cli/store.ts';
import { isHftError } from '../../src/core/errors.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { EventData } from '../../src/model/events.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { credentials, DATA, emulatorPerTest } from './futuresEmulator.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const startEmu = emulatorPerTest();

function session(e: BinanceSpotEmulator, scenario: string, cwd: string, stopWhen: Promise<string>) {
  const io = { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false };
  return runSession({ mode: 'live', scenarioPath: join(ROOT, 'scenarios', scenario), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws, credentials, stopWhen, warmEveryMs: 0 }, io);
}

/** Stops once the venue has created `n` orders of the run (or after `maxMs`). */
function afterOrders(e: BinanceSpotEmulator, n: number, maxMs: number): Promise<string> {
  const start = Date.now();
  return new Promise((done) => {
    const t = setInterval(() => {
      if (e.stats.ordersCreated >= n || Date.now() - start > maxMs) { clearInterval(t); done('test: orders placed'); }
    }, 20);
  });
}

const futures = [
  { id: 'binance-usdm:BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz`, scenario: 'paper-mm-usdm-btcusdt.json', left: '-0.010', said: /binance-usdm:BTCUSDT -0\.010 BTC \(short, entry price 56000\.1\)/ },
  { id: 'binance-coinm:BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz`, scenario: 'paper-mm-coinm-btcusd.json', left: '3', said: /binance-coinm:BTCUSD_PERP 3 contracts of 100 USD \(long, entry price 56000\.1\)/ },
];

describe.each(futures)('hft live on $id reconciles positions at start', ({ id, file, scenario, left, said }) => {
  it('refuses to start while the venue holds a position in the traded instrument: no order, no run', async () => {
    const e = await startEmu(file, { positionAmt: left, entryPrice: '56000.1' });
    const cwd = mkdtempSync(join(tmpdir(), 'hft-live-pos-'));
    let err: unknown;
    try { await session(e, scenario, cwd, new Promise(() => {})); } catch (x) { err = x; }
    expect(isHftError(err, 'HFT_ERR_CONFIG'), String(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toMatch(said);
    expect(msg).toMatch(/Flatten the position on the venue first/);
    expect((err as { details: Record<string, unknown> }).details).toEqual({ instrument: id, quantity: left });
    expect(e.stats.orderPosts).toBe(0);
    expect(e.openOrderIds()).toEqual([]);
    // Refused before the run exists: no run stream, no session directory, no live-process file.
    const store = await openStore('file:store', { cwd });
    const events = await collect(store.readAll());
    await store.close();
    expect(events).toEqual([]);
    expect(existsSync(join(cwd, '.hft/sessions')) ? readdirSync(join(cwd, '.hft/sessions')) : []).toEqual([]);
    expect(existsSync(join(cwd, '.hft/live')) ? readdirSync(join(cwd, '.hft/live')) : []).toEqual([]);
  }, 30_000);

  it('starts on a flat account and records positions [] in reconciliation.completed v2', async () => {
    const e = await startEmu(file);
    const cwd = mkdtempSync(join(tmpdir(), 'hft-live-pos-'));
    const r = await session(e, scenario, cwd, afterOrders(e, 2, 15_000));
    expect(e.stats.ordersCreated).toBeGreaterThanOrEqual(2);
    const store = await openStore('file:store', { cwd, readOnly: true });
    const events = await collect(store.readStream(`run-${r.runId}`));
    await store.close();
    const rec = events.filter((x) => x.type === 'reconciliation.completed');
    expect(rec).toHaveLength(1);
    expect(rec[0]!.version).toBe(2);
    const data = rec[0]!.data as EventData<'reconciliation.completed'>;
    expect(data.positions).toEqual([]);
    expect(data.venueOpenOrders).toEqual([]);
    expect(events.some((x) => x.type === 'order.accepted')).toBe(true);
    expect(events.at(-1)!.type).toBe('run.completed');
  }, 60_000);
});

describe('hft live on binance-spot:BTCUSDT', () => {
  it('records positions null: spot has no positions (its holdings are the balances)', async () => {
    const e = await startEmu(`${DATA}/spot/btcusdt_20240808.gz`);
    const cwd = mkdtempSync(join(tmpdir(), 'hft-live-pos-'));
    const r = await session(e, 'demo-mm-btcusdt.json', cwd, afterOrders(e, 1, 15_000));
    const store = await openStore('file:store', { cwd, readOnly: true });
    const events = await collect(store.readStream(`run-${r.runId}`));
    await store.close();
    const rec = events.find((x) => x.type === 'reconciliation.completed')!;
    expect(rec.version).toBe(2);
    const data = rec.data as EventData<'reconciliation.completed'>;
    expect(data.positions).toBeNull();
    expect(Object.keys(data.balances).sort()).toEqual(['BTC', 'USDT']);
  }, 60_000);
});
