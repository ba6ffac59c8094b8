/**
 * The backtest summary and the read models agree: the demo backtest (first three minutes of the real
 * BTCUSDT capture) is folded from its log by the projection reducers into MemoryReadModels, and the
 * figures read from those rows equal the kernel's and the ledger's own summary exactly.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { Money } from '../../src/model/accounting/Money.ts';
import { MemoryReadModels } from '../../src/projections/MemoryReadModels.ts';
import { readModelSummary, type ReadModelSummary } from '../../src/projections/readModelSummary.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };

type Summary = {
  fills: number; filledLots: number; cancels: number; rejects: number; ordersRequested: number; ordersDenied: number; decisions: number;
  positionsLots: Record<string, number>; byStrategy: Record<string, { currency: string; realizedPnl: string; fees: string; funding: string }[]>;
};

describe('read models folded from a real backtest log', () => {
  let summary: Summary;
  let fromModels: ReadModelSummary;
  let models: MemoryReadModels;
  let runId = '';

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'hft-rm-summary-'));
    const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8'));
    demo.data.to = '2024-08-08T23:57:00Z';
    const scenarioPath = join(work, 'demo-3min.json');
    writeFileSync(scenarioPath, JSON.stringify(demo));
    const run = await backtestFromFile({ scenarioPath, storeUri: `file:${join(work, 'store')}`, ticksDir: join(work, 'ticks') }, io);
    runId = run.runId;
    summary = run.summary as unknown as Summary;
    const store = await FileEventStore.open(join(work, 'store'), { readOnly: true });
    models = new MemoryReadModels();
    // Page by page, as a follower would apply them.
    for await (const page of store.readStream(`run-${run.runId}`)) models.apply(page);
    await store.close();
    fromModels = readModelSummary(models, runId);
  }, 180_000);

  it('has every fill once, with the summary\'s count and filled lots', () => {
    expect(summary.fills).toBeGreaterThan(100);
    expect(fromModels.fills).toBe(summary.fills);
    expect(fromModels.filledLots).toBe(summary.filledLots);
    const ids = models.rows('fills').map((f) => f.venue_trade_id);
    expect(new Set(ids).size).toBe(summary.fills);
  });

  it('counts orders and decisions as the summary does: requested, denied, canceled, rejected', () => {
    expect(summary.ordersRequested).toBeGreaterThan(100);
    expect({
      ordersRequested: fromModels.ordersRequested, ordersDenied: fromModels.ordersDenied, cancels: fromModels.cancels,
      rejects: fromModels.rejects, decisions: fromModels.decisions,
    }).toEqual({
      ordersRequested: summary.ordersRequested, ordersDenied: summary.ordersDenied, cancels: summary.cancels,
      rejects: summary.rejects, decisions: summary.decisions,
    });
  });

  it('nets the fills to the summary\'s position in lots', () => {
    expect(Object.keys(summary.positionsLots)).toEqual(['mm|binance-spot:BTCUSDT']);
    expect(fromModels.positionsLots).toEqual(summary.positionsLots);
  });

  it('sums realized P&L, fees and funding to the ledger\'s figures exactly, per strategy and currency', () => {
    expect(Object.keys(fromModels.byStrategy)).toEqual(Object.keys(summary.byStrategy));
    let nonZero = 0;
    for (const [strategyId, rows] of Object.entries(summary.byStrategy)) {
      const mine = fromModels.byStrategy[strategyId]!;
      expect(mine.map((r) => r.currency)).toEqual(rows.map((r) => r.currency));
      rows.forEach((s, i) => {
        const m = mine[i]!;
        const label = `${strategyId} ${s.currency}: read models ${m.realizedPnl}/${m.fees}/${m.funding} vs summary ${s.realizedPnl}/${s.fees}/${s.funding}`;
        expect(new Money(m.realizedPnl).eq(s.realizedPnl), label).toBe(true);
        expect(new Money(m.fees).eq(s.fees), label).toBe(true);
        expect(new Money(m.funding).eq(s.funding), label).toBe(true);
        if (!new Money(s.realizedPnl).isZero()) nonZero++;
      });
    }
    expect(nonZero).toBeGreaterThan(0); // equal zeros would prove nothing
  });

  it('keeps the position row\'s quantity equal to the signed sum of the fills\' sizes', () => {
    const positions = models.rows('positions').filter((p) => p.run_id === runId);
    expect(positions.length).toBeGreaterThan(0);
    for (const p of positions) {
      let qty = new Money(0);
      for (const f of models.rows('fills')) {
        if (f.strategy_id === p.strategy_id && f.instrument === p.instrument) qty = f.side === 'buy' ? qty.plus(f.size as string) : qty.minus(f.size as string);
      }
      expect(new Money(p.quantity as string).eq(qty), `${p.strategy_id as string} ${p.instrument as string}: ${p.quantity as string} vs ${qty.toString()}`).toBe(true);
    }
  });
});
