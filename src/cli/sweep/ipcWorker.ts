/**
 * The child side of a `--local` sweep (`hft worker --ipc`, forked by runLocalSweep): asks the parent
 * for a job, runs it, sends the result back. No server: the parent process is the queue.
 */
import type { CliIO } from '../command.ts';
import type { SweepResultRecord } from './SweepDb.ts';
import type { SweepJob } from './planSweep.ts';
import { runSweepJob } from './runSweepJob.ts';
import { jobCost, workerName } from './runWorker.ts';

export type ToChild = { readonly type: 'job'; readonly job: SweepJob; readonly attempt: number } | { readonly type: 'stop' };
export type ToParent =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly index: number; readonly attempt: number }
  | { readonly type: 'result'; readonly result: SweepResultRecord }
  | { readonly type: 'error'; readonly index: number; readonly message: string };

export async function ipcWorker(io: CliIO): Promise<number> {
  const send = process.send?.bind(process);
  if (!send) { io.err('hft worker --ipc is started by `hft sweep --local N`, not by hand'); return 2; }
  const name = workerName();
  const post = (m: ToParent): Promise<void> => new Promise((resolve) => { send(m, undefined, {}, () => resolve()); });
  return new Promise<number>((resolve) => {
    process.on('message', (m: ToChild) => {
      if (m.type === 'stop') { process.disconnect(); resolve(0); return; }
      void (async () => {
        await post({ type: 'started', index: m.job.index, attempt: m.attempt });
        try {
          const cost = jobCost();
          const result = await runSweepJob(m.job, m.attempt, name, io);
          io.err(`local worker ${process.pid}: job ${m.job.sweepId}#${m.job.index} done: run ${result.runId} (${cost()})`);
          await post({ type: 'result', result });
        } catch (e) {
          await post({ type: 'error', index: m.job.index, message: (e as Error).message });
        }
        await post({ type: 'ready' });
      })();
    });
    process.on('disconnect', () => resolve(0));
    void post({ type: 'ready' });
  });
}
