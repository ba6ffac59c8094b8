/**
 * Memory of the hot-path warmer's shadow kernel (issue #8) over a long session, with no rebuild.
 *
 * `hft live` steps the shadow once a millisecond for as long as the session runs, so anything the
 * kernel keeps per step, per order or per equity sample grows without bound unless the shadow is
 * rebuilt, and a rebuild is a 3-13 ms pause on the main thread. This steps a warmer of the demo
 * scenario (market maker on BTCUSDT, the same factory `hft live` uses, a dry venue that acks, cancels
 * and fills every 32nd order per side) around a fixed top of book with no rebuild, and prints the
 * V8 heap after a full GC every `every` steps: flat means the shadow can run for the whole session.
 * One step is ~1 ms of a real session (the warmer's default period), ~2 dry orders. Also each step's
 * own time, the snapshot steps apart: a market message arriving during a warm step waits for it.
 *
 * Run: npx tsx --expose-gc bench/live/warmerMemory.ts [steps=1000000] [--every N=100000] [--rebuild-every N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { openMarketStream, prepareData } from '../../src/cli/prepareData.ts';
import { HotPathWarmer } from '../../src/engine/live/HotPathWarmer.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import type { ExecutionVenue } from '../../src/engine/ports.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { every: { type: 'string' }, 'rebuild-every': { type: 'string' } } });
const STEPS = Number(positionals[0] ?? 1_000_000);
const EVERY = Number(values.every ?? 100_000);
const REBUILD = values['rebuild-every'] !== undefined ? Number(values['rebuild-every']) : undefined;
for (const [name, v] of [['steps', STEPS], ['--every', EVERY], ['--rebuild-every', REBUILD ?? 1]] as const) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`bench/live/warmerMemory: ${name} must be a positive integer, got '${String(v)}'`);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/live/warmerMemory: run with --expose-gc (npx tsx --expose-gc bench/live/warmerMemory.ts)');

const ROOT = resolve(import.meta.dirname, '../..');
const { scenario, path } = loadScenario('scenarios/demo-mm-btcusdt.json', ROOT);
const ticks = mkdtempSync(join(tmpdir(), 'hft-warmer-mem-'));
try {
  // The instrument specs as the scenario's data declares them (the same as `hft live` builds).
  const data = await prepareData(scenario, dirname(path), ROOT, ticks, () => {});
  const specs = openMarketStream(scenario, data).instruments;
  const startUs = 1_723_161_000_000_000;
  // A BTCUSDT-like top (0.01 ticks): the shadow quotes one tick inside it, alternately down and up.
  const top = { bidTicks: 6_000_000, bidLots: 10, askTicks: 6_000_001, askLots: 10 };
  const w = new HotPathWarmer({
    shadow: (v: ExecutionVenue) => createLiveRun({ mode: 'live', scenario, scenarioPath: path, instruments: specs, store: new MemoryEventStore(), codeVersion: 'warm', startUs, venue: v }).kernel,
    top: () => top, warmOrder: () => {}, startUs,
    ...(REBUILD !== undefined ? { rebuildEvery: REBUILD } : {}),
  });
  console.log(`hot-path warmer shadow (${scenario.strategies.map((s) => s.type).join(', ')}), ${STEPS.toLocaleString('en-US')} steps, rebuild ${REBUILD ? `every ${REBUILD.toLocaleString('en-US')}` : 'never'}; node ${process.version}`);
  console.log('| steps | dry orders | fills | rebuilds | heap after GC MB | RSS MB |');
  console.log('|---|---|---|---|---|---|');
  const heaps: [number, number][] = [];
  // Each step's own time, the snapshot steps apart: a market message that arrives during a warm step
  // waits for it on the main thread (the snapshot steps write 2 x 200 levels). Typed arrays: their
  // memory is outside the V8 heap this bench measures.
  const stepMs = new Float64Array(STEPS);
  const isSnap = new Uint8Array(STEPS);
  const t0 = performance.now();
  for (let i = 1; i <= STEPS; i++) {
    const snaps = w.stats.snapshots;
    const s0 = performance.now();
    if (!w.step()) throw new Error(`bench/live/warmerMemory: warm step ${i} ran nothing (no usable top of book)`);
    stepMs[i - 1] = performance.now() - s0;
    if (w.stats.snapshots > snaps) isSnap[i - 1] = 1;
    if (i % EVERY === 0) {
      gc();
      const m = process.memoryUsage();
      heaps.push([i, m.heapUsed / 1e6]);
      console.log(`| ${i.toLocaleString('en-US')} | ${w.stats.orders.toLocaleString('en-US')} | ${w.stats.fills.toLocaleString('en-US')} | ${w.stats.rebuilds} | ${(m.heapUsed / 1e6).toFixed(1)} | ${(m.rss / 1e6).toFixed(0)} |`);
    }
  }
  const ms = performance.now() - t0;
  // Least-squares slope of the heap over the samples after the first (the first holds the warm-up).
  const pts = heaps.slice(1);
  if (pts.length >= 2) {
    const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
    const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
    const slope = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    console.log(`heap slope after the first sample: ${(slope * 100_000).toFixed(3)} MB per 100,000 steps; ${(ms / STEPS * 1000).toFixed(1)} µs a step`);
  }
  const plain: number[] = []; const snap: number[] = [];
  stepMs.forEach((ms, k) => (isSnap[k] ? snap : plain).push(ms));
  const q = (xs: number[], p: number): string => { const v = [...xs].sort((a, b) => a - b); return v.length ? (v[Math.min(v.length - 1, Math.floor(p * v.length))]! * 1000).toFixed(1) : '-'; };
  console.log('| warm step | steps | p50 µs | p99 µs | p99.9 µs | max µs |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, xs] of [['plain', plain], ['with a 2 x 200-level snapshot', snap]] as const) console.log(`| ${name} | ${xs.length.toLocaleString('en-US')} | ${q(xs, 0.5)} | ${q(xs, 0.99)} | ${q(xs, 0.999)} | ${q(xs, 1)} |`);
} finally {
  rmSync(ticks, { recursive: true, force: true });
}
