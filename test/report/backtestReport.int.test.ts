/** `hft backtest --report`: the run's report lands beside the run, in the working directory. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestCommand } from '../../src/cli/commands/backtest.ts';
import { ROOT } from './demoRun.ts';

describe('hft backtest --report', () => {
  it('writes run-<runId>.html for the run it just recorded', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hft-btreport-'));
    const out: string[] = [], err: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd, isTTY: false };
    const code = await backtestCommand.run([join(ROOT, 'scenarios/demo-mm-btcusdt.json'), '--store', `file:${join(cwd, 'store')}`, '--ticks', join(cwd, 'ticks'), '--no-fsync', '--json', '--report'], io);
    expect(code).toBe(0);
    const runId = (JSON.parse(out.join('\n')) as { runId: string }).runId;
    const file = join(cwd, `run-${runId}.html`);
    expect(existsSync(file)).toBe(true);
    expect(err.join('\n')).toContain(file);
    expect(readFileSync(file, 'utf8')).toContain(`"runId":"${runId}"`);
  }, 180_000);

  it('refuses --report with a memory: store, whose run is gone once the command ends', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hft-btreport-'));
    const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false };
    await expect(backtestCommand.run([join(ROOT, 'scenarios/demo-mm-btcusdt.json'), '--store', 'memory:', '--ticks', join(cwd, 'ticks'), '--report'], io))
      .rejects.toThrow(/--report needs a persistent store/);
  }, 180_000);
});
