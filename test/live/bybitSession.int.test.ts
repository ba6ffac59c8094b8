/**
 * Sessions on Bybit ETHUSDT linear against the Bybit emulator (the legacy 2021 capture translated into v5
 * shape): a paper session of a market maker on the live v5 feed replays (`hft parity`) to the identical
 * event stream; a live session of the same scenario, composed as `hft live` composes one (createLiveRun
 * with the venue, LiveSession, the v5 feed; paper.ts wires BybitExecution the same way once the lead
 * applies the diff), trades through BybitExecution with signed orders under our orderLinkIds and stops
 * with cancel-all: nothing open on the venue, every accepted order exactly one venue order, every fill
 * one venue execution.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBybitCcxt } from '../../src/adapters/bybit/bybitCcxt.ts';
import { BybitExecution } from '../../src/adapters/bybit/BybitExecution.ts';
import { createMarketData } from '../../src/adapters/feed/createMarketData.ts';
import { codeVersion } from '../../src/cli/codeVersion.ts';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { SESSIONS_DIR } from '../../src/cli/commands/paper.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { openStore } from '../../src/cli/store.ts';
import { collect } from '../../src/eventstore/port.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { TickRecorder } from '../../src/engine/live/TickRecorder.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { instrument } from '../../src/model/instrument.ts';
import { bybitEthCapture, bybitEthSpec, writeBybitMmScenario } from './bybitEthFixture.ts';
import { venuePaperSession } from './venuePaperSession.ts';

const KEY = { apiKey: 'bybitSessionKey', secret: 'bybitSessionSecret' };
const spec = bybitEthSpec;
const capture = bybitEthCapture;
const emus: BybitEmulator[] = [];
afterAll(async () => { for (const e of emus) await e.close(); });

const scenarioIn = writeBybitMmScenario;

describe('Bybit ETHUSDT linear sessions against the emulator', () => {
  it('paper: trades on the live v5 feed and replays to the identical event stream (parity 100%)', async () => {
    const emu = new BybitEmulator({ capture, speed: 2, paused: true });
    emus.push(emu);
    const { ws } = await emu.start();
    const cwd = mkdtempSync(join(tmpdir(), 'hft-paper-bybit-'));
    const resume = setInterval(() => { if (emu.stats.subscribes === 1) { clearInterval(resume); emu.resume(); } }, 5);
    const r = await venuePaperSession({ cwd, scenarioPath: scenarioIn(cwd), storeUri: 'file:store', specs: [spec], restUrl: '', wsUrl: ws, durationMs: 17_500 }); // the capture's 29.7 s of ETHUSDT at speed 2, and a margin
    clearInterval(resume);
    expect(emu.remaining).toBe(0);
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps).toEqual({ sequence: 0, checksum: 0, disconnect: 0, stale: 0 });
    expect(r.summary.ordersRequested as number).toBeGreaterThan(2);
    expect(r.summary.openOrdersAtEnd).toBe(0);
    const p = await parityOfRun(r.runId, 'file:store', { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false });
    expect(p.divergence).toBeUndefined();
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.compared).toBe(p.recorded);
    expect(p.fills.identical).toBe(true);
  }, 60_000);

  it('live through BybitExecution: signed orders under our orderLinkIds, stopped with cancel-all, nothing left open, no order or fill twice', async () => {
    const emu = new BybitEmulator({ capture, speed: 2, startOnSubscribe: true, account: { ...KEY, instruments: [spec], balances: { USDT: '10000' } } });
    emus.push(emu);
    const url = await emu.start();
    const cwd = mkdtempSync(join(tmpdir(), 'hft-live-bybit-'));
    const { scenario, path } = loadScenario(scenarioIn(cwd), cwd);
    const store = await openStore('file:store', { cwd });
    const clock = wallClockUs();
    let session: LiveSession | undefined;
    const errors: string[] = [];
    const venue = new BybitExecution({
      client: createBybitCcxt({ ...KEY, restUrl: url.rest, category: 'linear' }), wsPrivateUrl: url.wsPrivate, ...KEY, instruments: [instrument(spec)], clockUs: clock,
      onReport: () => queueMicrotask(() => session?.poke()), onLatency: (row) => session?.record('order.request-acked', { ...row }), log: (l) => errors.push(l),
    });
    expect(await venue.fetchPositions()).toEqual([]); // flat before the run, as `hft live` checks
    const run = createLiveRun({ mode: 'live', scenario, scenarioPath: relative(cwd, path), instruments: [spec], store, codeVersion: codeVersion(), startUs: clock(), venue, session: { restUrl: url.rest, wsUrl: url.ws, sandbox: false } });
    const tickRoot = resolve(cwd, SESSIONS_DIR, run.runId, 'ticks');
    let failure: unknown;
    session = new LiveSession({
      kernel: run.kernel, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: true,
      recorder: new TickRecorder(openTickStore(tickRoot), [spec]), tickStoreRoot: relative(cwd, tickRoot), summarize: run.summarize, onError: (e) => { failure ??= e; },
    });
    await session.start();
    await venue.start();
    const md = createMarketData({ restUrl: url.rest, wsUrl: url.ws, instruments: [spec], clockUs: clock, onEvents: (events) => session!.onMarket(events) });
    md.start();
    await new Promise((r) => setTimeout(r, 14_000));
    md.stop();
    const v = venue;
    const result = await session.stop({ reason: 'test duration', cancelOpen: async () => { await v.cancelAll(); }, drainMs: 1000 });
    venue.stop();
    await store.close();
    if (failure !== undefined) throw failure;
    const reader = await openStore('file:store', { cwd, readOnly: true });
    const events = await collect(reader.readStream(`run-${run.runId}`));
    await reader.close();
    expect(events[0]!.type).toBe('run.started');
    expect((events[0]!.data as { mode: string }).mode).toBe('live');
    const acct = emu.account!;
    expect(acct.stats.signatureFailures).toBe(0);
    expect(acct.stats.auths).toBe(1);
    expect(emu.openOrderIds()).toEqual([]);
    expect(result.summary.openOrdersAtEnd).toBe(0);
    const accepted = events.filter((e) => e.type === 'order.accepted').map((e) => (e.data as { clientOrderId: string }).clientOrderId);
    expect(accepted.length).toBeGreaterThan(2);
    for (const id of accepted) expect(emu.ordersWithLinkId(id)).toBe(1);
    expect(acct.stats.ordersCreated).toBe(accepted.length);
    // Every fill the run recorded is one venue execution, none twice.
    const fills = events.filter((e) => e.type === 'order.filled').map((e) => (e.data as { venueTradeId: string }).venueTradeId);
    expect(new Set(fills).size).toBe(fills.length);
    expect(fills.length).toBe(acct.stats.executionsSent);
    expect(venue.stats.rejects).toBe(0);
  }, 60_000);
});
