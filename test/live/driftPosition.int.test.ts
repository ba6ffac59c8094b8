/**
 * Position drift during a live run (`--position-check-every`), against the emulator replaying the real
 * 2024-08-08 Binance USDⓈ-M and COIN-M captures. A session trading with checks every second: nothing
 * moved outside it → no drift, however its own orders and fills interleave with the checks (also from
 * an adopted start). The account's position moved outside the run (`POST /emulator/position`, as a
 * trade from the venue's web page would) → position.drift-detected with both quantities, trading HALTED
 * through the kill switch (risk.state-changed, cancel-all), zero open orders at the venue, no order
 * after the halt, and stderr says what happened and what to do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/cli/commands/paper.ts';
import { openStore } from '../../src/cli/store.ts';
import { Money } from '../../src/model/accounting/Money.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { EventData, EventEnvelope } from '../../src/model/events.ts';
import { sleep, waitFor } from '../core/waitFor.ts';
import { credentials, DATA, emulatorPerTest } from './futuresEmulator.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const startEmu = emulatorPerTest();

async function runEvents(cwd: string, runId: string): Promise<EventEnvelope[]> {
  const store = await openStore('file:store', { cwd, readOnly: true });
  try { return await collect(store.readStream(`run-${runId}`)); } finally { await store.close(); }
}

const cases = [
  { id: 'binance-usdm:BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz`, scenario: 'paper-mm-usdm-btcusdt.json', trade: '-0.005', adopt: '-0.010' },
  { id: 'binance-coinm:BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz`, scenario: 'paper-mm-coinm-btcusd.json', trade: '2', adopt: '3' },
];

describe.each(cases)('position checks on $id', ({ id, file, scenario, trade, adopt }) => {
  it('a session trading with checks every second and nothing moved outside it: no drift (from an adopted start)', async () => {
    const e = await startEmu(file, { positionAmt: adopt, entryPrice: '61000' });
    const cwd = mkdtempSync(join(tmpdir(), 'hft-drift-'));
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), env: {}, cwd, isTTY: false };
    const r = await runSession({
      mode: 'live', scenarioPath: join(ROOT, 'scenarios', scenario), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws, credentials,
      adoptPositions: true, positionCheckEveryS: 1, stopWhen: sleep(7000).then(() => 'test: duration'), warmEveryMs: 0,
    }, io);
    const events = await runEvents(cwd, r.runId);
    const fills = events.filter((x) => x.type === 'order.filled').length;
    console.log(`${id}: no drift over ${fills} fills; checks ${JSON.stringify(r.positionChecks)}`);
    expect(events.filter((x) => x.type === 'position.drift-detected')).toEqual([]);
    expect(err.filter((l) => l.includes('POSITION DRIFT'))).toEqual([]);
    expect(events.some((x) => x.type === 'order.accepted')).toBe(true);
    expect(r.positionChecks!.readings).toBeGreaterThanOrEqual(3);
    expect(r.positionChecks!.quiet + r.positionChecks!.skipped).toBe(r.positionChecks!.readings);
    expect(r.positionChecks!.quiet).toBeGreaterThan(0);
  }, 60_000);

  it(`a trade of ${trade} outside the run: drift recorded, HALTED, every order canceled, none after`, async () => {
    const e = await startEmu(file);
    const cwd = mkdtempSync(join(tmpdir(), 'hft-drift-'));
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), env: {}, cwd, isTTY: false };
    let stop!: (why: string) => void;
    const stopWhen = new Promise<string>((r) => { stop = r; });
    const running = runSession({ mode: 'live', scenarioPath: join(ROOT, 'scenarios', scenario), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws, credentials, positionCheckEveryS: 1, stopWhen, warmEveryMs: 0 }, io);
    await waitFor(() => e.openOrderIds().length > 0, 15_000, 'the market maker quoting');
    const res = await fetch(`${e.url.rest}/emulator/position`, { method: 'POST', body: JSON.stringify({ tradeAmt: trade, price: '61000' }) });
    expect(res.status).toBe(200);
    const tradedAt = Date.now();
    await waitFor(() => err.some((l) => l.includes('POSITION DRIFT')), 15_000, 'the drift on stderr');
    const detectedMs = Date.now() - tradedAt;
    await waitFor(() => e.openOrderIds().length === 0, 2000, 'zero open orders at the venue');
    const created = e.stats.ordersCreated;
    await sleep(1500);
    expect(e.stats.ordersCreated).toBe(created);
    stop('test: done');
    const r = await running;
    const events = await runEvents(cwd, r.runId);
    const drift = events.filter((x) => x.type === 'position.drift-detected');
    expect(drift).toHaveLength(1);
    const d = drift[0]!.data as EventData<'position.drift-detected'>;
    expect(d.instrument).toBe(id);
    expect(d.checks).toBe(2);
    expect(new Money(d.venueQuantity).minus(d.ledgerQuantity).toString()).toBe(new Money(trade).toString());
    const at = events.indexOf(drift[0]!);
    const halt = events[at + 1]!;
    expect(halt.type).toBe('risk.state-changed');
    expect(halt.data).toMatchObject({ to: 'HALTED', reason: 'position-drift', values: { [`${id} venue`]: d.venueQuantity, [`${id} ledger`]: d.ledgerQuantity } });
    expect(halt.causationId).toBe(drift[0]!.id);
    // No order requested after the halt is sent; every order open at the halt was canceled.
    expect(events.slice(at).filter((x) => x.type === 'order.submitted')).toEqual([]);
    const line = err.find((l) => l.includes('POSITION DRIFT'))!;
    expect(line).toContain(`POSITION DRIFT on ${id}: the venue holds ${d.venueQuantity}, the ledger ${d.ledgerQuantity}`);
    expect(line).toContain('Trading HALTED, every open order canceled');
    expect(line).toMatch(/hft kill l[0-9a-f]{12}/);
    expect(r.summary.openOrdersAtEnd).toBe(0);
    // Checked every second, a mismatch confirmed by a reading 0.5 s later (each reading watches the
    // ledger until 0.25 s after the answer; one with an order in flight at its end does not count):
    // 1.9-2.7 s after the trade in six runs alone, up to 5.3 s with other test files running.
    expect(detectedMs).toBeLessThan(8000);
    console.log(`${id}: drift on stderr ${detectedMs} ms after the outside trade; checks ${JSON.stringify(r.positionChecks)}`);
  }, 60_000);
});

describe('POST /emulator/position', () => {
  it('moves a futures account\'s position outside any run; refused on spot and for a bad body, naming why', async () => {
    const e = await startEmu(`${DATA}/usdm/btcusdt_20240808.gz`, { positionAmt: '0.010', entryPrice: '60000' });
    const post = (body: string) => fetch(`${e.url.rest}/emulator/position`, { method: 'POST', body });
    const ok = await post(JSON.stringify({ tradeAmt: '0.010', price: '62000' }));
    expect(ok.status).toBe(200);
    // Adding at 62000 to 0.010 at 60000: the quantity-weighted entry, as Binance keeps it.
    expect(await ok.json()).toEqual({ positionAmt: '0.02', entryPrice: '61000' });
    const bad = await post(JSON.stringify({ tradeAmt: '0.0005', price: '62000' }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/'0\.0005' has more than 3 decimals/);
    const missing = await post('{"tradeAmt": 1}');
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toMatch(/expected \{\\"tradeAmt\\"/);
    await e.close();
    const spot = await startEmu(`${DATA}/spot/btcusdt_20240808.gz`);
    const r = await fetch(`${spot.url.rest}/emulator/position`, { method: 'POST', body: JSON.stringify({ tradeAmt: '1', price: '60000' }) });
    expect(r.status).toBe(400);
    expect(JSON.stringify(await r.json())).toMatch(/binance-spot is spot, which has no positions/);
  }, 30_000);
});
