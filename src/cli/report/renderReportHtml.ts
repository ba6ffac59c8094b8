/** The run report as one self-contained HTML file (uPlot, script and data inlined). */
import type { RunReport } from '../../projections/report/RunReport.ts';
import { htmlPage, micro, packDeltas, pageAsset } from './htmlPage.ts';

const BODY = `
<h1 id="title"></h1>
<div class="cards" id="cards"></div>
<h2>Equity and drawdown</h2>
<div id="equity" class="chart"></div>
<div id="drawdown" class="chart"></div>
<h2>Price, our quotes and fills</h2>
<div id="prices"></div>
<h2>Inventory</h2>
<div id="inventory" class="chart"></div>
<h2>P&amp;L breakdown</h2>
<table id="pnl-table"></table>
<p class="note" id="pnl-note"></p>
<div id="pnl-currencies"></div>
<h2>Order outcomes</h2>
<table id="outcomes-table"></table>
<h2>Latency</h2>
<div class="row3"><div id="lat-ack"></div><div id="lat-fill"></div><div id="lat-queue"></div></div>
<h2>Risk timeline</h2>
<div id="risk"></div>
<h2>Provenance</h2>
<table id="provenance"></table>
<h3>Datasets</h3>
<table id="datasets"><tr><th>file</th><th>sha256</th><th>rows</th></tr></table>
<h3>Configuration</h3>
<pre id="config"></pre>
`;

/** Drawing form of a report: series delta-packed; every figure as computed. */
export function packReport(r: RunReport): unknown {
  return {
    ...r,
    equity: { t: packDeltas(r.equity.t, 'equity.t'), v: packDeltas(micro(r.equity.v), 'equity.v'), total: r.equity.total },
    drawdown: { t: packDeltas(r.drawdown.t, 'drawdown.t'), v: packDeltas(micro(r.drawdown.v), 'drawdown.v'), total: r.drawdown.total },
    prices: r.prices.map((p) => ({
      instrument: p.instrument, total: p.total,
      t: packDeltas(p.t, 'price.t'), bid: packDeltas(p.bid, 'price.bid'), ask: packDeltas(p.ask, 'price.ask'),
      quotes: { t: packDeltas(p.quotes.t, 'quotes.t'), bid: packDeltas(p.quotes.bid, 'quotes.bid'), ask: packDeltas(p.quotes.ask, 'quotes.ask'), total: p.quotes.total },
      fills: { t: packDeltas(p.fills.t, 'fills.t'), priceTicks: packDeltas(p.fills.priceTicks, 'fills.price'), sizeLots: p.fills.sizeLots, side: p.fills.side, total: p.fills.total },
    })),
    inventory: r.inventory.map((x) => ({ ...x, t: packDeltas(x.t, 'inventory.t'), lots: packDeltas(x.lots, 'inventory.lots') })),
  };
}

export function renderReportHtml(r: RunReport): string {
  return htmlPage(`hft run ${r.runId} · ${r.scenario}`, BODY, packReport(r), pageAsset('report.js'));
}
