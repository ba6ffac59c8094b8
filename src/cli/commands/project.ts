/** `hft project`: projects the run log into PostgreSQL read models, exactly once, then follows it. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { HftError } from '../../core/errors.ts';
import { redactUri, unreachableOr } from '../../eventstore/postgres/PostgresEventStore.ts';
import { PostgresReadModelWriter, type DdlFile } from '../../projections/PostgresReadModelWriter.ts';
import { runProjection } from '../../projections/runProjection.ts';
import { pgConn, pgliteConn, type PGliteLike, type SqlConn } from '../../projections/SqlConn.ts';
import { intFlag, parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';

export const DEFAULT_PROJECTION_SCHEMA = 'hft_rm';
export const PROJECTIONS_DIR = fileURLToPath(new URL('../../../projections/', import.meta.url));

/** The numbered DDL files `NNN_name.sql` of projections/, in order; a misnamed file is an error. */
export function loadProjectionDdl(dir: string = PROJECTIONS_DIR): DdlFile[] {
  const out: DdlFile[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.sql')) continue;
    const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(f);
    if (!m) throw new HftError('HFT_ERR_CONFIG', `${dir}${f}: projection DDL files are named NNN_name.sql`);
    out.push({ version: Number(m[1]), name: m[2]!, sql: readFileSync(`${dir}${f}`, 'utf8') });
  }
  if (out.length === 0) throw new HftError('HFT_ERR_CONFIG', `${dir}: no projection DDL files`);
  return out;
}

/** Connects a read-model client, failing fast with the redacted URL and the reason. */
export async function connectReadModels(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw unreachableOr(e, url);
  }
  return client;
}

export const projectCommand: Command = {
  name: 'project',
  summary: 'project the run log into PostgreSQL read models (orders, fills, positions, P&L, denials, runs)',
  help: [
    'usage: hft project --pg <url> [--store <uri>] [--schema <name>] [--rebuild] [--once] [--batch <n>]',
    '',
    'Catches up from the read models\' checkpoint, then follows new events until interrupted. Each',
    'batch of rows commits in one transaction with its checkpoint, so a kill at any moment loses or',
    'repeats nothing. Tables: projections/*.sql.',
    '',
    'options:',
    `  --pg <url>        PostgreSQL for the read models, e.g. postgres://postgres@127.0.0.1/test`,
    `  --store <uri>     event store to read (default ${DEFAULT_STORE_URI})`,
    `  --schema <name>   schema of the read models (default ${DEFAULT_PROJECTION_SCHEMA})`,
    '  --rebuild         drop the read models and replay the whole log',
    '  --once            stop after catching up instead of following',
    '  --batch <n>       most events per transaction (default 10000)',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      pg: { type: 'string' }, store: { type: 'string' }, schema: { type: 'string' }, rebuild: { type: 'boolean' },
      once: { type: 'boolean' }, batch: { type: 'string' },
    }, false);
    if (!values.pg) throw new HftError('HFT_ERR_USAGE', 'hft project needs --pg <url> (PostgreSQL for the read models)');
    const batch = intFlag('batch', values.batch, 10_000);
    if (batch < 1) throw new HftError('HFT_ERR_USAGE', '--batch must be at least 1');
    const ddl = loadProjectionDdl();
    const client = await connectReadModels(values.pg);
    const store = await openStore(values.store ?? DEFAULT_STORE_URI, { cwd: io.cwd, readOnly: true });
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const writer = new PostgresReadModelWriter(pgConn(client), values.schema ?? DEFAULT_PROJECTION_SCHEMA);
      if (values.rebuild) await writer.drop();
      await writer.init(ddl);
      const t0 = performance.now();
      const r = await runProjection({ store, writer, follow: !values.once, signal: ac.signal, maxBatchEvents: batch });
      const s = (performance.now() - t0) / 1000;
      io.err(`projected ${r.projectedEvents} event(s) in ${r.batches} transaction(s) into ${redactUri(values.pg)} schema ${writer.schema}` +
        ` (${Math.round(r.projectedEvents / Math.max(s, 1e-9)).toLocaleString('en-US')} events/s; state rebuilt from ${r.warmedEvents}); checkpoint ${r.checkpoint.position}`);
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await store.close();
      await client.end();
    }
  },
};

/** Read models to query: an existing PostgreSQL (`--pg`), or PGlite built from the log right now. */
export interface ReadModelSession {
  readonly conn: SqlConn;
  readonly schema: string;
  /** Where the rows came from, for messages. */
  readonly source: string;
  close(): Promise<void>;
}

export async function openReadModels(opts: { pg?: string | undefined; store?: string | undefined; schema?: string | undefined }, io: CliIO): Promise<ReadModelSession> {
  const schema = opts.schema ?? DEFAULT_PROJECTION_SCHEMA;
  if (opts.pg) {
    const client = await connectReadModels(opts.pg);
    const conn = pgConn(client);
    const has = await conn.query(`SELECT 1 FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = $1 AND c.relname = 'projection_checkpoints'`, [schema]);
    if (has.length === 0) {
      await client.end();
      throw new HftError('HFT_ERR_NOT_FOUND', `no read models in schema '${schema}' at ${redactUri(opts.pg)}: run hft project --pg <url> --store <uri> first`);
    }
    await conn.exec(`SET search_path TO "${schema}"`);
    return { conn, schema, source: `${redactUri(opts.pg)} schema ${schema}`, close: () => client.end() };
  }
  // Embedded: PGlite in this process, the same DDL and reducers, projected from the log on demand.
  const storeUri = opts.store ?? DEFAULT_STORE_URI;
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  const conn = pgliteConn(db as unknown as PGliteLike);
  const store = await openStore(storeUri, { cwd: io.cwd, readOnly: true });
  try {
    const writer = new PostgresReadModelWriter(conn, schema);
    await writer.init(loadProjectionDdl());
    await runProjection({ store, writer });
  } catch (e) {
    await db.close();
    throw e;
  } finally {
    await store.close();
  }
  await conn.exec(`SET search_path TO "${schema}"`);
  return { conn, schema, source: `embedded PGlite projected from ${storeUri}`, close: () => db.close() };
}
