/** The demo scenario (real Binance BTCUSDT capture) backtested into a fresh file store, once per test file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIO } from '../../src/cli/command.ts';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };

export interface DemoRun { readonly work: string; readonly storeUri: string; readonly storeDir: string; readonly ticksDir: string; readonly runId: string; readonly summary: Record<string, unknown> }

export async function runDemo(seed?: number, existing?: { work: string; ticksDir: string }): Promise<DemoRun> {
  const work = existing?.work ?? mkdtempSync(join(tmpdir(), 'hft-report-'));
  const storeDir = join(work, 'store');
  const ticksDir = existing?.ticksDir ?? join(work, 'ticks');
  const storeUri = `file:${storeDir}`;
  const r = await backtestFromFile({ scenarioPath: 'scenarios/demo-mm-btcusdt.json', storeUri, ticksDir, fsync: 'never', ...(seed !== undefined ? { seed } : {}) }, io);
  return { work, storeUri, storeDir, ticksDir, runId: r.runId, summary: r.summary as unknown as Record<string, unknown> };
}

/** Debian's chromium, when installed (the browser tests skip loudly without it). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
