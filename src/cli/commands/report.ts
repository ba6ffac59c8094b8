/** `hft report <runId>` / `hft report --compare <runA> <runB> ...`: a run (or runs) as one offline HTML file. */
import { parseFlags, type Command } from '../command.ts';
import { writeReport } from '../report/writeReport.ts';
import { DEFAULT_STORE_URI } from '../store.ts';
import { DEFAULT_TICKS_DIR } from './backtest.ts';

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
