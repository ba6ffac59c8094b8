/** Builds a run report (or a comparison) from the store and writes it as one HTML file. */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HftError } from '../../core/errors.ts';
import type { RunReport } from '../../projections/report/RunReport.ts';
import type { CliIO } from '../command.ts';
import { openStore } from '../store.ts';
import { loadRunReport } from './loadRunReport.ts';
import { renderCompareHtml } from './renderCompareHtml.ts';
import { renderReportHtml } from './renderReportHtml.ts';

export interface WriteReportOptions {
  readonly runIds: readonly string[];
  readonly storeUri: string;
  readonly ticksDir: string;
  readonly out?: string;
  readonly compare?: boolean;
}

export interface WrittenReport { readonly path: string; readonly bytes: number; readonly wallMs: number; readonly reports: readonly RunReport[] }

/** Builds and writes the report file; used by `hft report`, `hft backtest --report`, tests and the benchmark. */
export async function writeReport(opts: WriteReportOptions, io: CliIO): Promise<WrittenReport> {
  const t0 = performance.now();
  if (opts.runIds.length === 0) throw new HftError('HFT_ERR_USAGE', 'expected a run id (hft report <runId>)');
  if (!opts.compare && opts.runIds.length > 1) throw new HftError('HFT_ERR_USAGE', `one run id per report, got ${opts.runIds.join(' ')} (use --compare for several)`);
  if (opts.compare && opts.runIds.length < 2) throw new HftError('HFT_ERR_USAGE', '--compare needs at least two run ids');
  const store = await openStore(opts.storeUri, { cwd: io.cwd, readOnly: true });
  const reports: RunReport[] = [];
  try {
    for (const runId of opts.runIds) reports.push(await loadRunReport(store, runId, { cwd: io.cwd, ticksDir: opts.ticksDir, log: io.err }));
  } finally {
    await store.close();
  }
  const html = opts.compare ? renderCompareHtml(reports) : renderReportHtml(reports[0]!);
  const path = resolve(io.cwd, opts.out ?? (opts.compare ? `compare-${opts.runIds.join('-')}.html` : `run-${opts.runIds[0]}.html`));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
  return { path, bytes: Buffer.byteLength(html), wallMs: performance.now() - t0, reports };
}

