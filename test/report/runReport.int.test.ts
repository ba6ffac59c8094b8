/**
 * The report of the demo run (real Binance BTCUSDT capture): its figures against the kernel's own
 * summary (run.completed, written by the ledger, not by the report), its numbers independent of the
 * drawing budget, and the HTML self-contained.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/cli/store.ts';
import { loadRunReport } from '../../src/cli/report/loadRunReport.ts';
import { writeReport } from '../../src/cli/report/writeReport.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { RunReport } from '../../src/projections/report/RunReport.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { KindCode } from '../../src/model/market.ts';
import { io, runDemo, type DemoRun } from './demoRun.ts';

let demo: DemoRun;
let report: RunReport;
let events: Awaited<ReturnType<typeof collect>>;

beforeAll(async () => {
  demo = await runDemo();
  const store = await openStore(demo.storeUri, { readOnly: true });
  try {
    events = await collect(store.readStream(`run-${demo.runId}`));
    report = await loadRunReport(store, demo.runId, { cwd: io.cwd, ticksDir: demo.ticksDir, log: () => {} });
  } finally { await store.close(); }
}, 120_000);

describe('run report of the demo backtest', () => {
  it('ends at the equity the kernel\'s ledger reported, to the last digit', () => {
    expect(report.finalEquity).toBe(demo.summary.equity);
  });

  it('splits net P&L into parts that add up to the ledger\'s net P&L', () => {
    const ledger = (demo.summary.byStrategy as Record<string, { netPnl: string; realizedPnl: string; fees: string }[]>).mm![0]!;
    expect(Number(report.pnl.net)).toBeCloseTo(Number(ledger.netPnl), 12);
    expect(Number(report.pnl.realized)).toBeCloseTo(Number(ledger.realizedPnl), 12);
    const parts = Number(report.pnl.spreadCapture) - Number(report.pnl.fees) + Number(report.pnl.funding) + Number(report.pnl.markToMarket);
    expect(parts).toBeCloseTo(Number(report.pnl.net), 9);
  });

  it('finds a max drawdown within a cent of the kernel\'s (same marks, its samples are on the local clock)', () => {
    expect(Math.abs(Number(report.maxDrawdown) - Number(demo.summary.maxDrawdown))).toBeLessThan(0.1);
    expect(report.equitySamples).toBeGreaterThan(600); // 11 minutes at 1 s
  });

  it('accounts for every requested order exactly once, as counted from the raw log', () => {
    const count = (t: string) => events.filter((e) => e.type === t).length;
    const o = report.outcomes;
    expect(o.requested).toBe(count('order.requested'));
    const rejected = Object.values(o.rejected).reduce((a, b) => a + b, 0);
    const denied = Object.values(o.denied).reduce((a, b) => a + b, 0);
    expect(rejected).toBe(count('order.rejected'));
    expect(denied).toBe(count('order.denied'));
    expect(o.canceled + o.partiallyFilledThenCanceled).toBe(count('order.canceled'));
    expect(o.filled + o.partiallyFilledThenCanceled + o.canceled + o.expired + o.open + rejected + denied).toBe(o.requested);
    expect(report.prices[0]!.fills.total).toBe(demo.summary.fills);
    expect(report.latency.fill.n).toBe(demo.summary.fills);
  });

  it('draws the BBO the tick store holds, from its first row to its last', async () => {
    const ts = openTickStore(join(demo.ticksDir, readdirSync(demo.ticksDir).find((d) => !d.includes('.tmp'))!));
    let first: number[] | undefined, last: number[] = [];
    for await (const b of ts.read({ instruments: ['binance-spot:BTCUSDT'] })) {
      for (let i = 0; i < b.length; i++) if (b.kind[i] === KindCode.bbo) { last = [b.tsEvent[i]!, b.price[i]!, b.price2[i]!]; first ??= last; }
    }
    const p = report.prices[0]!;
    expect([p.t[0], p.bid[0], p.ask[0]]).toEqual(first);
    // points are drawn at changes of bid or ask: the last one holds the last row's prices
    expect([p.bid.at(-1), p.ask.at(-1)]).toEqual(last.slice(1));
    expect(p.t.at(-1)).toBeLessThanOrEqual(last[0]!);
    expect(p.bid.every((b, i) => b < p.ask[i]!)).toBe(true);
    // the scenario's 5 ms entry + 5 ms response latency: no ack comes back faster than the round trip
    expect(report.latency.ack.edgesUs.length).toBeGreaterThan(0);
    expect(report.latency.ack.counts.slice(0, 6).reduce((a, b) => a + b, 0)).toBe(0); // nothing at or below 5 ms
  });

  it('keeps every figure when the drawing budget shrinks: only the drawn points change', async () => {
    const store = await openStore(demo.storeUri, { readOnly: true });
    let small: RunReport;
    try {
      small = await loadRunReport(store, demo.runId, { cwd: io.cwd, ticksDir: demo.ticksDir, log: () => {}, budget: { pricePoints: 200, quotePoints: 100, fillMarkers: 50, equityPoints: 60, inventoryPoints: 40 } });
    } finally { await store.close(); }
    expect(small.prices[0]!.t.length).toBeLessThanOrEqual(200);
    expect(small.prices[0]!.fills.t.length).toBe(50);
    expect(small.equity.t.length).toBeLessThanOrEqual(60);
    for (const k of ['finalEquity', 'maxDrawdown', 'pnl', 'outcomes', 'latency', 'counts'] as const) expect(small[k]).toEqual(report[k]);
    expect(small.prices[0]!.total).toBe(report.prices[0]!.total);
  });

  it('writes one self-contained HTML file: no external script, style or fetch', async () => {
    const out = join(demo.work, 'run.html');
    const w = await writeReport({ runIds: [demo.runId], storeUri: demo.storeUri, ticksDir: demo.ticksDir, out }, io);
    const html = readFileSync(out, 'utf8');
    expect(w.bytes).toBe(Buffer.byteLength(html));
    expect(w.bytes).toBeLessThan(5_000_000);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest/);
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.runId).toBe(demo.runId);
    expect(data.datasets.map((d: { sha256: string }) => d.sha256)).toEqual(report.datasets.map((d) => d.sha256));
  });

  it('refuses a run id the store does not hold, naming it', async () => {
    await expect(writeReport({ runIds: ['nosuchrun'], storeUri: demo.storeUri, ticksDir: demo.ticksDir, out: join(demo.work, 'x.html') }, io)).rejects.toThrow(/run 'nosuchrun'.*run-nosuchrun/);
  });

  it('refuses market data whose hash differs from the one the run recorded, naming the file', async () => {
    const copy = join(demo.work, 'ticks-tampered');
    cpSync(demo.ticksDir, copy, { recursive: true });
    const key = readdirSync(copy).find((d) => !d.includes('.tmp'))!;
    const manifestPath = join(copy, key, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string; sha256: string }[] };
    const victim = manifest.files[0]!;
    victim.sha256 = '0'.repeat(64);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const store = await openStore(demo.storeUri, { readOnly: true });
    try {
      await expect(loadRunReport(store, demo.runId, { cwd: io.cwd, ticksDir: copy, log: () => {} }))
        .rejects.toThrow(new RegExp(`dataset ${victim.path.replace(/[.]/g, '\\.')} in .* has sha256 0{64}, the run consumed [0-9a-f]{64}`));
    } finally { await store.close(); }
  });

  it('compares two runs: one metrics row per run, computed from each run\'s full report', async () => {
    const other = await runDemo(7, { work: demo.work, ticksDir: demo.ticksDir });
    const out = join(demo.work, 'cmp.html');
    const w = await writeReport({ runIds: [demo.runId, other.runId], storeUri: demo.storeUri, ticksDir: demo.ticksDir, out, compare: true }, io);
    const data = JSON.parse(/id="report-data">(.*?)<\/script>/s.exec(readFileSync(out, 'utf8'))![1]!);
    expect(data.rows.map((r: { runId: string }) => r.runId)).toEqual([demo.runId, other.runId]);
    expect(data.rows[0].fills).toBe(demo.summary.fills);
    expect(data.rows[1].fills).toBe(other.summary.fills);
    expect(w.reports[1]!.finalEquity).toBe(other.summary.equity);
  }, 120_000);
});
