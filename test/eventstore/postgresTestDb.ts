/**
 * PostgreSQL for *.int.test.ts: the real server from HFT_TEST_PG (default the local trust-auth server).
 * No server: in CI (CI=true) the suite FAILS; locally it prints a loud warning and the tests are
 * reported as skipped, never as passed.
 */
import pg from 'pg';

export const PG_URL = process.env.HFT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (e) {
    const msg = `PostgreSQL not reachable at ${PG_URL}: ${(e as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${msg} (CI=true: PostgreSQL tests must run, failing)`);
    console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING PostgreSQL integration tests: ${msg}\n${'!'.repeat(100)}\n`);
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Unique schema name per test file (and per call), so parallel files never collide. */
let counter = 0;
export function uniqueSchema(prefix: string): string {
  return `t_${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase();
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
}

/**
 * Tests that hold a transaction open on purpose stall every reader on the server (the horizon is
 * cluster-wide). They take this lock exclusively; files whose readers expect to see their own appends
 * at once take it shared, so the two never overlap.
 */
const HORIZON_LOCK = 7_700_007;
export async function horizonLock(mode: 'shared' | 'exclusive'): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(mode === 'shared' ? 'SELECT pg_advisory_lock_shared($1)' : 'SELECT pg_advisory_lock($1)', [HORIZON_LOCK]);
  return async () => { await c.end(); };
}
