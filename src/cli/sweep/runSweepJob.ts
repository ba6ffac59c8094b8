/**
 * Runs one sweep job: writes the patched scenario under the sweep directory and runs it with
 * backtestFromFile, exactly as `hft backtest` would. With a `file:` store each attempt gets a fresh
 * store of its own, so a retried job's run id and hash-chain head equal a sequential run's, and a
 * killed attempt's partial log stays behind, untouched, for audit.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { sweepMetrics } from '../../engine/sweep/sweepMetrics.ts';
import type { CliIO } from '../command.ts';
import { backtestFromFile } from '../commands/backtest.ts';
import { parseStoreUri } from '../store.ts';
import type { SweepResultRecord } from './SweepDb.ts';
import type { SweepJob } from './planSweep.ts';
import { sweepScenarioPath } from './sweepPaths.ts';


export { SWEEP_DIR, sweepScenarioPath } from './sweepPaths.ts';

export async function runSweepJob(job: SweepJob, attempt: number, worker: string, io: CliIO): Promise<SweepResultRecord> {
  const scenarioPath = sweepScenarioPath(job.sweepId, job.index);
  const abs = resolve(io.cwd, scenarioPath);
  mkdirSync(resolve(abs, '..'), { recursive: true });
  // Two attempts may write at once (an expired job still running): rename makes each write whole.
  const tmp = `${abs}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(job.scenario, null, 2)}\n`);
  renameSync(tmp, abs);

  const loc = parseStoreUri(job.storeUri, io.cwd);
  let storeUri = job.storeUri;
  let storeDir: string | undefined;
  if (loc.scheme === 'file') {
    storeDir = join(loc.dir, job.sweepId, `${job.index}-a${attempt}`);
    rmSync(storeDir, { recursive: true, force: true });
    storeUri = `file:${relative(io.cwd, storeDir) || storeDir}`;
  }
  const r = await backtestFromFile({ scenarioPath, storeUri, ticksDir: job.ticksDir, fsync: job.fsync }, io);
  // The job's own store holds this run alone: its hash-chain head is the run's, as the store kept it
  // while writing (reading the fresh log back through verifyStore only re-hashed the page cache: 0.24 s
  // of a 1.6 s job).
  if (storeDir && r.headHash === undefined) throw new Error(`sweep job ${job.sweepId}#${job.index}: the file store at ${storeDir} gave no head hash`);
  const headHash = storeDir ? r.headHash! : null;
  return {
    sweepId: job.sweepId, combination: job.combination, combinationIndex: job.index, params: job.params,
    runId: r.runId, storeUri, headHash, summary: r.summary, metrics: sweepMetrics(r.summary),
    worker, attempt, wallMs: r.wallMs,
  };
}
