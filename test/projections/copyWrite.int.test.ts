/**
 * The COPY write path against the JSON one on a real backtest's rows: identical tables (new orders go
 * straight into their table, the others through staging); and a batch that repeats rows already
 * written (a log repeating a key, orders claimed as new included) still commits once, rows kept once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectionDdl } from '../../src/cli/commands/project.ts';
import { pageDataJson, PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { EventEnvelope } from '../../src/model/events.ts';
import { PostgresReadModelWriter } from '../../src/projections/PostgresReadModelWriter.ts';
import { createProjectionState, projectEvent } from '../../src/projections/projectEvent.ts';
import { runProjection } from '../../src/projections/runProjection.ts';
import { RowBatch } from '../../src/projections/RowBatch.ts';
import { pgConn, type SqlConn } from '../../src/projections/SqlConn.ts';
import { dropSchema, horizonLock, PG_URL, postgresReachable, uniqueSchema } from '../eventstore/postgresTestDb.ts';
import { dumpTables, recordDemoRun } from './pgFixtures.ts';

const reachable = await postgresReachable();

if (!reachable) {
  describe.skip('COPY write path (SKIPPED: no PostgreSQL server, see the warning above)', () => { it('needs PostgreSQL', () => {}); });
} else {
  describe('read-model writes through COPY', () => {
    const esSchema = uniqueSchema('cw_es');
    const schemas = { copy: uniqueSchema('cw_copy'), json: uniqueSchema('cw_json'), copyDup: uniqueSchema('cw_cdup'), jsonDup: uniqueSchema('cw_jdup'), runner: uniqueSchema('cw_run') };
    let events: EventEnvelope[] = [];
    let client: pg.Client;
    let release: () => Promise<void>;
    let copyConn: SqlConn;
    let jsonConn: SqlConn;

    beforeAll(async () => {
      release = await horizonLock('shared');
      await recordDemoRun(esSchema);
      const store = await PostgresEventStore.open(PG_URL, { schema: esSchema });
      events = await collect(store.readAll());
      await store.close();
      client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      copyConn = pgConn(client);
      const { copyFrom: _unused, ...rest } = pgConn(client);
      jsonConn = rest;
    }, 240_000);

    afterAll(async () => {
      await client?.end();
      for (const s of [esSchema, ...Object.values(schemas)]) await dropSchema(s);
      await release?.();
    });

    const writeAll = async (conn: SqlConn, schema: string, batches: number): Promise<PostgresReadModelWriter> => {
      const w = new PostgresReadModelWriter(conn, schema);
      await w.init(loadProjectionDdl());
      const state = createProjectionState();
      const per = Math.ceil(events.length / batches);
      let cp = { position: -1, events: 0 };
      for (let i = 0; i < events.length; i += per) {
        const rows = new RowBatch();
        const slice = events.slice(i, i + per);
        for (const e of slice) projectEvent(state, e, rows);
        const next = { position: slice.at(-1)!.position, events: state.events };
        await w.write(rows, cp, next);
        cp = next;
      }
      return w;
    };

    it('writes the same rows as the JSON path, table by table', async () => {
      expect(copyConn.copyFrom).toBeTypeOf('function');
      expect(jsonConn.copyFrom).toBeUndefined();
      const w = await writeAll(copyConn, schemas.copy, 3);
      await writeAll(jsonConn, schemas.json, 3);
      const tables = [...w.tableNames(), 'projection_checkpoints'];
      expect(tables).toEqual(expect.arrayContaining(['orders', 'order_events', 'fills', 'decisions', 'positions', 'pnl_daily', 'equity_curve', 'runs']));
      const a = await dumpTables(client, schemas.copy, tables);
      const b = await dumpTables(client, schemas.json, tables);
      for (const t of tables) expect(a[t], `table ${t}`).toEqual(b[t]);
      expect(a.order_events!.length).toBeGreaterThan(1_000); // large enough that COPY, not the JSON statement, wrote it
      expect(a.fills!.length).toBeGreaterThan(100);
    }, 120_000);

    it('stores the order history from the JSON text the store read as it stores it from the parsed data', async () => {
      // The runner hands each order event's data text (pageDataJson) to the history row; writeAll above
      // folds the parsed objects. Same tables either way.
      const store = await PostgresEventStore.open(PG_URL, { schema: esSchema, pageSize: 2_000 });
      try {
        let pages = 0;
        for await (const page of store.readAll()) {
          const texts = pageDataJson(page);
          expect(texts).toHaveLength(page.length);
          page.forEach((e, i) => expect(JSON.parse(texts![i]!)).toEqual(e.data));
          pages++;
        }
        expect(pages).toBeGreaterThan(1);
        const w = new PostgresReadModelWriter(copyConn, schemas.runner);
        await w.init(loadProjectionDdl());
        await runProjection({ store, writer: w, maxBatchEvents: 5_000 });
        const tables = [...w.tableNames(), 'projection_checkpoints'];
        const a = await dumpTables(client, schemas.runner, tables);
        const ref = await dumpTables(client, schemas.copy, tables);
        expect(a.order_events!.length).toBeGreaterThan(1_000);
        for (const t of tables) expect(a[t], `table ${t}`).toEqual(ref[t]);
      } finally {
        await store.close();
      }
    }, 120_000);

    it('commits a batch that repeats rows already written, keeping each row once (as the JSON path does)', async () => {
      for (const [conn, schema] of [[copyConn, schemas.copyDup], [jsonConn, schemas.jsonDup]] as const) {
        const w = await writeAll(conn, schema, 1);
        const before = await w.checkpoint();
        // The same events' insert-only rows again, under a moved checkpoint.
        const rows = new RowBatch();
        const state = createProjectionState();
        for (const e of events) projectEvent(state, e, rows);
        const again = new RowBatch();
        for (const table of ['order_events', 'fills', 'decisions']) for (const [k, r] of rows.tables.get(table)!.rows) again.insert(table, k, r);
        // Orders marked as created by this batch although written already: the direct COPY meets them.
        for (const [k, r] of rows.tables.get('orders')!.rows) again.upsert('orders', k, r, true);
        await w.write(again, before, { position: before.position + 1, events: before.events });
        expect(await w.checkpoint()).toEqual({ position: before.position + 1, events: before.events });
      }
      const tables = ['order_events', 'fills', 'decisions', 'orders'];
      const a = await dumpTables(client, schemas.copyDup, tables);
      const b = await dumpTables(client, schemas.jsonDup, tables);
      const ref = await dumpTables(client, schemas.copy, tables);
      for (const t of tables) {
        expect(a[t], `table ${t}`).toEqual(ref[t]);
        expect(b[t], `table ${t}`).toEqual(ref[t]);
      }
    }, 120_000);
  });
}
