/** `hft sql "<select …>"`: ad-hoc queries on the read models, in a read-only transaction. */
import { HftError } from '../../core/errors.ts';
import type { SqlConn } from '../../projections/SqlConn.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI } from '../store.ts';
import { DEFAULT_PROJECTION_SCHEMA, openReadModels } from './project.ts';

const READ_ONLY_VIOLATION = '25006';

/**
 * Runs one statement inside BEGIN READ ONLY … ROLLBACK. The statement goes through the extended
 * protocol (SqlConn.querySingle), which refuses several statements in one
 * string, so `select 1; commit; delete …` cannot leave the read-only transaction.
 */
export async function readOnlyQuery(conn: SqlConn, sql: string): Promise<Record<string, unknown>[]> {
  await conn.exec('BEGIN READ ONLY');
  try {
    return await conn.querySingle(sql);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === READ_ONLY_VIOLATION) throw new HftError('HFT_ERR_SQL_READ_ONLY', `hft sql runs in a read-only transaction and refused the write: ${err.message}`, { sql }, { cause: e });
    if (err.code !== undefined) throw new HftError('HFT_ERR_BAD_INPUT', `query failed (${err.code}): ${err.message}`, { sql }, { cause: e });
    throw e;
  } finally {
    await conn.exec('ROLLBACK').catch(() => {});
  }
}

/** Prints rows as an aligned text table (numbers right-aligned), or one JSON object per line. */
export function printRows(io: CliIO, rows: readonly Record<string, unknown>[], json: boolean, columns?: readonly string[]): void {
  if (json) {
    for (const r of rows) io.out(JSON.stringify(r));
    return;
  }
  const cols = columns ?? (rows.length > 0 ? Object.keys(rows[0]!) : []);
  if (cols.length === 0) { io.out('(0 rows)'); return; }
  const cell = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const text = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.min(80, Math.max(c.length, ...text.map((t) => t[i]!.length))));
  const numeric = cols.map((_, i) => text.length > 0 && text.every((t) => t[i] === '' || /^-?\d+(\.\d+)?$/.test(t[i]!)));
  const fmt = (vals: readonly string[]): string => vals.map((v, i) => {
    const s = v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v;
    return numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
  }).join('  ').trimEnd();
  io.out(fmt(cols));
  io.out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of text) io.out(fmt(t));
  io.out(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
}

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'run a read-only SQL query on the read models (PostgreSQL or embedded PGlite)',
  help: [
    'usage: hft sql "<select …>" [--pg <url>] [--store <uri>] [--schema <name>] [--json]',
    '',
    'Runs one statement in a READ ONLY transaction on the read models (tables: projections/*.sql);',
    'a write is refused. With --pg, the read models hft project keeps there; without it, an embedded',
    'PostgreSQL (PGlite) projected from the store on demand.',
    '',
    'options:',
    '  --pg <url>        PostgreSQL holding the read models',
    `  --store <uri>     event store to project when there is no --pg (default ${DEFAULT_STORE_URI})`,
    `  --schema <name>   read-model schema (default ${DEFAULT_PROJECTION_SCHEMA})`,
    '  --json            one JSON object per row',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { pg: { type: 'string' }, store: { type: 'string' }, schema: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'hft sql takes exactly one query in quotes, e.g. hft sql "select * from runs"');
    const session = await openReadModels(values, io);
    try {
      const rows = await readOnlyQuery(session.conn, positionals[0]!);
      printRows(io, rows, values.json ?? false);
      return 0;
    } finally {
      await session.close();
    }
  },
};
