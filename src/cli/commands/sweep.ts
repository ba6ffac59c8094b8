/**
 * `hft sweep <scenario> --grid key=v1,v2,… --pg <url> | --local N`: one backtest per combination of
 * the grid, run by workers; `hft sweep report <sweepId> --by <metric>` ranks the results.
 */
import { HftError } from '../../core/errors.ts';
import { rankSweepResults } from '../../engine/sweep/rankSweepResults.ts';
import { intFlag, parseFlags, type CliIO, type Command } from '../command.ts';
import { localResultsPath, readLocalResults } from '../sweep/localResults.ts';
import { planSweep } from '../sweep/planSweep.ts';
import type { SweepQueue } from '../sweep/SweepQueue.ts';
import { SWEEP_DEFAULT_TICKS_DIR as DEFAULT_TICKS_DIR, SWEEP_DIR } from '../sweep/sweepPaths.ts';

export const DEFAULT_SWEEP_STORE = `file:${SWEEP_DIR}`;

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'enqueue one backtest per combination of a parameter grid (pg-boss), or run it locally',
  help: [
    'usage: hft sweep <scenario.json> --grid key=v1,v2,… [--grid …] (--pg <url> | --local N) [options]',
    '',
    'Expands the grid (first --grid varies slowest), validates every patched scenario, and either',
    'enqueues one job per combination on the pg-boss queue in PostgreSQL (run them with `hft worker`',
    'on any number of machines) or, with --local N, runs them now in N worker processes, no server.',
    'A key is a dotted path into the scenario JSON; a value takes the type of the one it replaces:',
    '  --grid strategies.0.params.halfSpreadTicks=0.5,1,2 --grid seed=1,2,3 --grid data.to=2024-08-09T00:00:00Z',
    'The sweep id derives from scenario, grid and store: enqueueing the same sweep again only adds the',
    'combinations that have neither a result nor an unfinished job.',
    '',
    'options:',
    '  --pg <url>          PostgreSQL for the queue and the sweep_results table (?schema=, default hft)',
    '  --local N           run with N local worker processes instead (results in .hft/sweeps/<id>/results.jsonl)',
    `  --store <uri>       where runs are logged (default ${DEFAULT_SWEEP_STORE}: a fresh file store per job`,
    '                      attempt under that directory); postgres://… or esdb://… log every run in one store',
    `  --ticks <dir>       tick store cache (default ${DEFAULT_TICKS_DIR})`,
    '  --job-timeout S     seconds after which an active job is taken back and retried (default 1800)',
    '  --retries N         retries of a job whose worker died or failed (default 3)',
    '  --fsync             fsync each append of the run logs (default off: the result row is the commit point)',
    '  --json              print the plan (and, with --local, the results) as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      grid: { type: 'string', multiple: true }, pg: { type: 'string' }, local: { type: 'string' }, store: { type: 'string' },
      ticks: { type: 'string' }, 'job-timeout': { type: 'string' }, retries: { type: 'string' }, fsync: { type: 'boolean' }, json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', `expected one scenario file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    if ((values.pg === undefined) === (values.local === undefined)) throw new HftError('HFT_ERR_USAGE', 'give exactly one of --pg <url> (queue for `hft worker`) or --local N (run here)');
    const retries = intFlag('retries', values.retries, 3);
    const jobTimeoutS = intFlag('job-timeout', values['job-timeout'], 1800);
    if (jobTimeoutS < 1) throw new HftError('HFT_ERR_USAGE', '--job-timeout must be at least 1 second');
    const plan = planSweep({
      scenarioPath: positionals[0]!, grid: values.grid ?? [], storeUri: values.store ?? DEFAULT_SWEEP_STORE,
      ticksDir: values.ticks ?? DEFAULT_TICKS_DIR, fsync: values.fsync ? 'always' : 'never', cwd: io.cwd,
    });

    if (values.local !== undefined) {
      const n = intFlag('local', values.local, 1);
      if (n < 1) throw new HftError('HFT_ERR_USAGE', '--local needs at least 1 worker');
      io.err(`sweep ${plan.sweepId}: ${plan.jobs.length} combinations, ${n} local worker(s)`);
      const { runLocalSweep } = await import('../sweep/runLocalSweep.ts');
      const r = await runLocalSweep(plan, n, retries, io);
      if (values.json) io.out(JSON.stringify({ sweepId: plan.sweepId, combinations: plan.jobs.length, results: r.results, failed: r.failed }, null, 2));
      else {
        io.out(`sweep ${plan.sweepId}: ${r.results.length} of ${plan.jobs.length} done, ${r.failed.length} failed; results in ${r.resultsPath}`);
        for (const f of r.failed) io.out(`  failed #${f.index}: ${f.message}`);
        io.out(`rank them: hft sweep report ${plan.sweepId} --by netPnl`);
      }
      return r.failed.length === 0 ? 0 : 1;
    }

    // PostgreSQL and pg-boss only when this sweep is queued (a --local parent never loads them).
    const [{ SweepDb }, { SweepQueue: Queue }] = await Promise.all([import('../sweep/SweepDb.ts'), import('../sweep/SweepQueue.ts')]);
    const db = await SweepDb.open(values.pg!);
    let queue: SweepQueue | undefined;
    try {
      queue = await Queue.open(values.pg!, { supervise: false });
      const isNew = await db.createSweep({ sweepId: plan.sweepId, scenarioPath: plan.scenarioPath, grid: plan.axes.map((a) => ({ key: a.key, values: a.values })), combinations: plan.jobs.length, storeUri: plan.jobs[0]?.storeUri ?? '' });
      let jobs = plan.jobs;
      if (!isNew) {
        const done = new Set((await db.results(plan.sweepId)).map((r) => r.combination));
        const inFlight = await queue.pendingCombinations(plan.sweepId);
        jobs = jobs.filter((j) => !done.has(j.combination) && !inFlight.has(j.combination));
      }
      await queue.enqueue(jobs, { expireInSeconds: jobTimeoutS, retryLimit: retries });
      if (values.json) io.out(JSON.stringify({ sweepId: plan.sweepId, combinations: plan.jobs.length, enqueued: jobs.length }, null, 2));
      else {
        io.out(`sweep ${plan.sweepId}: ${plan.jobs.length} combinations, ${jobs.length} enqueued${isNew ? '' : ' (the rest are done or in flight)'}`);
        io.out(`run workers:  hft worker --pg <url> [--concurrency N]`);
        io.out(`rank results: hft sweep report ${plan.sweepId} --by netPnl --pg <url>`);
      }
      return 0;
    } finally {
      await queue?.close().catch(() => {});
      await db.close();
    }
  },
};

export const sweepReportCommand: Command = {
  name: 'sweep report',
  summary: 'rank the results of a sweep by one summary metric',
  help: [
    'usage: hft sweep report <sweepId> --by <metric> [--pg <url>] [--asc] [--top N] [--json]',
    '',
    'Metrics are the numbers of each run\'s summary (equity, maxDrawdown, fills, fillRatio, …) and',
    'netPnl in the reporting currency; ranked exactly (decimals), best first (--asc: lowest first).',
    'Without --pg, reads the results of a --local sweep from .hft/sweeps/<id>/results.jsonl.',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      by: { type: 'string' }, pg: { type: 'string' }, asc: { type: 'boolean' }, top: { type: 'string' }, json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one sweep id');
    if (!values.by) throw new HftError('HFT_ERR_USAGE', '--by <metric> is required (e.g. --by netPnl)');
    const sweepId = positionals[0]!;
    let total: number | undefined;
    let rows;
    if (values.pg) {
      const { SweepDb } = await import('../sweep/SweepDb.ts');
      const db = await SweepDb.open(values.pg);
      try {
        const s = await db.getSweep(sweepId);
        if (!s) throw new HftError('HFT_ERR_NOT_FOUND', `sweep '${sweepId}' not found in ${db.schema}.sweeps`);
        total = s.combinations;
        rows = await db.results(sweepId);
      } finally { await db.close(); }
    } else rows = readLocalResults(localResultsPath(io.cwd, sweepId));
    const ranked = rankSweepResults(rows, values.by, values.asc ? 'asc' : 'desc');
    const top = values.top === undefined ? ranked : ranked.slice(0, intFlag('top', values.top, ranked.length));
    if (values.json) {
      io.out(JSON.stringify({ sweepId, by: values.by, done: rows.length, total: total ?? null, ranked: top.map((r) => ({ rank: r.rank, value: r.value, combination: r.combination, runId: r.runId, storeUri: r.storeUri, metrics: r.metrics })) }, null, 2));
      return 0;
    }
    printRanking(io, sweepId, values.by, top, rows.length, total);
    return 0;
  },
};

function printRanking(io: CliIO, sweepId: string, by: string, rows: ReturnType<typeof rankSweepResults>, done: number, total: number | undefined): void {
  io.out(`sweep ${sweepId}: ${done}${total === undefined ? '' : ` of ${total}`} done, ranked by ${by}`);
  const w = Math.max(...rows.map((r) => r.value.length), by.length);
  io.out(`  ${'rank'.padStart(4)}  ${by.padStart(w)}  ${'run'.padEnd(14)}  combination`);
  for (const r of rows) io.out(`  ${String(r.rank).padStart(4)}  ${r.value.padStart(w)}  ${r.runId.padEnd(14)}  ${r.combination}`);
}
