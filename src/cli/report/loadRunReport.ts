/**
 * Reads a run's events from the store and the market rows it traded on from the tick store, and folds
 * both into a RunReport. The market stream is rebuilt from the scenario recorded in run.started and
 * checked against the dataset hashes recorded there: a report never draws prices from other data.
 */
import { dirname, resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { parseScenario } from '../../engine/scenario.ts';
import type { EventStore } from '../../eventstore/port.ts';
import { RunReportBuilder, type RunReportBudget, DEFAULT_REPORT_BUDGET } from '../../projections/report/RunReportBuilder.ts';
import type { RunReport } from '../../projections/report/RunReport.ts';
import { openMarketStream, prepareData } from '../prepareData.ts';

export interface LoadRunReportOptions {
  readonly cwd: string;
  /** Tick store cache of imported captures (as given to `hft backtest --ticks`). */
  readonly ticksDir: string;
  readonly log: (line: string) => void;
  readonly budget?: RunReportBudget;
}

export async function loadRunReport(store: EventStore, runId: string, opts: LoadRunReportOptions): Promise<RunReport> {
  const builder = new RunReportBuilder(opts.budget ?? DEFAULT_REPORT_BUDGET);
  const streamId = `run-${runId}`;
  let n = 0;
  for await (const batch of store.readStream(streamId)) { builder.addEvents(batch); n += batch.length; }
  if (n === 0) throw new HftError('HFT_ERR_NOT_FOUND', `run '${runId}': stream ${streamId} has no events in this store`, { runId });
  const { scenario: recorded, scenarioPath } = builder.scenario;
  if (recorded === undefined) throw new HftError('HFT_ERR_BAD_INPUT', `run '${runId}': run.started has no config.scenario to rebuild the market stream from`, { runId });
  const label = scenarioPath ?? `run ${runId}`;
  const scenario = parseScenario(recorded, label);
  const scenarioDir = dirname(resolve(opts.cwd, scenarioPath ?? '.'));
  const data = await prepareData(scenario, scenarioDir, opts.cwd, opts.ticksDir, opts.log);
  const stream = openMarketStream(scenario, data);
  for (const ref of builder.datasets) {
    const f = stream.files.find((x) => x.path === ref.path);
    if (!f) throw new HftError('HFT_ERR_NOT_FOUND', `run '${runId}': dataset ${ref.path} (sha256 ${ref.sha256}) is not in the tick store ${data.store.root}`, { runId, path: ref.path });
    if (f.sha256 !== ref.sha256) throw new HftError('HFT_ERR_CONFIG', `run '${runId}': dataset ${ref.path} in ${data.store.root} has sha256 ${f.sha256}, the run consumed ${ref.sha256}`, { runId, path: ref.path });
  }
  const ids = stream.instruments.map((i) => i.id);
  for await (const batch of stream) builder.addMarket(batch, ids);
  return builder.finish();
}
