/**
 * The little SQL surface the projection writer and the audit queries need, so one code path serves a
 * PostgreSQL server (`pg`) and the embedded PGlite.
 */
import type pg from 'pg';

export interface SqlConn {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements, no parameters (DDL files). */
  exec(sql: string): Promise<void>;
  /** Exactly one statement (extended protocol): a string holding several is refused by the server. */
  querySingle<R = Record<string, unknown>>(sql: string): Promise<R[]>;
}

export function pgConn(client: pg.Client | pg.PoolClient): SqlConn {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []) { return (await client.query(sql, params as unknown[])).rows as R[]; },
    async exec(sql: string) { await client.query(sql); },
    async querySingle<R>(sql: string) { return (await client.query({ text: sql, queryMode: 'extended' } as pg.QueryConfig)).rows as R[]; },
  };
}

/** Structural type of the PGlite methods used (the package is loaded lazily by the CLI). */
export interface PGliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<unknown>;
}

export function pgliteConn(db: PGliteLike): SqlConn {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []) { return (await db.query<R>(sql, [...params])).rows; },
    async exec(sql: string) { await db.exec(sql); },
    async querySingle<R>(sql: string) { return (await db.query<R>(sql)).rows; },
  };
}
