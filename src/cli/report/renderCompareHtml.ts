/** Several runs side by side: equity curves overlaid and one metrics row per run (sweeps, parity checks). */
import { HftError } from '../../core/errors.ts';
import { COMPARE_COLUMNS, compareMetrics } from '../../projections/report/compareMetrics.ts';
import type { RunReport } from '../../projections/report/RunReport.ts';
import { htmlPage, micro, packDeltas, pageAsset } from './htmlPage.ts';

const BODY = `
<h1 id="title">Run comparison</h1>
<div id="equity" class="chart"></div>
<h2>Metrics</h2>
<table id="metrics"></table>
<p class="note">Every figure is computed from all events of each run; the curves are drawn from downsampled points.</p>
`;

export function renderCompareHtml(reports: readonly RunReport[]): string {
  if (reports.length < 2) throw new HftError('HFT_ERR_USAGE', `a comparison needs at least two runs, got ${reports.length}`);
  const data = {
    runs: reports.map((r) => ({ runId: r.runId, seed: r.seed, currency: r.currency, startUs: r.startUs, equity: { t: packDeltas(r.equity.t, 'equity.t'), v: packDeltas(micro(r.equity.v), 'equity.v') } })),
    columns: COMPARE_COLUMNS,
    rows: reports.map(compareMetrics),
  };
  return htmlPage(`hft compare ${reports.map((r) => r.runId).join(' ')}`, BODY, data, pageAsset('compare.js'));
}
