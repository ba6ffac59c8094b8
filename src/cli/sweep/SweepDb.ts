/**
 * The sweep read model in PostgreSQL: `sweeps` (one row per enqueued sweep) and `sweep_results` (one
 * row per finished combination). The primary key (sweep_id, combination) is what makes a job count
 * once: a retried or duplicated job's insert does nothing and says so.
 */
import pg from 'pg';
import { HftError } from '../../core/errors.ts';
import type { SweepResultRow } from '../../engine/sweep/rankSweepResults.ts';
import { redactUri } from '../../eventstore/postgres/PostgresEventStore.ts';

export interface SweepRecord {
  readonly sweepId: string;
  readonly scenarioPath: string;
  readonly grid: readonly { key: string; values: readonly string[] }[];
  readonly combinations: number;
  readonly storeUri: string;
}

export interface SweepResultRecord extends SweepResultRow {
  readonly sweepId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly storeUri: string;
  /** Hash-chain head of the job's own file store; null for shared stores. */
  readonly headHash: string | null;
  readonly summary: Readonly<Record<string, unknown>>;
  readonly worker: string;
  readonly attempt: number;
  readonly wallMs: number;
}

/** Serializes schema creation between workers starting at once (CREATE IF NOT EXISTS races on pg_type). */
const DDL_LOCK = 7_700_309;

export class SweepDb {
  private constructor(private readonly pool: pg.Pool, readonly schema: string) {}

  /** `url` is a PostgreSQL URL; `?schema=` (default hft) names the schema of the sweep tables. */
  static async open(url: string): Promise<SweepDb> {
    const { url: conn, schema } = splitSchema(url);
    const pool = new pg.Pool({ connectionString: conn, max: 2 });
    pool.on('error', () => { /* an idle client's server went away: the next query reports it */ });
    const db = new SweepDb(pool, schema);
    try { await db.migrate(); } catch (e) {
      await pool.end().catch(() => {});
      throw new HftError('HFT_ERR_STORE_UNREACHABLE', `sweep database ${redactUri(url)}: ${(e as Error).message}`, {}, { cause: e });
    }
    return db;
  }

  private async migrate(): Promise<void> {
    const s = `"${this.schema}"`;
    const c = await this.pool.connect();
    try {
      await c.query('SELECT pg_advisory_lock($1)', [DDL_LOCK]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${s}.sweeps (
        sweep_id text PRIMARY KEY, scenario_path text NOT NULL, grid jsonb NOT NULL, combinations int NOT NULL,
        store_uri text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${s}.sweep_results (
        sweep_id text NOT NULL, combination text NOT NULL, combination_index int NOT NULL, params jsonb NOT NULL,
        run_id text NOT NULL, store_uri text NOT NULL, head_hash text, summary jsonb NOT NULL, metrics jsonb NOT NULL,
        worker text NOT NULL, attempt int NOT NULL, wall_ms int NOT NULL, finished_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sweep_id, combination))`);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [DDL_LOCK]).catch(() => {});
      c.release();
    }
  }

  /** Records a sweep; false when a sweep with this id already exists (same definition). */
  async createSweep(s: SweepRecord): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO "${this.schema}".sweeps (sweep_id, scenario_path, grid, combinations, store_uri) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sweep_id) DO NOTHING`,
      [s.sweepId, s.scenarioPath, JSON.stringify(s.grid), s.combinations, s.storeUri],
    );
    return r.rowCount === 1;
  }

  async getSweep(sweepId: string): Promise<SweepRecord | undefined> {
    const r = await this.pool.query(`SELECT sweep_id, scenario_path, grid, combinations, store_uri FROM "${this.schema}".sweeps WHERE sweep_id = $1`, [sweepId]);
    const row = r.rows[0] as { sweep_id: string; scenario_path: string; grid: SweepRecord['grid']; combinations: number; store_uri: string } | undefined;
    return row && { sweepId: row.sweep_id, scenarioPath: row.scenario_path, grid: row.grid, combinations: row.combinations, storeUri: row.store_uri };
  }

  /** Inserts a result once; false when this combination already has one (a retry or a duplicate). */
  async insertResult(r: SweepResultRecord): Promise<boolean> {
    const q = await this.pool.query(
      `INSERT INTO "${this.schema}".sweep_results (sweep_id, combination, combination_index, params, run_id, store_uri, head_hash, summary, metrics, worker, attempt, wall_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (sweep_id, combination) DO NOTHING`,
      [r.sweepId, r.combination, r.combinationIndex, JSON.stringify(r.params), r.runId, r.storeUri, r.headHash, JSON.stringify(r.summary), JSON.stringify(r.metrics), r.worker, r.attempt, Math.round(r.wallMs)],
    );
    return q.rowCount === 1;
  }

  async results(sweepId: string): Promise<SweepResultRecord[]> {
    const q = await this.pool.query(`SELECT * FROM "${this.schema}".sweep_results WHERE sweep_id = $1 ORDER BY combination_index`, [sweepId]);
    return q.rows.map((row: Record<string, unknown>) => ({
      sweepId: row.sweep_id as string, combination: row.combination as string, combinationIndex: row.combination_index as number,
      params: row.params as Record<string, string>, runId: row.run_id as string, storeUri: row.store_uri as string,
      headHash: row.head_hash as string | null, summary: row.summary as Record<string, unknown>, metrics: row.metrics as Record<string, string>,
      worker: row.worker as string, attempt: row.attempt as number, wallMs: row.wall_ms as number,
    }));
  }

  async close(): Promise<void> { await this.pool.end(); }
}

/** Splits our `schema` parameter off a PostgreSQL URL (as the store URI does). */
export function splitSchema(url: string): { url: string; schema: string } {
  let u: URL;
  try { u = new URL(url); } catch { throw new HftError('HFT_ERR_USAGE', `--pg '${redactUri(url)}': not a valid URL (e.g. postgres://postgres@127.0.0.1:5432/test)`); }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new HftError('HFT_ERR_USAGE', `--pg '${redactUri(url)}': expected a postgres:// URL`);
  const schema = u.searchParams.get('schema') ?? 'hft';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new HftError('HFT_ERR_USAGE', `--pg: schema '${schema}' must match [a-z_][a-z0-9_]*`);
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}
