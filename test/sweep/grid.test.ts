import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { parseScenario } from '../../src/engine/scenario.ts';
import { expandGrid } from '../../src/engine/sweep/expandGrid.ts';
import { parseGridAxis } from '../../src/engine/sweep/parseGridAxis.ts';
import { patchScenario } from '../../src/engine/sweep/patchScenario.ts';
import { rankSweepResults } from '../../src/engine/sweep/rankSweepResults.ts';
import { sweepMetrics } from '../../src/engine/sweep/sweepMetrics.ts';

const demo = JSON.parse(readFileSync(new URL('../../scenarios/demo-mm-btcusdt.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const usage = (e: unknown): boolean => isHftError(e, 'HFT_ERR_USAGE');

describe('grid axes and their product', () => {
  it('parses key=v1,v2 and keeps the values as written, in order', () => {
    const a = parseGridAxis('strategies.0.params.halfSpreadTicks=0.5, 1,2');
    expect(a.key).toBe('strategies.0.params.halfSpreadTicks');
    expect(a.path).toEqual(['strategies', '0', 'params', 'halfSpreadTicks']);
    expect(a.values).toEqual(['0.5', '1', '2']);
  });

  it('rejects a missing =, an empty value and a repeated value, naming the argument', () => {
    expect(() => parseGridAxis('seed')).toThrow(/--grid 'seed'/);
    expect(() => parseGridAxis('seed=1,,2')).toThrow(/value 2 is empty/);
    expect(() => parseGridAxis('seed=1,2,1')).toThrow(/'1' is listed twice/);
    let err: unknown;
    try { parseGridAxis('a..b=1'); } catch (e) { err = e; }
    expect(usage(err)).toBe(true);
  });

  it('expands 3 x 2 axes into 6 combinations, the first axis varying slowest', () => {
    const c = expandGrid([parseGridAxis('strategies.0.params.halfSpreadTicks=0.5,1,2'), parseGridAxis('seed=1,2')]);
    expect(c.map((x) => x.key)).toEqual([
      'strategies.0.params.halfSpreadTicks=0.5&seed=1', 'strategies.0.params.halfSpreadTicks=0.5&seed=2',
      'strategies.0.params.halfSpreadTicks=1&seed=1', 'strategies.0.params.halfSpreadTicks=1&seed=2',
      'strategies.0.params.halfSpreadTicks=2&seed=1', 'strategies.0.params.halfSpreadTicks=2&seed=2',
    ]);
    expect(c.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(c[3]!.values).toEqual({ 'strategies.0.params.halfSpreadTicks': '1', seed: '2' });
  });

  it('refuses no axes, a key given twice and overlapping keys', () => {
    expect(() => expandGrid([])).toThrow(/at least one --grid/);
    expect(() => expandGrid([parseGridAxis('seed=1'), parseGridAxis('seed=2')])).toThrow(/'seed' is given twice/);
    expect(() => expandGrid([parseGridAxis('strategies.0.params=1'), parseGridAxis('strategies.0.params.levels=2')])).toThrow(/overlap/);
  });
});

describe('patching the demo scenario', () => {
  it('types each value like the one it replaces and validates as a scenario', () => {
    const [c] = expandGrid([parseGridAxis('strategies.0.params.halfSpreadTicks=2'), parseGridAxis('strategies.0.params.orderSize=0.002'), parseGridAxis('seed=7'), parseGridAxis('data.to=2024-08-09T00:00:00Z')]);
    const p = patchScenario(demo, c!) as typeof demo & { strategies: { params: Record<string, unknown> }[]; data: Record<string, unknown> };
    expect(p.strategies[0]!.params.halfSpreadTicks).toBe(2);
    expect(p.strategies[0]!.params.orderSize).toBe('0.002');
    expect(p.seed).toBe(7);
    expect(p.data.to).toBe('2024-08-09T00:00:00Z');
    // The original is untouched.
    expect((demo.strategies as { params: Record<string, unknown> }[])[0]!.params.halfSpreadTicks).toBe(0.5);
    const s = parseScenario(p, 'patched');
    expect(s.seed).toBe(7);
    expect(s.data.to).toBe('2024-08-09T00:00:00Z');
  });

  it('names the grid key when a value does not fit or the path is not in the scenario', () => {
    const one = (arg: string) => expandGrid([parseGridAxis(arg)])[0]!;
    expect(() => patchScenario(demo, one('seed=abc'), 'demo.json')).toThrow(/demo.json: --grid seed: 'abc' is not a number/);
    expect(() => patchScenario(demo, one('strategies.3.params.levels=1'), 'demo.json')).toThrow(/'strategies.3' is not an object/);
    expect(() => patchScenario(demo, one('venue.latency=1'), 'demo.json')).toThrow(/replaces a whole object/);
    expect(() => patchScenario(demo, one('strategies.0.params.model.x=1'), 'demo.json')).toThrow(/'strategies.0.params.model' is not an object/);
  });
});

describe('metrics and ranking', () => {
  // The demo's summary as `hft backtest scenarios/demo-mm-btcusdt.json --json` prints it (abridged).
  const summary = {
    marketRows: 393172, fills: 680, fillRatio: 0.188209, maxDrawdown: '6.324330199999167', reportingCurrency: 'USDT', equity: '9993.7019815',
    positionsLots: { 'mm|binance-spot:BTCUSDT': 117000 },
    equityByCurrency: [{ currency: 'USDT', netPnl: '-6.298018500000000000000000000000000000027', equity: '9993.7019815' }],
  };

  it('flattens numbers and decimal strings and adds netPnl in the reporting currency', () => {
    expect(sweepMetrics(summary)).toEqual({
      marketRows: '393172', fills: '680', fillRatio: '0.188209', maxDrawdown: '6.324330199999167', equity: '9993.7019815',
      netPnl: '-6.298018500000000000000000000000000000027',
    });
  });

  it('ranks exactly on decimals (beyond double precision), ties by combination index, either direction', () => {
    const rows = [
      { combinationIndex: 0, combination: 'a', runId: 'r0', metrics: { netPnl: '0.10000000000000000001' } },
      { combinationIndex: 1, combination: 'b', runId: 'r1', metrics: { netPnl: '0.1' } },
      { combinationIndex: 2, combination: 'c', runId: 'r2', metrics: { netPnl: '-3' } },
      { combinationIndex: 3, combination: 'd', runId: 'r3', metrics: { netPnl: '0.1' } },
    ];
    expect(rankSweepResults(rows, 'netPnl').map((r) => `${r.rank}:${r.runId}`)).toEqual(['1:r0', '2:r1', '3:r3', '4:r2']);
    expect(rankSweepResults(rows, 'netPnl', 'asc').map((r) => r.runId)).toEqual(['r2', 'r1', 'r3', 'r0']);
    expect(() => rankSweepResults(rows, 'sharpe')).toThrow(/--by sharpe: 4 of 4 results have no such metric \(valid: netPnl\)/);
  });
});
