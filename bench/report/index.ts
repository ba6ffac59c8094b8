/**
 * bench/report: `hft report` on a run of >= 10M market events, the size bench/backtest runs: time and
 * HTML size, with a per-stage breakdown and the peer beside it, all measured in the same process:
 *
 *   read log     iterate the run's stream in the file event store, nothing else (the log's floor)
 *   read ticks   iterate the run's market rows from the tick store, nothing else (the data's floor)
 *   report       `hft report` end to end: log + ticks folded into the report, HTML rendered and written
 *
 * Data: the shipped Binance spot BTCUSDT capture (both days) repeated with shifted time until the row
 * target is reached, written once as a tick store in the OS temp folder; the demo market maker is
 * backtested on it once (the run the report is made of), into a file event store beside it.
 *
 * Run: npx tsx bench/report/index.ts [rows=10000000]
 * Targets: < 10 s and < 5 MB of HTML.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { writeReport } from '../../src/cli/report/writeReport.ts';
import { openStore } from '../../src/cli/store.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { repeatedCaptureStore } from '../common/repeatedCapture.ts';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const ROOT = resolve(import.meta.dirname, '../..');
const WORK = join(tmpdir(), 'hft-bench-report');
const INSTRUMENT = 'binance-spot:BTCUSDT';
const io: CliIO = { out: () => {}, err: (l) => process.stderr.write(`${l}\n`), env: {}, cwd: ROOT, isTTY: false };

const buildTicks = (rows: number): Promise<string> => repeatedCaptureStore(WORK, rows);

/** The demo market maker on the repeated data, recorded once. */
async function recordRun(ticks: string): Promise<{ storeUri: string; runId: string }> {
  const storeDir = join(WORK, `store-${ROWS}`);
  const marker = join(storeDir, 'bench-run-id');
  const storeUri = `file:${storeDir}`;
  if (existsSync(marker)) return { storeUri, runId: readFileSync(marker, 'utf8') };
  rmSync(storeDir, { recursive: true, force: true });
  const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8'));
  demo.name = 'bench-report';
  demo.data = { sources: [{ format: 'tickstore', instrument: INSTRUMENT, files: [ticks] }], localClockOffsetUs: 1_300_000, minFeedLatencyUs: 500 };
  // Risk limits sized for a run 26x the demo's length (the demo's loss limits would halt it).
  demo.risk = { ...demo.risk, dailyLossLimit: '100000', maxDrawdown: '100000' };
  const scenarioPath = join(WORK, 'bench-report.json');
  writeFileSync(scenarioPath, JSON.stringify(demo));
  process.stderr.write(`backtesting the demo market maker on ${ROWS.toLocaleString('en-US')} rows into ${storeDir} (once)\n`);
  const r = await backtestFromFile({ scenarioPath, storeUri, ticksDir: join(WORK, 'unused-ticks'), fsync: 'never' }, io);
  writeFileSync(marker, r.runId);
  return { storeUri, runId: r.runId };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; peakRssMb: number; value: T }> {
  if (global.gc) global.gc();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const t0 = performance.now();
  const value = await fn();
  const s = (performance.now() - t0) / 1000;
  clearInterval(timer);
  return { s, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6), value };
}

async function main(): Promise<void> {
  const ticks = await buildTicks(ROWS);
  const { storeUri, runId } = await recordRun(ticks);

  const readLog = await timed(async () => {
    const store = await openStore(storeUri, { readOnly: true });
    let n = 0;
    try { for await (const b of store.readStream(`run-${runId}`)) n += b.length; } finally { await store.close(); }
    return n;
  });
  const readTicks = await timed(async () => {
    let n = 0, bbo = 0;
    for await (const b of openTickStore(ticks).read({ instruments: [INSTRUMENT] })) { n += b.length; for (let i = 0; i < b.length; i++) if (b.kind[i] === 3) bbo++; }
    return { n, bbo };
  });
  const out = join(WORK, `run-${runId}.html`);
  const report = await timed(() => writeReport({ runIds: [runId], storeUri, ticksDir: join(WORK, 'unused-ticks'), out }, io));
  const r = report.value.reports[0]!;

  const rows = [
    ['read log (floor)', readLog.s, `${readLog.value.toLocaleString('en-US')} run events`, readLog.peakRssMb, '–'],
    ['read ticks (floor)', readTicks.s, `${readTicks.value.n.toLocaleString('en-US')} market rows`, readTicks.peakRssMb, '–'],
    ['hft report', report.s, `${(r.events + r.marketRows).toLocaleString('en-US')} events`, report.peakRssMb, `${(report.value.bytes / 1e6).toFixed(2)} MB`],
  ] as const;
  console.log(`\nhft report on a run of ${r.marketRows.toLocaleString('en-US')} market events + ${r.events.toLocaleString('en-US')} run events (${r.counts.fills.toLocaleString('en-US')} fills, ${r.equitySamples.toLocaleString('en-US')} equity samples)\n`);
  console.log(`| stage | seconds | input | peak RSS MB | HTML |`);
  console.log(`|---|---:|---|---:|---:|`);
  for (const [name, s, what, rss, html] of rows) console.log(`| ${name} | ${s.toFixed(2)} | ${what} | ${rss} | ${html} |`);
  const rate = (r.events + r.marketRows) / report.s;
  console.log(`\nreport: ${(rate / 1e6).toFixed(2)} M events/s; ${(report.s / (readLog.s + readTicks.s)).toFixed(2)}x the two reads alone`);
  console.log(`targets: < 10 s ${report.s < 10 ? 'MET' : 'MISSED'} (${report.s.toFixed(2)} s); < 5 MB ${report.value.bytes < 5e6 ? 'MET' : 'MISSED'} (${(report.value.bytes / 1e6).toFixed(2)} MB)`);
  console.log(`drawn: ${r.prices[0]!.t.length.toLocaleString('en-US')} of ${r.prices[0]!.total.toLocaleString('en-US')} price points, ${r.prices[0]!.fills.t.length.toLocaleString('en-US')} of ${r.prices[0]!.fills.total.toLocaleString('en-US')} fills, ${r.equity.t.length.toLocaleString('en-US')} of ${r.equity.total.toLocaleString('en-US')} equity samples`);
}

await main();
