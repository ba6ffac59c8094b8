/**
 * Where sweeps keep their files, and the defaults `hft sweep` shows, in a module of its own: `hft sweep`
 * (the enqueueing or --local parent) must not load the backtest engine only to name a directory.
 */
import { join } from 'node:path';

export const SWEEP_DIR = '.hft/sweeps';

/** The tick store cache `hft backtest` uses by default (DEFAULT_TICKS_DIR in commands/backtest.ts; test/sweep/workerStartup.test.ts keeps them equal). */
export const SWEEP_DEFAULT_TICKS_DIR = '.hft/ticks';

/** Where a job's patched scenario is written (relative to the working directory). */
export const sweepScenarioPath = (sweepId: string, index: number): string => join(SWEEP_DIR, sweepId, `scenario-${index}.json`);
