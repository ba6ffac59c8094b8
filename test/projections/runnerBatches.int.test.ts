/**
 * The runner's transactions hold up to --batch events however the store pages the log: pages of 300
 * are joined (and pages of 2,000 split) into batches of 1,000, with the same read models as one
 * transaction per page.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { runProjection } from '../../src/projections/runProjection.ts';
import { dropSchema, horizonLock, PG_URL, postgresReachable, uniqueSchema } from '../eventstore/postgresTestDb.ts';
import { dumpTables, readModelWriter, recordDemoRun } from './pgFixtures.ts';

const reachable = await postgresReachable();

if (!reachable) {
  describe.skip('projection runner batches (SKIPPED: no PostgreSQL server, see the warning above)', () => { it('needs PostgreSQL', () => {}); });
} else {
  describe('projection runner batches', () => {
    const esSchema = uniqueSchema('rb_es');
    const schemas = { perPage: uniqueSchema('rb_pp'), small: uniqueSchema('rb_300'), large: uniqueSchema('rb_2000') };
    let release: () => Promise<void>;
    let storeUrl: string;
    const clients: pg.Client[] = [];

    beforeAll(async () => {
      release = await horizonLock('shared');
      storeUrl = (await recordDemoRun(esSchema)).storeUri.split('?')[0]!;
    }, 240_000);
    afterAll(async () => {
      for (const c of clients) await c.end();
      for (const s of [esSchema, ...Object.values(schemas)]) await dropSchema(s);
      await release?.();
    });

    const project = async (schema: string, pageSize: number, maxBatchEvents: number) => {
      const store = await PostgresEventStore.open(storeUrl, { schema: esSchema, pageSize });
      const rm = await readModelWriter(schema);
      clients.push(rm.client);
      const commits: number[] = [];
      try {
        const r = await runProjection({ store, writer: rm.writer, maxBatchEvents, onCommit: (cp) => commits.push(cp.events) });
        return { r, commits, writer: rm.writer, client: rm.client };
      } finally {
        await store.close();
      }
    };

    it('fills each transaction up to the batch size across pages, with the same rows as one transaction per page', async () => {
      const perPage = await project(schemas.perPage, 250, 250);
      const total = perPage.r.projectedEvents;
      expect(total).toBeGreaterThan(2_000); // three batches of 1,000 at least
      for (const [schema, pageSize] of [[schemas.small, 300], [schemas.large, 2_000]] as const) {
        const run = await project(schema, pageSize, 1_000);
        expect(run.r.projectedEvents).toBe(total);
        // A batch commits early only when the next page took longer than 100 ms (a loaded machine).
        const steps = run.commits.map((c, i) => c - (run.commits[i - 1] ?? 0));
        expect(steps.every((n) => n > 0 && n <= 1_000)).toBe(true);
        expect(run.commits.at(-1)).toBe(total);
        expect(run.r.batches).toBe(run.commits.length);
        if (pageSize < 1_000) expect(run.r.batches).toBeLessThan(Math.ceil(total / pageSize)); // pages joined
        else expect(run.r.batches).toBe(Math.ceil(total / 1_000)); // pages split, full batches
        const tables = [...perPage.writer.tableNames(), 'projection_checkpoints'];
        expect(await dumpTables(run.client, schema, tables)).toEqual(await dumpTables(perPage.client, schemas.perPage, tables));
      }
    }, 240_000);
  });
}
