/**
 * Every scenario in scenarios/ runs here and must reproduce its committed golden summary
 * (test/strategy/golden/<name>.json): head hash of the event log on a fresh file store (verifyStore),
 * order and fill counts, P&L per strategy.
 *
 * The run records `codeVersion`, which hashes the whole src/ tree; the goldens fix it to 'golden' so
 * that they move only when a run's behaviour moves, not with every edit anywhere in src/.
 * Regenerate (after reviewing why a result moved): HFT_WRITE_GOLDEN=1 npx vitest run test/strategy/scenarios.test.ts
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { openMarketStream, prepareData } from '../../src/cli/prepareData.ts';
import { openStore } from '../../src/cli/store.ts';
import { createBacktest } from '../../src/engine/createBacktest.ts';
import { runBacktest } from '../../src/engine/runBacktest.ts';
import { verifyStore } from '../../src/eventstore/file/verifyStore.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const GOLDEN = join(import.meta.dirname, 'golden');
const work = mkdtempSync(join(tmpdir(), 'hft-scenarios-'));
const ticksDir = join(work, 'ticks');
const scenarios = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json')).sort();

interface Golden {
  scenario: string; runId: string; headHash: string; runEvents: number; marketRows: number;
  ordersRequested: number; ordersDenied: number; fills: number; equity: string;
  netPnl: Record<string, string>; simulatedFrom: string; simulatedTo: string;
}

async function run(file: string): Promise<Golden & { wallMs: number }> {
  const { scenario, path } = loadScenario(join('scenarios', file), ROOT);
  for (const s of scenario.data.sources) for (const f of s.files) {
    if (f.startsWith('../shared/data') && !existsSync(resolve(ROOT, f))) throw new Error(`scenarios/${file}: data file ${f} is missing; this scenario needs the shared data folder /work/shared/data next to the repository (see data/README.md)`);
  }
  const data = await prepareData(scenario, dirname(path), ROOT, ticksDir, () => {});
  const stream = openMarketStream(scenario, data);
  const dir = join(work, file.replace(/\.json$/, ''));
  const store = await openStore(`file:${dir}`, { cwd: ROOT, fsync: 'never' });
  const t0 = performance.now();
  let result;
  let b;
  try {
    b = createBacktest({
      scenario, scenarioPath: relative(ROOT, path), instruments: stream.instruments, source: stream,
      datasets: stream.files.map((f) => ({ path: f.path, sha256: f.sha256, rowFrom: 0, rowTo: f.rows })),
      store, codeVersion: 'golden', wallMs: () => performance.now(),
    });
    result = await runBacktest(b);
  } finally { await store.close(); }
  const wallMs = performance.now() - t0;
  const v = await verifyStore(dir);
  const s = result.summary as { byStrategy: Record<string, { currency: string; netPnl: string }[]>; equity: string };
  const netPnl: Record<string, string> = {};
  for (const [id, rows] of Object.entries(s.byStrategy ?? {})) for (const r of rows) netPnl[`${id} ${r.currency}`] = r.netPnl;
  const evs = result as unknown as { firstMarketUs?: number };
  void evs;
  return {
    scenario: scenario.name, runId: b.runId, headHash: v.headHash, runEvents: result.runEvents, marketRows: result.counters.marketRows,
    ordersRequested: result.counters.ordersRequested, ordersDenied: result.counters.ordersDenied, fills: result.counters.fills,
    equity: s.equity, netPnl, simulatedFrom: scenario.data.from ?? 'start of data', simulatedTo: scenario.data.to ?? 'end of data', wallMs,
  };
}

describe('scenarios reproduce their golden summaries', () => {
  it('has a golden for every scenario and a scenario for every golden', () => {
    const goldens = existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.json')).sort() : [];
    if (process.env.HFT_WRITE_GOLDEN !== '1') expect(goldens).toEqual(scenarios);
  });

  for (const file of scenarios) {
    it(`${file}: same head hash, orders, fills and P&L as the golden`, async () => {
      const got = await run(file);
      const { wallMs, ...summary } = got;
      const goldenPath = join(GOLDEN, file);
      if (process.env.HFT_WRITE_GOLDEN === '1') {
        writeFileSync(goldenPath, `${JSON.stringify({ ...summary, wallMsWhenWritten: Math.round(wallMs) }, null, 2)}\n`);
        return;
      }
      const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as Golden & { wallMsWhenWritten: number };
      const { wallMsWhenWritten: _, ...expected } = golden;
      expect(summary).toEqual(expected);
    }, 120_000);
  }
});
