/**
 * Global order under concurrent writers: the subscriber sees every committed event exactly once, in
 * order; a reader that follows the sequence instead skips an event whose transaction committed late.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, NewEvent } from '../../src/model/events.ts';
import { collect } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { dropSchema, horizonLock, PG_URL, postgresReachable, uniqueSchema } from './postgresTestDb.ts';

const reachable = await postgresReachable();

const timer = (runId: string, n: number): NewEvent<'timer'> => ({
  id: `${runId}-${n}`, type: 'timer', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_000 + n,
  runId, correlationId: `${runId}-0`, causationId: `${runId}-0`, data: { timerId: `t${n}`, strategyId: 'mm' },
});

/** Inserts one event the way the store does, inside a transaction the test controls. */
async function beginHeldAppend(client: pg.Client, schema: string, streamId: string, e: NewEvent): Promise<void> {
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO "${schema}".events (position, tx_id, stream_id, revision, id, type, version, ts_event, ts_recv, run_id, correlation_id, causation_id, data)
     VALUES ((pg_current_xact_id()::text::bigint << 20), pg_current_xact_id(), $1, 0, $2, $3, 1, $4, $5, $6, $7, $8, $9::jsonb)`,
    [streamId, e.id, e.type, e.tsEvent, e.tsRecv, e.runId, e.correlationId, e.causationId, JSON.stringify(e.data)]);
}

/** The naive reader: follows the sequence (`seq > last`), the usual first attempt. */
async function naiveRead(client: pg.Client, schema: string, afterSeq: number): Promise<{ ids: string[]; last: number }> {
  const rows = (await client.query(`SELECT id, seq FROM "${schema}".events WHERE seq > $1 ORDER BY seq`, [afterSeq])).rows as { id: string; seq: string }[];
  return { ids: rows.map((r) => r.id), last: rows.length > 0 ? Number(rows[rows.length - 1]!.seq) : afterSeq };
}

describe.skipIf(!reachable)('PostgreSQL event store: global order under concurrent writers', () => {
  let release: (() => Promise<void>) | undefined;
  const schemas: string[] = [];
  beforeAll(async () => { if (reachable) release = await horizonLock('exclusive'); });
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
    await release?.();
  });

  it('8 concurrent writers: a following subscriber sees every committed event exactly once and in global order', async () => {
    const schema = uniqueSchema('order8');
    schemas.push(schema);
    const store = await PostgresEventStore.open(PG_URL, { schema, poolSize: 10, pollIntervalMs: 5 });
    const ac = new AbortController();
    const seen: EventEnvelope[] = [];
    const writers = 8, appendsPerWriter = 60;
    // Batch sizes 1..7 so transactions of different lengths interleave their commits.
    const expectedTotal = writers * Array.from({ length: appendsPerWriter }, (_, i) => (i % 7) + 1).reduce((a, b) => a + b, 0);
    const sub = (async () => {
      for await (const batch of store.subscribe({ signal: ac.signal })) {
        seen.push(...batch);
        if (seen.length >= expectedTotal) ac.abort();
      }
    })();
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      let n = 0;
      for (let i = 0; i < appendsPerWriter; i++) {
        const batch = Array.from({ length: (i % 7) + 1 }, () => timer(`w${w}`, n++));
        await store.append(`writer-${w}`, batch, { expectedRevision: n - batch.length - 1 < 0 ? 'no_stream' : n - batch.length - 1 });
      }
    }));
    await Promise.race([sub, new Promise((_, rej) => setTimeout(() => rej(new Error(`subscriber saw ${seen.length} of ${expectedTotal}`)), 30_000))]);
    const committed = await collect(store.readAll());
    await store.close();

    expect(committed).toHaveLength(expectedTotal);
    expect(seen).toHaveLength(expectedTotal);
    expect(new Set(seen.map((e) => e.id)).size).toBe(expectedTotal);
    expect(seen.map((e) => e.id)).toEqual(committed.map((e) => e.id));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
    // Per writer, the stream's own order survives: revisions 0, 1, 2, ... as the writer appended them.
    for (let w = 0; w < writers; w++) {
      const mine = seen.filter((e) => e.streamId === `writer-${w}`);
      expect(mine.map((e) => e.revision)).toEqual(mine.map((_, i) => i));
      expect(mine.map((e) => e.id)).toEqual(mine.map((_, i) => `w${w}-${i}`));
    }
  }, 60_000);

  it('a transaction that took its sequence value first and commits last: the sequence reader skips it, the store does not', async () => {
    const schema = uniqueSchema('late');
    schemas.push(schema);
    const store = await PostgresEventStore.open(PG_URL, { schema, pollIntervalMs: 5 });
    const late = new pg.Client({ connectionString: PG_URL });
    const naive = new pg.Client({ connectionString: PG_URL });
    await late.connect();
    await naive.connect();
    const ac = new AbortController();
    const seen: string[] = [];
    const sub = (async () => {
      for await (const batch of store.subscribe({ signal: ac.signal })) {
        seen.push(...batch.map((e) => e.id));
        if (seen.length >= 2) ac.abort();
      }
    })();
    try {
      await beginHeldAppend(late, schema, 'slow', timer('slow', 0)); // seq 1, still open
      await store.append('fast', [timer('fast', 0)]); // seq 2, committed
      const first = await naiveRead(naive, schema, 0);
      expect(first.ids).toEqual(['fast-0']);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([]); // the open transaction holds the horizon below 'fast'
      expect(await store.headPosition()).toBe(-1);
      await late.query('COMMIT');

      const second = await naiveRead(naive, schema, first.last);
      const inTable = (await naive.query(`SELECT id FROM "${schema}".events ORDER BY seq`)).rows.map((r: { id: string }) => r.id);
      expect(inTable).toEqual(['slow-0', 'fast-0']);
      // The skip: committed, in the table, never delivered to the sequence reader.
      expect([...first.ids, ...second.ids]).toEqual(['fast-0']);

      await Promise.race([sub, new Promise((_, rej) => setTimeout(() => rej(new Error(`store subscriber saw ${JSON.stringify(seen)}`)), 10_000))]);
      expect(seen).toEqual(['slow-0', 'fast-0']);
    } finally {
      ac.abort();
      await late.end();
      await naive.end();
      await store.close();
    }
  }, 30_000);
});

if (!reachable) {
  describe.skip('PostgreSQL event store: global order (SKIPPED: no PostgreSQL server, see the warning above)', () => { it('needs PostgreSQL', () => {}); });
}
