/**
 * The sweep job queue on pg-boss (PostgreSQL): one queue, one job per combination. A worker that dies
 * mid-job (SIGKILL, machine lost) leaves its job `active`; pg-boss expires it after `expireInSeconds`
 * and hands it to another worker as a retry. Whether the result counts is decided by the insert into
 * sweep_results, not by the queue, so a job that runs twice still counts once.
 */
import PgBoss from 'pg-boss';
import { HftError } from '../../core/errors.ts';
import { redactUri } from '../../eventstore/postgres/PostgresEventStore.ts';
import { splitSchema } from './SweepDb.ts';
import type { SweepJob } from './planSweep.ts';

export const SWEEP_QUEUE = 'hft-sweep';

export interface QueueTiming {
  /** A job still active after this long is taken back and retried (a killed worker's job). */
  readonly expireInSeconds: number;
  readonly retryLimit: number;
}

export interface FetchedJob { readonly id: string; readonly data: SweepJob; readonly retryCount: number }

export class SweepQueue {
  private constructor(private readonly boss: PgBoss, readonly bossSchema: string) {}

  /** pg-boss keeps its tables in `<schema>_boss` beside the sweep tables of `?schema=`. */
  static async open(url: string, opts: { maintenanceIntervalSeconds?: number; supervise?: boolean } = {}): Promise<SweepQueue> {
    const { url: conn, schema } = splitSchema(url);
    const bossSchema = `${schema}_boss`;
    const boss = new PgBoss({
      connectionString: conn, schema: bossSchema, max: 2, application_name: 'hft-sweep',
      supervise: opts.supervise ?? true, schedule: false,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 10,
    });
    // pg-boss reports background failures as events; an unhandled 'error' event would kill the worker.
    boss.on('error', (e: Error) => { process.stderr.write(`pg-boss: ${e.message}\n`); });
    try {
      await boss.start();
      if (!(await boss.getQueue(SWEEP_QUEUE))) {
        // Two processes may create it at once: the loser's error is fine if the queue exists after.
        await boss.createQueue(SWEEP_QUEUE, { name: SWEEP_QUEUE, policy: 'standard' }).catch(async (e: unknown) => {
          if (!(await boss.getQueue(SWEEP_QUEUE))) throw e;
        });
      }
    } catch (e) {
      await boss.stop({ graceful: false }).catch(() => {});
      throw new HftError('HFT_ERR_STORE_UNREACHABLE', `job queue ${redactUri(url)}: ${(e as Error).message}`, {}, { cause: e });
    }
    return new SweepQueue(boss, bossSchema);
  }

  async enqueue(jobs: readonly SweepJob[], timing: QueueTiming): Promise<number> {
    await this.boss.insert(jobs.map((data) => ({
      name: SWEEP_QUEUE, data: data as unknown as object, retryLimit: timing.retryLimit, retryDelay: 0,
      expireInSeconds: timing.expireInSeconds, singletonKey: `${data.sweepId}/${data.combination}`,
    })));
    return jobs.length;
  }

  async fetch(): Promise<FetchedJob | undefined> {
    const [job] = await this.boss.fetch<SweepJob>(SWEEP_QUEUE, { includeMetadata: true, batchSize: 1 });
    return job && { id: job.id, data: job.data, retryCount: job.retryCount };
  }

  async complete(id: string): Promise<void> { await this.boss.complete(SWEEP_QUEUE, id); }
  async fail(id: string, message: string): Promise<void> { await this.boss.fail(SWEEP_QUEUE, id, { message }); }

  /** Jobs not finished yet (created, waiting for a retry, or active), of one sweep or of all. */
  async pending(sweepId?: string): Promise<number> {
    const sql = `SELECT count(*)::int AS n FROM "${this.bossSchema}".job WHERE name = $1 AND state < 'completed'${sweepId ? ` AND data->>'sweepId' = $2` : ''}`;
    const { rows } = await this.boss.getDb().executeSql(sql, sweepId ? [SWEEP_QUEUE, sweepId] : [SWEEP_QUEUE]);
    return (rows[0] as { n: number }).n;
  }

  /** Combinations of a sweep with an unfinished job: enqueueing a sweep again skips them. */
  async pendingCombinations(sweepId: string): Promise<Set<string>> {
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT data->>'combination' AS c FROM "${this.bossSchema}".job WHERE name = $1 AND state < 'completed' AND data->>'sweepId' = $2`, [SWEEP_QUEUE, sweepId]);
    return new Set(rows.map((r: { c: string }) => r.c));
  }

  async close(): Promise<void> { await this.boss.stop({ graceful: false, wait: true }); }
}
