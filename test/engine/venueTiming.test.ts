/**
 * The simulated venue's latency is the configured one, whatever the market data's rhythm: on the real
 * BTCUSDT capture with constant latencies (5 ms to the venue, 5 ms back), every order reaches the venue
 * exactly 5 ms after it was sent and its answer reaches the strategy exactly 5 ms later, also when no
 * market row falls between (the venue runs a request's arrival at its own time, not at its next row).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'hft-venue-timing-'));
const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };

describe('simulated venue timing on the real capture', () => {
  it('answers every order exactly entry + response latency after it was sent, and delivers no response late', async () => {
    const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8'));
    demo.data.to = '2024-08-08T23:57:00Z';
    expect(demo.venue.latency).toEqual({ model: 'constant', entryUs: 5000, responseUs: 5000 });
    const scenarioPath = join(work, 'demo-3min.json');
    writeFileSync(scenarioPath, JSON.stringify(demo));
    const run = await backtestFromFile({ scenarioPath, storeUri: `file:${join(work, 'store')}`, ticksDir: join(work, 'ticks') }, io);
    expect(run.counters.lateResponses).toBe(0);
    const store = await FileEventStore.open(join(work, 'store'), { readOnly: true });
    const log = await collect(store.readStream(`run-${run.runId}`)).finally(() => store.close());
    const sentAt = new Map<string, number>();
    let answered = 0;
    for (const e of log) {
      const d = e.data as { clientOrderId?: string };
      if (e.type === 'order.submitted') sentAt.set(d.clientOrderId!, e.tsRecv);
      if ((e.type === 'order.accepted' || e.type === 'order.rejected') && sentAt.has(d.clientOrderId!)) {
        const sent = sentAt.get(d.clientOrderId!)!;
        expect(e.tsEvent - sent, `${e.type} ${d.clientOrderId}: venue time - send time`).toBe(5000);
        expect(e.tsRecv - e.tsEvent, `${e.type} ${d.clientOrderId}: local time - venue time`).toBe(5000);
        sentAt.delete(d.clientOrderId!);
        answered++;
      }
      if (e.type === 'order.filled') expect(e.tsRecv - e.tsEvent).toBe(5000);
    }
    expect(answered).toBeGreaterThan(500);
  }, 120_000);
});
