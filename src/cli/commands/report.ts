/** `hft report <runId>` / `hft report --compare <runA> <runB> ...`: a run (or runs) as one offline HTML file. */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HftError } from '../../core/errors.ts';
import type { RunReport } from '../../projections/report/RunReport.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { loadRunReport } from '../report/loadRunReport.ts';
import { renderCompareHtml } from '../report/renderCompareHtml.ts';
import { renderReportHtml } from '../report/renderReportHtml.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { DEFAULT_TICKS_DIR } from './backtest.ts';

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

export const reportCommand: Command = {
  name: 'report',
  summary: 'write a run report (equity, drawdown, fills on the price, P&L breakdown, latency) as one offline HTML file',
  help: [
    'usage: hft report <runId> [--store <uri>] [--out run.html] [--ticks <dir>]',
    '       hft report --compare <runA> <runB> [...] [--store <uri>] [--out compare.html]',
    '',
    'One self-contained HTML file (uPlot, data and script inlined; opens without network): equity and',
    'drawdown; mid, best bid/ask, our quotes and fills on the price (drag or wheel to zoom, to the ms);',
    'inventory; P&L as spread capture / fees / funding / mark-to-market; order outcomes; latency and',
    'queue-wait histograms; risk timeline; config, dataset hashes, seed, code version. The market rows',
    'are re-read from the tick store and checked against the dataset hashes the run recorded.',
    'Long runs are downsampled for drawing only: every figure is computed from all events.',
    '',
    'options:',
    `  --store <uri>   event store (default ${DEFAULT_STORE_URI})`,
    '  --out <file>    output file (default run-<runId>.html or compare-<ids>.html)',
    `  --ticks <dir>   tick store cache of imported captures (default ${DEFAULT_TICKS_DIR})`,
    '  --compare       overlay the equity of several runs and tabulate their metrics',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, out: { type: 'string' }, ticks: { type: 'string' }, compare: { type: 'boolean' } });
    const r = await writeReport({
      runIds: positionals, storeUri: values.store ?? DEFAULT_STORE_URI, ticksDir: values.ticks ?? DEFAULT_TICKS_DIR,
      ...(values.out !== undefined ? { out: values.out } : {}), compare: values.compare ?? false,
    }, io);
    io.out(`wrote ${r.path} (${(r.bytes / 1e6).toFixed(2)} MB, ${r.reports.map((x) => `${x.runId}: ${x.events.toLocaleString('en-US')} events`).join(', ')}, ${(r.wallMs / 1000).toFixed(2)} s)`);
    return 0;
  },
};
