/** `hft worker --pg <url> [--concurrency N]`: runs sweep jobs from the pg-boss queue. */
import { fork, type ChildProcess } from 'node:child_process';
import { HftError } from '../../core/errors.ts';
import { intFlag, parseFlags, type CliIO, type Command } from '../command.ts';
import { jobProcessEntry } from '../sweep/jobBundle.ts';
import { describeJobProcesses, planJobProcesses } from '../sweep/jobProcesses.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run sweep jobs from the PostgreSQL queue (any number of machines)',
  help: [
    'usage: hft worker --pg <url> [--concurrency N] [--exit-when-idle] [--sweep <id>]',
    '',
    'Takes one sweep job at a time from the pg-boss queue, runs its backtest, records the result in',
    'sweep_results (once per combination) and completes the job. A worker killed mid-job loses',
    'nothing: the job expires after the sweep\'s --job-timeout and another worker retries it.',
    'A backtest is CPU-bound: --concurrency N starts N worker processes, not N promises; with N at',
    'least the number of cores each runs V8\'s garbage collector on its own thread (--single-threaded-gc),',
    'so no job\'s GC helper threads take CPU from the others (--parallel-gc keeps them). The job processes',
    'run a bundle of the job code, built once per source version (node_modules/.cache/hft-job-bundle;',
    'HFT_JOB_BUNDLE=0: the TypeScript sources through tsx, slower to start).',
    'Run it from the directory the scenario\'s data paths are relative to (as for hft backtest).',
    '',
    'options:',
    '  --pg <url>               PostgreSQL of the sweep (?schema=, default hft)',
    '  --concurrency N          worker processes (default 1)',
    '  --exit-when-idle         exit when no job is waiting, being retried or running (default: run until SIGTERM)',
    '  --sweep <id>             with --exit-when-idle: wait only for this sweep\'s jobs',
    '  --poll-ms N              queue polling interval when idle (default 500)',
    '  --maintenance-seconds N  how often expired jobs are taken back (default 10)',
    '  --parallel-gc            with --concurrency: keep V8\'s GC helper threads even when the jobs fill every core',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      pg: { type: 'string' }, concurrency: { type: 'string' }, 'exit-when-idle': { type: 'boolean' }, sweep: { type: 'string' },
      'poll-ms': { type: 'string' }, 'maintenance-seconds': { type: 'string' }, ipc: { type: 'boolean' }, 'parallel-gc': { type: 'boolean' },
    }, false);
    void positionals;
    // The job code (backtest, stores, pg-boss) is imported only by a process that runs jobs: the
    // supervisor of --concurrency N forks its job processes first thing, without it.
    if (values.ipc) return (await import('../sweep/ipcWorker.ts')).ipcWorker(io);
    if (!values.pg) throw new HftError('HFT_ERR_USAGE', '--pg <url> is required (the PostgreSQL that holds the sweep queue)');
    const n = intFlag('concurrency', values.concurrency, 1);
    if (n < 1) throw new HftError('HFT_ERR_USAGE', '--concurrency must be at least 1');
    if (n > 1) return superviseChildren(n, argv.filter((a, i) => a !== '--concurrency' && argv[i - 1] !== '--concurrency' && !a.startsWith('--concurrency=')), io, values['parallel-gc'] ?? false);
    const { runWorker } = await import('../sweep/runWorker.ts');
    const ac = new AbortController();
    const stop = (): void => { io.err('worker: stopping after the current job'); ac.abort(); };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      const s = await runWorker({
        pgUrl: values.pg, exitWhenIdle: values['exit-when-idle'] ?? false, ...(values.sweep ? { sweepId: values.sweep } : {}),
        pollMs: intFlag('poll-ms', values['poll-ms'], 500), maintenanceIntervalSeconds: Math.max(1, intFlag('maintenance-seconds', values['maintenance-seconds'], 10)),
        signal: ac.signal,
      }, io);
      io.err(`worker: ${s.jobs} job(s), ${s.counted} counted, ${s.duplicates} already counted, ${s.failed} failed`);
      return s.failed === 0 ? 0 : 1;
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
  },
};

/**
 * --concurrency N: N single-job worker processes (sized by planJobProcesses); signals are passed on,
 * the exit code is the worst.
 */
async function superviseChildren(n: number, args: readonly string[], io: CliIO, parallelGc: boolean): Promise<number> {
  const plan = planJobProcesses(n, { parallelGc });
  const entry = await jobProcessEntry(io);
  io.err(`worker: ${describeJobProcesses(plan)}`);
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) children.push(fork(entry, args, { cwd: io.cwd, stdio: 'inherit', execArgv: [...plan.execArgv] }));
  const pass = (sig: NodeJS.Signals) => (): void => { for (const c of children) c.kill(sig); };
  const onTerm = pass('SIGTERM');
  const onInt = pass('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return Promise.all(children.map((c) => new Promise<number>((resolve) => c.on('exit', (code) => resolve(code ?? 1))))).then((codes) => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    return Math.max(...codes);
  });
}
