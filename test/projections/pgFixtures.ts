/** A real backtest (the demo scenario, first three minutes) recorded into a PostgreSQL event store. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { loadProjectionDdl } from '../../src/cli/commands/project.ts';
import { PostgresReadModelWriter } from '../../src/projections/PostgresReadModelWriter.ts';
import { pgConn } from '../../src/projections/SqlConn.ts';
import { PG_URL } from '../eventstore/postgresTestDb.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };

export async function recordDemoRun(storeSchema: string): Promise<{ storeUri: string; runId: string; summary: Record<string, unknown> }> {
  const work = mkdtempSync(join(tmpdir(), 'hft-proj-'));
  const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8'));
  demo.data.to = '2024-08-08T23:57:00Z';
  const scenarioPath = join(work, 'demo-3min.json');
  writeFileSync(scenarioPath, JSON.stringify(demo));
  const storeUri = `${PG_URL}?schema=${storeSchema}`;
  const r = await backtestFromFile({ scenarioPath, storeUri, ticksDir: join(work, 'ticks') }, io);
  return { storeUri, runId: r.runId, summary: r.summary as unknown as Record<string, unknown> };
}

export async function readModelWriter(schema: string): Promise<{ writer: PostgresReadModelWriter; client: pg.Client }> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const writer = new PostgresReadModelWriter(pgConn(client), schema);
  await writer.init(loadProjectionDdl());
  return { writer, client };
}

/** Every read-model table as sorted JSON lines: equal dumps = equal read models. */
export async function dumpTables(client: pg.Client, schema: string, tables: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = (await client.query(`SELECT row_to_json(x)::text AS j FROM "${schema}"."${t}" x`)).rows as { j: string }[];
    out[t] = rows.map((r) => r.j).sort();
  }
  return out;
}
