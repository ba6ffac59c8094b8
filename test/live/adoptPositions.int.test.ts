/**
 * `--adopt-positions` end to end against the emulator replaying the real 2024-08-08 Binance USDⓈ-M
 * and COIN-M captures, the account started holding a position (`position` option, as `hft emulator
 * --position`). The live session (runSession, as `hft live` runs it after its guards) starts holding
 * the venue's position: position.adopted (source venue, the venue's decimals) and the seeded
 * position.changed right after run.started, before reconciliation and any market event; the market
 * maker quotes from it. A position above the scenario's limits starts the run REDUCING, said on stderr.
 * Paper (`hft paper --start-position`): the same seeding, and `hft parity` replays the session from
 * the recorded adoption at 100%.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { runSession } from '../../src/cli/commands/paper.ts';
import { openStore } from '../../src/cli/store.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { EventData, EventEnvelope } from '../../src/model/events.ts';
import { credentials, DATA, emulatorPerTest } from './futuresEmulator.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const startEmu = emulatorPerTest();

const after = (ms: number): Promise<string> => new Promise((r) => setTimeout(() => r('test: duration'), ms));

async function runEvents(cwd: string, runId: string): Promise<EventEnvelope[]> {
  const store = await openStore('file:store', { cwd, readOnly: true });
  try { return await collect(store.readStream(`run-${runId}`)); } finally { await store.close(); }
}

describe('hft live --adopt-positions', () => {
  it('USDⓈ-M: starts holding the venue\'s -0.010 BTC at 56000.1 and quotes from it', async () => {
    const e = await startEmu(`${DATA}/usdm/btcusdt_20240808.gz`, { positionAmt: '-0.010', entryPrice: '56000.1' });
    const cwd = mkdtempSync(join(tmpdir(), 'hft-adopt-'));
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), env: {}, cwd, isTTY: false };
    const r = await runSession({ mode: 'live', scenarioPath: join(ROOT, 'scenarios/paper-mm-usdm-btcusdt.json'), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws, credentials, adoptPositions: true, stopWhen: after(4000), warmEveryMs: 0 }, io);
    const events = await runEvents(cwd, r.runId);
    expect(events.slice(0, 4).map((x) => x.type)).toEqual(['run.started', 'position.adopted', 'position.changed', 'reconciliation.completed']);
    expect(events[1]!.data).toEqual({ instrument: 'binance-usdm:BTCUSDT', strategyId: 'mm', quantity: '-0.010', entryPrice: '56000.1', positionSide: 'BOTH', source: 'venue' });
    expect(events[2]!.data).toMatchObject({ quantity: '-0.01', avgEntryPrice: '56000.1', realizedPnl: '0' });
    expect((events[3]!.data as EventData<'reconciliation.completed'>).positions).toEqual([{ instrument: 'binance-usdm:BTCUSDT', quantity: '-0.010', positionSide: 'BOTH', entryPrice: '56000.1' }]);
    expect(events.some((x) => x.type === 'risk.state-changed' && (x.data as EventData<'risk.state-changed'>).to === 'REDUCING')).toBe(false);
    const decisions = events.filter((x) => x.type === 'decision').map((x) => x.data as EventData<'decision'>);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions[0]!.inputs.positionLots).toBe(-10);
    expect(events.some((x) => x.type === 'order.accepted')).toBe(true);
    expect(err.some((l) => /adopted binance-usdm:BTCUSDT -0\.010 at entry price 56000\.1 \(strategy mm, the venue's position\)/.test(l))).toBe(true);
    expect(r.summary.openOrdersAtEnd).toBe(0);
  }, 60_000);

  it('COIN-M: 20 contracts above the 1500 USD limit start the run REDUCING, said on stderr; nothing that grows it is sent', async () => {
    const e = await startEmu(`${DATA}/cm/btcusd_perp_20240808.gz`, { positionAmt: '20', entryPrice: '56000.1' });
    const cwd = mkdtempSync(join(tmpdir(), 'hft-adopt-'));
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), env: {}, cwd, isTTY: false };
    const r = await runSession({ mode: 'live', scenarioPath: join(ROOT, 'scenarios/paper-mm-coinm-btcusd.json'), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws, credentials, adoptPositions: true, stopWhen: after(3000), warmEveryMs: 0 }, io);
    const events = await runEvents(cwd, r.runId);
    expect(events.slice(0, 5).map((x) => x.type)).toEqual(['run.started', 'position.adopted', 'position.changed', 'risk.state-changed', 'reconciliation.completed']);
    expect(events[3]!.data).toMatchObject({ from: 'ACTIVE', to: 'REDUCING', reason: 'adopted-position-above-limit', values: { positionLots: 20, allowedLots: 15, notional: '2000', maxPositionNotional: '1500' } });
    expect(err.some((l) => /trading state ACTIVE -> REDUCING \(adopted-position-above-limit/.test(l))).toBe(true);
    expect(e.stats.orderPosts).toBe(0);
    expect(events.at(-1)!.type).toBe('run.completed');
  }, 60_000);
});

describe('hft paper --start-position', () => {
  it('seeds the same way and hft parity replays the session from the recorded adoption at 100%', async () => {
    const e = await startEmu(`${DATA}/usdm/btcusdt_20240808.gz`);
    const cwd = mkdtempSync(join(tmpdir(), 'hft-adopt-paper-'));
    const io = { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false };
    const r = await runSession({
      mode: 'paper', scenarioPath: join(ROOT, 'scenarios/paper-mm-usdm-btcusdt.json'), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws,
      startPositions: [{ instrument: 'binance-usdm:BTCUSDT', quantity: '0.012', positionSide: 'BOTH', entryPrice: '61000.25' }], stopWhen: after(6000),
    }, io);
    const events = await runEvents(cwd, r.runId);
    expect(events[1]!.data).toEqual({ instrument: 'binance-usdm:BTCUSDT', strategyId: 'mm', quantity: '0.012', entryPrice: '61000.25', positionSide: 'BOTH', source: 'given' });
    expect(events[2]!.data).toMatchObject({ quantity: '0.012', avgEntryPrice: '61000.25' });
    expect((events.find((x) => x.type === 'decision')!.data as EventData<'decision'>).inputs.positionLots).toBe(12);
    expect(r.summary.ordersRequested as number).toBeGreaterThan(5);
    const p = await parityOfRun(r.runId, 'file:store', io);
    expect(p.divergence).toBeUndefined();
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.compared).toBe(p.recorded);
  }, 60_000);
});
