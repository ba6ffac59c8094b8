/**
 * A real backtest (demo scenario, first three minutes of the BTCUSDT capture) recorded in the
 * PostgreSQL event store and projected into PostgreSQL read models: fills and P&L equal the run's own
 * summary exactly; the audit verbs answer from those tables; the embedded PGlite path gives the same.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { isoFromUs } from '../../src/core/time.ts';
import { auditOrder, pnlBy } from '../../src/cli/commands/audit.ts';
import { openReadModels } from '../../src/cli/commands/project.ts';
import { readOnlyQuery } from '../../src/cli/commands/sql.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { runProjection } from '../../src/projections/runProjection.ts';
import { pgConn } from '../../src/projections/SqlConn.ts';
import { dropSchema, horizonLock, postgresReachable, uniqueSchema } from '../eventstore/postgresTestDb.ts';
import { io, readModelWriter, recordDemoRun } from './pgFixtures.ts';

const reachable = await postgresReachable();

if (!reachable) {
  describe.skip('projections of a real backtest (SKIPPED: no PostgreSQL server, see the warning above)', () => { it('needs PostgreSQL', () => {}); });
} else {
  describe('projections of a real backtest in PostgreSQL', () => {
    const esSchema = uniqueSchema('bt_es');
    const rmSchema = uniqueSchema('bt_rm');
    let run: Awaited<ReturnType<typeof recordDemoRun>>;
    let client: pg.Client;
    let release: () => Promise<void>;
    type Summary = { fills: number; filledLots: number; cancels: number; rejects: number; ordersRequested: number; ordersDenied: number; decisions: number;
      positionsLots: Record<string, number>; byStrategy: Record<string, { currency: string; realizedPnl: string; fees: string; funding: string }[]> };
    let summary: Summary;

    beforeAll(async () => {
      release = await horizonLock('shared');
      run = await recordDemoRun(esSchema);
      summary = run.summary as unknown as Summary;
      const store = await PostgresEventStore.open(run.storeUri.split('?')[0]!, { schema: esSchema });
      const rm = await readModelWriter(rmSchema);
      client = rm.client;
      await runProjection({ store, writer: rm.writer, maxBatchEvents: 1_000 });
      await store.close();
      await client.query(`SET search_path TO "${rmSchema}"`);
    }, 240_000);

    afterAll(async () => {
      await client?.end();
      await dropSchema(esSchema);
      await dropSchema(rmSchema);
      await release?.();
    });

    const one = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0] as Record<string, unknown>;

    it('has every fill of the run once: count and filled lots equal the summary', async () => {
      expect(summary.fills).toBeGreaterThan(100);
      const f = await one('SELECT count(*)::int AS n, sum(size_lots)::bigint AS lots, count(DISTINCT venue_trade_id)::int AS ids FROM fills WHERE run_id = $1', [run.runId]);
      expect(f.n).toBe(summary.fills);
      expect(f.ids).toBe(summary.fills);
      expect(Number(f.lots)).toBe(summary.filledLots);
    });

    it('realized P&L, fees and funding summed over days equal the ledger summary exactly (numeric equality)', async () => {
      for (const [strategyId, rows] of Object.entries(summary.byStrategy)) {
        for (const s of rows) {
          const r = await one(
            `SELECT sum(realized_pnl) = $3::numeric AS realized_eq, sum(fees) = $4::numeric AS fees_eq, sum(funding) = $5::numeric AS funding_eq, sum(realized_pnl)::text AS realized
             FROM pnl_daily WHERE run_id = $1 AND strategy_id = $2 AND currency = $6`, [run.runId, strategyId, s.realizedPnl, s.fees, s.funding, s.currency]);
          expect(r, `${strategyId} ${s.currency}: projected ${r.realized} vs summary ${s.realizedPnl}`).toMatchObject({ realized_eq: true, fees_eq: true, funding_eq: true });
        }
      }
    });

    it('net position in lots from the fills equals the summary', async () => {
      const rows = (await client.query(
        `SELECT strategy_id || '|' || instrument AS k, sum(CASE side WHEN 'buy' THEN size_lots ELSE -size_lots END)::bigint AS lots FROM fills WHERE run_id = $1 GROUP BY 1`, [run.runId])).rows;
      expect(Object.fromEntries(rows.map((r: { k: string; lots: string }) => [r.k, Number(r.lots)]))).toEqual(summary.positionsLots);
    });

    it('order and decision counts equal the summary: requested, canceled, rejected, denied', async () => {
      const r = await one(`SELECT count(*)::int AS orders, count(*) FILTER (WHERE status = 'canceled')::int AS canceled, count(*) FILTER (WHERE status = 'rejected')::int AS rejected,
        count(*) FILTER (WHERE status = 'denied')::int AS denied, (SELECT count(*)::int FROM decisions WHERE run_id = $1) AS decisions FROM orders WHERE run_id = $1`, [run.runId]);
      expect(r).toEqual({ orders: summary.ordersRequested, canceled: summary.cancels, rejected: summary.rejects, denied: summary.ordersDenied, decisions: summary.decisions });
    });

    it('audit order: from the decision through risk, submit and ack to the fill; the venue acks no sooner than 5 ms (the scenario\'s entry latency) after the submit, the first order exactly then', async () => {
      const orders = (await client.query(`SELECT client_order_id FROM orders WHERE run_id = $1 AND status = 'filled' ORDER BY requested_ts_us, client_order_id LIMIT 20`, [run.runId])).rows;
      expect(orders.length).toBe(20);
      for (const o of orders as { client_order_id: string }[]) {
        const a = await auditOrder(pgConn(client), o.client_order_id);
        const steps = a.timeline.map((t) => t.step);
        expect(steps.slice(0, 5)).toEqual(['decision', 'request', 'risk', 'submit', 'ack']);
        expect(steps.at(-1)).toBe('fill');
        const ev = (await client.query('SELECT type, ts_event_us, ts_recv_us FROM order_events WHERE client_order_id = $1 ORDER BY position', [o.client_order_id])).rows as { type: string; ts_event_us: string; ts_recv_us: string }[];
        const sub = ev.find((e) => e.type === 'order.submitted')!;
        const ack = ev.find((e) => e.type === 'order.accepted')!;
        // venue.latency.entryUs; more when the order left later than its decision (the kernel was busy)
        expect(Number(ack.ts_event_us) - Number(sub.ts_event_us)).toBeGreaterThanOrEqual(5_000);
        if (o === orders[0]) expect(Number(ack.ts_event_us) - Number(sub.ts_event_us)).toBe(5_000);
        expect(Number(ack.ts_recv_us) - Number(ack.ts_event_us)).toBeGreaterThanOrEqual(5_000); // responseUs, later when the kernel was busy
        const ackStep = a.timeline.find((t) => t.step === 'ack')!;
        expect(ackStep.venue_ts).toBe(isoFromUs(Number(ack.ts_event_us)));
        expect(Number(ackStep.since_prev_us)).toBe(Number(ack.ts_recv_us) - Number(sub.ts_recv_us));
        expect(a.decision).not.toBeNull();
        expect(Object.keys(a.decision!.inputs as object)).toContain('mid');
      }
    });

    it('hft sql runs reads and refuses a write, also one smuggled after a semicolon', async () => {
      const conn = pgConn(client);
      expect((await readOnlyQuery(conn, 'SELECT count(*)::int AS n FROM fills'))[0]).toEqual({ n: summary.fills });
      const w = await readOnlyQuery(conn, 'DELETE FROM fills').catch((e: unknown) => e);
      expect(isHftError(w, 'HFT_ERR_SQL_READ_ONLY')).toBe(true);
      expect((w as Error).message).toMatch(/read-only transaction/);
      const smuggled = await readOnlyQuery(conn, 'SELECT 1; COMMIT; DELETE FROM fills').catch((e: unknown) => e);
      expect(isHftError(smuggled)).toBe(true);
      expect((await one('SELECT count(*)::int AS n FROM fills')).n).toBe(summary.fills);
    });

    it('without --pg, PGlite projected from the same log gives the same P&L by day and by instrument', async () => {
      const server = { day: await pnlBy(pgConn(client), 'day', run.runId), instrument: await pnlBy(pgConn(client), 'instrument', run.runId) };
      const embedded = await openReadModels({ store: run.storeUri, schema: 'hft_rm' }, io);
      try {
        const local = { day: await pnlBy(embedded.conn, 'day', run.runId), instrument: await pnlBy(embedded.conn, 'instrument', run.runId) };
        const norm = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
        expect(norm(local.day)).toEqual(norm(server.day));
        expect(norm(local.instrument)).toEqual(norm(server.instrument));
        expect(server.day.length).toBeGreaterThan(0);
      } finally {
        await embedded.close();
      }
    }, 180_000);
  });
}
