/**
 * The backtest end to end on the shipped real BTCUSDT capture: determinism (fresh stores, identical
 * head hash), replay parity, a changed input event caught by replay, and the run's summary agreeing
 * with its own event log.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { replayRun } from '../../src/cli/commands/replay.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import { KindCode } from '../../src/model/market.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'hft-backtest-'));
const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };
const ticksDir = join(work, 'ticks');
let scenarioPath = '';

beforeAll(() => {
  // The demo scenario over its first three minutes keeps the suite quick; same data, same models.
  const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8'));
  demo.data.to = '2024-08-08T23:57:00Z';
  scenarioPath = join(work, 'demo-3min.json');
  writeFileSync(scenarioPath, JSON.stringify(demo));
});

describe('backtest on the real BTCUSDT capture', () => {
  it('gives the identical event log (head hash) twice from fresh stores, and replay passes', async () => {
    const a = await backtestFromFile({ scenarioPath, storeUri: `file:${join(work, 'a')}`, ticksDir }, io);
    const b = await backtestFromFile({ scenarioPath, storeUri: `file:${join(work, 'b')}`, ticksDir }, io);
    expect(a.runId).toBe(b.runId);
    expect(a.counters.marketRows).toBeGreaterThan(50_000);
    expect(a.counters.fills).toBeGreaterThan(0);
    const va = await verifyStore(join(work, 'a'));
    const vb = await verifyStore(join(work, 'b'));
    expect(va.events).toBe(a.runEvents);
    expect(va.headHash).toBe(vb.headHash);
    // The head the store kept while writing is the one verify recomputes from the segments.
    expect(a.headHash).toBe(va.headHash);

    const r = await replayRun({ runId: a.runId, storeUri: `file:${join(work, 'a')}`, ticksDir }, io);
    expect(r.divergence).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.compared).toBe(a.runEvents);
  }, 120_000);

  it('reports the divergence when one input trade is changed', async () => {
    const run = await backtestFromFile({ scenarioPath, storeUri: `file:${join(work, 'c')}`, ticksDir }, io);
    let changed = false;
    const r = await replayRun({
      runId: run.runId, storeUri: `file:${join(work, 'c')}`, ticksDir,
      // Every trade from the 20,000th row on prints one tick lower: the venue and the strategy see another market.
      mutate: (b) => { for (let i = 0; i < b.length; i++) if (b.kind[i] === KindCode.trade && b.tsRecv[i]! > b.tsRecv[0]! ) { b.price[i] = b.price[i]! - 1; changed = true; } },
    }, io);
    expect(changed).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.divergence!.index).toBeGreaterThan(0);
    expect(r.divergence!.index).toBeLessThan(run.runEvents);
  }, 120_000);

  it('has a summary that agrees with its own event log', async () => {
    const dir = join(work, 'd');
    const run = await backtestFromFile({ scenarioPath, storeUri: `file:${dir}`, ticksDir }, io);
    const store = await FileEventStore.open(dir, { readOnly: true });
    const events = await collect(store.readStream(`run-${run.runId}`));
    await store.close();
    const count = (t: string): number => events.filter((e) => e.type === t).length;
    expect(events[0]!.type).toBe('run.started');
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(count('order.filled')).toBe(run.counters.fills);
    expect(count('order.requested')).toBe(run.counters.ordersRequested);
    expect(count('order.denied')).toBe(run.counters.ordersDenied);
    expect(count('decision')).toBe(run.counters.decisions);
    // Every order traces back to the decision that created it.
    const decisions = new Set(events.filter((e) => e.type === 'decision').map((e) => e.id));
    for (const e of events.filter((x) => x.type === 'order.requested')) expect(decisions.has(e.correlationId)).toBe(true);
    // Position from the fills equals the summary's position.
    let lots = 0;
    for (const e of events) if (e.type === 'order.filled') { const d = e.data as { side: string; sizeLots: number }; lots += d.side === 'buy' ? d.sizeLots : -d.sizeLots; }
    expect((run.summary.positionsLots as Record<string, number>)['mm|binance-spot:BTCUSDT'] ?? 0).toBe(lots);
  }, 120_000);

  it('runs and replays with a recorded latency table, and names the bad line of a broken one', async () => {
    const demo = JSON.parse(readFileSync(scenarioPath, 'utf8'));
    const t0 = 1_723_161_254_000_000;
    const csv = ['requestUs,venueUs,responseUs', `${t0},${t0 + 3_000},${t0 + 9_000}`, `${t0 + 600_000_000},${t0 + 600_012_000},${t0 + 600_030_000}`].join('\n');
    writeFileSync(join(work, 'latency.csv'), `${csv}\n`);
    demo.venue.latency = { model: 'recorded', file: join(work, 'latency.csv') };
    const path = join(work, 'recorded.json');
    writeFileSync(path, JSON.stringify(demo));
    const run = await backtestFromFile({ scenarioPath: path, storeUri: `file:${join(work, 'e')}`, ticksDir }, io);
    expect(run.counters.fills).toBeGreaterThan(0);
    const r = await replayRun({ runId: run.runId, storeUri: `file:${join(work, 'e')}`, ticksDir }, io);
    expect(r.ok).toBe(true);

    writeFileSync(join(work, 'latency.csv'), `${csv}\n${t0},oops,1\n`);
    await expect(backtestFromFile({ scenarioPath: path, storeUri: 'memory:', ticksDir }, io)).rejects.toThrow(/latency\.csv:4: expected three integer/);
  }, 120_000);
});
