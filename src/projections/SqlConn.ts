/**
 * The little SQL surface the projection writer and the audit queries need, so one code path serves a
 * PostgreSQL server (`pg`) and the embedded PGlite.
 */
import pg from 'pg';

export interface SqlConn {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements, no parameters (DDL files). */
  exec(sql: string): Promise<void>;
  /** Exactly one statement (extended protocol): a string holding several is refused by the server. */
  querySingle<R = Record<string, unknown>>(sql: string): Promise<R[]>;
  /**
   * `COPY … FROM STDIN` with `data` in COPY text format, when the connection supports it (a server
   * through `pg`; PGlite does not offer it here). Resolves once the server has stored every row.
   */
  copyFrom?(sql: string, data: string): Promise<void>;
}

/**
 * COPY FROM STDIN through pg's own protocol support: pg's Query answers a CopyInResponse with a
 * CopyFail; this one sends the whole text as CopyData, then CopyDone (the server then reports the
 * command's completion or its error as for any statement).
 */
class CopyInQuery extends pg.Query {
  constructor(text: string, private readonly data: Buffer) { super(text); }

  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }): void {
    // One CopyData message per MiB: the protocol takes up to 1 GiB each, the server's buffer less.
    for (let i = 0; i < this.data.length; i += 1 << 20) connection.sendCopyFromChunk(this.data.subarray(i, i + (1 << 20)));
    connection.endCopyFrom();
  }
}

export function pgConn(client: pg.Client | pg.PoolClient): SqlConn {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []) { return (await client.query(sql, params as unknown[])).rows as R[]; },
    async exec(sql: string) { await client.query(sql); },
    async querySingle<R>(sql: string) { return (await client.query({ text: sql, queryMode: 'extended' } as pg.QueryConfig)).rows as R[]; },
    copyFrom(sql: string, data: string) {
      return new Promise<void>((resolve, reject) => {
        const q = client.query(new CopyInQuery(sql, Buffer.from(data, 'utf8')));
        q.once('end', () => resolve());
        q.once('error', reject);
      });
    },
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
