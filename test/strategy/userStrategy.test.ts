/** `hft backtest --strategy <module>`: a user module's StrategyFactory runs beside the shipped ones. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtestCommand, backtestFromFile } from '../../src/cli/commands/backtest.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'hft-user-strategy-'));
const ticksDir = join(work, 'ticks');
const scenarioPath = 'test/strategy/fixtures/user-strategy.json';
const io = (out: string[] = []): CliIO => ({ out: (l) => out.push(l), err: () => {}, env: {}, cwd: ROOT, isTTY: false });

describe('user strategy modules', () => {
  it('runs the example module\'s strategy: its decisions and orders are in the log under its id, and the summary attributes its P&L', async () => {
    const dir = join(work, 'a');
    const run = await backtestFromFile({ scenarioPath, storeUri: `file:${dir}`, ticksDir, strategyModules: ['test/strategy/fixtures/my-strategy.ts'] }, io());
    const store = await FileEventStore.open(dir, { readOnly: true });
    const events = await collect(store.readStream(`run-${run.runId}`));
    await store.close();
    const decisions = events.filter((e) => e.type === 'decision');
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) expect((d.data as { strategyId: string }).strategyId).toBe('mine');
    // every decision leans against a mid move of at least 200 ticks (2 USDT), as the module says
    for (const d of decisions) expect(Math.abs((d.data as unknown as { inputs: { moveTicks: number } }).inputs.moveTicks)).toBeGreaterThanOrEqual(200);
    expect(run.counters.ordersRequested).toBe(decisions.length);
    expect(Object.keys((run.summary as { byStrategy: Record<string, unknown> }).byStrategy)).toEqual(['mine']);
  }, 60_000);

  it('is reachable from the command line as --strategy', async () => {
    const out: string[] = [];
    const code = await backtestCommand.run([scenarioPath, '--strategy', 'test/strategy/fixtures/my-strategy.ts', '--store', 'memory:', '--ticks', ticksDir], io(out));
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/P&L mine/);
  }, 60_000);

  it('refuses a module without a StrategyFactory, naming the file and its exports', async () => {
    await expect(backtestFromFile({ scenarioPath, storeUri: 'memory:', ticksDir, strategyModules: ['test/strategy/fixtures/not-a-strategy.ts'] }, io()))
      .rejects.toThrow(/not-a-strategy\.ts: exports no StrategyFactory .*exports: answer/);
  });

  it('refuses a module path that does not exist', async () => {
    await expect(backtestFromFile({ scenarioPath, storeUri: 'memory:', ticksDir, strategyModules: ['nope/missing.ts'] }, io())).rejects.toThrow(/--strategy .*nope\/missing\.ts: cannot load the module/);
  });

  it('without the module, names the unknown type and the valid ones', async () => {
    await expect(backtestFromFile({ scenarioPath, storeUri: 'memory:', ticksDir }, io())).rejects.toThrow(/unknown strategy 'example-mean-reversion' \(valid: market-maker, cross-market-arb/);
  });
});
