/**
 * The API over the demo run (real capture, real file store): in process (inject) and over a real
 * socket; roles; operator actions on a run that is not live; the event WebSocket; tokens kept out of
 * the log; the PostgreSQL read models (PGlite, filled by the projection runner) answering as memory does.
 */
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadProjectionDdl } from '../../src/cli/commands/project.ts';
import { createServer } from '../../src/cli/server/createServer.ts';
import { EventHub } from '../../src/cli/server/EventHub.ts';
import { EventLogControl } from '../../src/cli/server/EventLogControl.ts';
import { MemoryRunReadModels } from '../../src/cli/server/MemoryRunReadModels.ts';
import { OmsControlRegistry, type OperatorAction } from '../../src/cli/server/OmsControl.ts';
import { SqlRunReadModels } from '../../src/cli/server/SqlRunReadModels.ts';
import { parseTokens } from '../../src/cli/server/tokens.ts';
import { openStore } from '../../src/cli/store.ts';
import { collect, type EventStore } from '../../src/eventstore/port.ts';
import type { EventEnvelope } from '../../src/model/events.ts';
import { PostgresReadModelWriter } from '../../src/projections/PostgresReadModelWriter.ts';
import { runProjection } from '../../src/projections/runProjection.ts';
import { pgliteConn } from '../../src/projections/SqlConn.ts';
import { runDemo, type DemoRun } from '../report/demoRun.ts';

const VIEWER = 'viewer-0123456789abcdef';
const TRADER = 'trader-0123456789abcdef';
const tokens = parseTokens(`${VIEWER}:viewer,${TRADER}:trader`);
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

let demo: DemoRun;
let store: EventStore;
let events: EventEnvelope[];
let rm: MemoryRunReadModels;
let hub: EventHub;
let control: OmsControlRegistry;
let app: FastifyInstance;
const logLines: string[] = [];

beforeAll(async () => {
  demo = await runDemo();
  store = await openStore(demo.storeUri, { readOnly: true });
  events = await collect(store.readStream(`run-${demo.runId}`));
  hub = EventHub.start(store, 0);
  rm = await MemoryRunReadModels.follow(hub);
  control = new OmsControlRegistry();
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
  app = await createServer({ hub, readModels: rm, tokens, control, logger: { stream: sink, level: 'info' } as never });
}, 180_000);
afterAll(async () => { await app?.close(); await rm?.close(); await hub?.close(); await store?.close(); });

const count = (t: string) => events.filter((e) => e.type === t).length;

describe('REST API in process', () => {
  it('answers 401 without a token or with an unknown one, and names the scheme', async () => {
    const none = await app.inject({ url: '/api/runs' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await app.inject({ url: '/api/runs', headers: auth('not-a-token-at-all-xx') })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/runs', headers: { authorization: VIEWER } })).statusCode).toBe(401);
  });

  it('lists the run with the counts the log holds', async () => {
    const r = await app.inject({ url: '/api/runs', headers: auth(VIEWER) });
    expect(r.statusCode).toBe(200);
    const run = r.json().runs.find((x: { run_id: string }) => x.run_id === demo.runId);
    expect(run).toMatchObject({ events: events.length, fills: count('order.filled'), orders: count('order.requested'), completed: true, mode: 'backtest', seed: 42 });
  });

  it('serves fills, positions, P&L and an order\'s timeline as the events tell them', async () => {
    const fills = (await app.inject({ url: `/api/runs/${demo.runId}/fills?limit=5000`, headers: auth(VIEWER) })).json().fills;
    expect(fills).toHaveLength(count('order.filled'));
    const lastFill = events.filter((e) => e.type === 'order.filled').at(-1)!;
    expect(fills[0]).toMatchObject({ venue_trade_id: (lastFill.data as { venueTradeId: string }).venueTradeId, position: lastFill.position });

    const positions = (await app.inject({ url: `/api/runs/${demo.runId}/positions`, headers: auth(VIEWER) })).json().positions;
    const lastPos = events.filter((e) => e.type === 'position.changed').at(-1)!.data as { quantity: string; realizedPnl: string };
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ quantity: lastPos.quantity, realized_pnl: lastPos.realizedPnl });

    const pnl = (await app.inject({ url: `/api/runs/${demo.runId}/pnl`, headers: auth(VIEWER) })).json();
    expect(pnl.equity).toHaveLength(count('position.changed'));

    const first = events.find((e) => e.type === 'order.requested')!.data as { clientOrderId: string };
    const o = (await app.inject({ url: `/api/runs/${demo.runId}/orders/${first.clientOrderId}`, headers: auth(VIEWER) })).json();
    const own = events.filter((e) => (e.data as { clientOrderId?: string }).clientOrderId === first.clientOrderId && e.type.startsWith('order.'));
    expect(o.timeline.map((x: { type: string }) => x.type)).toEqual(own.map((e) => e.type));
    expect(o.order.status).toBe(o.timeline.at(-1).status_after);

    const open = (await app.inject({ url: `/api/runs/${demo.runId}/orders?open=true`, headers: auth(VIEWER) })).json().orders;
    for (const x of open) expect(['filled', 'canceled', 'rejected', 'denied', 'expired']).not.toContain(x.status);
    expect((await app.inject({ url: `/api/runs/${demo.runId}/denials`, headers: auth(VIEWER) })).json().denials).toHaveLength(count('order.denied'));
  });

  it('answers 404 for an unknown run and 400 for a bad query, with the error code', async () => {
    const r = await app.inject({ url: '/api/runs/nosuch/fills', headers: auth(VIEWER) });
    expect([r.statusCode, r.json().error]).toEqual([404, 'HFT_ERR_NOT_FOUND']);
    const b = await app.inject({ url: `/api/runs/${demo.runId}/fills?limit=-3`, headers: auth(VIEWER) });
    expect([b.statusCode, b.json().error]).toEqual([400, 'HFT_ERR_USAGE']);
  });

  it('refuses every mutating call to a viewer (403) and without a token (401), changing nothing', async () => {
    const head = await store.headPosition();
    const openOrder = (await app.inject({ url: `/api/runs/${demo.runId}/orders?open=true`, headers: auth(VIEWER) })).json().orders[0];
    const acted: OperatorAction[] = [];
    const unregister = control.register(demo.runId, { act: async (a) => { acted.push(a); return { accepted: true, action: a }; } });
    try {
      for (const url of [`/api/runs/${demo.runId}/orders/${openOrder.client_order_id}/cancel`, `/api/runs/${demo.runId}/cancel-all`, `/api/runs/${demo.runId}/kill-switch`]) {
        const v = await app.inject({ method: 'POST', url, headers: auth(VIEWER) });
        expect([v.statusCode, v.json().error], url).toEqual([403, 'HFT_ERR_UNAUTHORIZED']);
        expect((await app.inject({ method: 'POST', url })).statusCode, url).toBe(401);
      }
    } finally { unregister(); }
    expect(acted).toEqual([]);
    expect(await store.headPosition()).toBe(head);
  });

  it('answers 409 "run not live" to a trader acting on a finished backtest', async () => {
    const r = await app.inject({ method: 'POST', url: `/api/runs/${demo.runId}/kill-switch`, headers: auth(TRADER), payload: { reason: 'test' } });
    expect([r.statusCode, r.json().error]).toEqual([409, 'HFT_ERR_RUN_NOT_LIVE']);
  });

  it('answers 409 through the log control too: a backtest run gets no operator command, nothing appended', async () => {
    const appended: string[] = [];
    const logControl = new EventLogControl({
      readModels: rm, clockUs: () => 1,
      writer: async (fn) => fn({ ...store, streamRevision: async () => -1, append: async (s: string) => { appended.push(s); return { revision: 0, position: 0 }; } } as EventStore),
    });
    const logApp = await createServer({ hub, readModels: rm, tokens, control: logControl });
    try {
      for (const url of [`/api/runs/${demo.runId}/cancel-all`, `/api/runs/${demo.runId}/kill-switch`]) {
        const r = await logApp.inject({ method: 'POST', url, headers: auth(TRADER), payload: { reason: 'test' } });
        expect([r.statusCode, r.json().error], url).toEqual([409, 'HFT_ERR_RUN_NOT_LIVE']);
        expect(r.json().message).toMatch(/a backtest run/);
      }
      expect((await logApp.inject({ url: `/api/runs/${demo.runId}`, headers: auth(VIEWER) })).json().live).toBe(false);
    } finally { await logApp.close(); }
    expect(appended).toEqual([]);
  });

  it('hands a trader\'s action to the runner that registered the run, with the role as actor', async () => {
    const acted: OperatorAction[] = [];
    const unregister = control.register(demo.runId, { act: async (a) => { acted.push(a); return { accepted: true, action: a }; } });
    try {
      const r = await app.inject({ method: 'POST', url: `/api/runs/${demo.runId}/cancel-all`, headers: auth(TRADER), payload: { reason: 'flatten' } });
      expect(r.statusCode).toBe(202);
      expect(acted).toEqual([{ kind: 'cancel-all', runId: demo.runId, reason: 'flatten', actor: 'trader' }]);
      const done = (await app.inject({ url: `/api/runs/${demo.runId}/orders?status=filled&limit=1`, headers: auth(VIEWER) })).json().orders[0];
      const c = await app.inject({ method: 'POST', url: `/api/runs/${demo.runId}/orders/${done.client_order_id}/cancel`, headers: auth(TRADER) });
      expect(c.statusCode).toBe(409);
    } finally { unregister(); }
  });

  it('never writes a token to the log', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('');
    expect(all).not.toContain(VIEWER);
    expect(all).not.toContain(TRADER);
  });
});

describe('over a real socket', () => {
  let base: string;
  beforeAll(async () => { base = await app.listen({ host: '127.0.0.1', port: 0 }); });

  it('serves the API and the dashboard page over HTTP', async () => {
    const r = await fetch(`${base}/api/runs/${demo.runId}`, { headers: auth(VIEWER) });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { run: { run_id: string } }).run.run_id).toBe(demo.runId);
    expect((await fetch(`${base}/api/runs/${demo.runId}/kill-switch`, { method: 'POST', headers: auth(VIEWER) })).status).toBe(403);
    const page = await fetch(`${base}/dashboard`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/dashboard.js');
  });

  it('pushes the run\'s events from a position after a first-message authentication', async () => {
    const from = events.at(-3)!.position;
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/runs/${demo.runId}/ws?from=${from}`);
    const got: EventEnvelope[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: VIEWER })));
      ws.on('message', (m) => { const msg = JSON.parse(String(m)); if (msg.type === 'events') { got.push(...msg.events); if (got.length >= 3) resolve(); } });
      ws.on('close', (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
      setTimeout(() => reject(new Error('no events in 5 s')), 5_000);
    });
    ws.close();
    expect(got.map((e) => e.position)).toEqual(events.slice(-3).map((e) => e.position));
  });

  it('closes the WebSocket with 4401 on an unknown token', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/runs/${demo.runId}/ws`);
    const code = await new Promise<number>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: 'wrong-token-0123456789' })));
      ws.on('close', (c) => resolve(c));
    });
    expect(code).toBe(4401);
  });
});

describe('PostgreSQL read models (PGlite filled by the projection runner)', () => {
  it('answer the same orders, fills and positions as the in-memory ones', async () => {
    const db = new PGlite();
    const conn = pgliteConn(db as never);
    const writer = new PostgresReadModelWriter(conn, 'rm');
    await writer.init(loadProjectionDdl());
    await runProjection({ store, writer, follow: false });
    const sql = new SqlRunReadModels(conn, 'rm', writer.name);
    try {
      expect(await sql.position()).toBe(await rm.position());
      const strip = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'detail' || k === 'summary' ? undefined : v))));
      const num = (rows: Record<string, unknown>[], keys: string[]) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k] === null ? null : String(r[k])])));
      const fk = ['venue_trade_id', 'client_order_id', 'side', 'price_ticks', 'size_lots', 'ts_event_us', 'position'];
      expect(num(await sql.fills(demo.runId, 100), fk)).toEqual(num(await rm.fills(demo.runId, 100), fk));
      const ok = ['client_order_id', 'status', 'filled_lots', 'price_ticks', 'submitted_ts_us'];
      const so = num(await sql.orders(demo.runId, { open: true, limit: 50 }), ok);
      const mo = num(await rm.orders(demo.runId, { open: true, limit: 50 }), ok);
      expect(so.sort((a, b) => String(a.client_order_id).localeCompare(String(b.client_order_id)))).toEqual(mo.sort((a, b) => String(a.client_order_id).localeCompare(String(b.client_order_id))));
      const pk = ['strategy_id', 'instrument', 'last_position'];
      expect(num(await sql.positions(demo.runId), pk)).toEqual(num(await rm.positions(demo.runId), pk));
      expect(Number((await sql.positions(demo.runId))[0]!.quantity)).toBe(Number((await rm.positions(demo.runId))[0]!.quantity));
      expect(strip([(await sql.run(demo.runId))!]).map((r) => r.fills)).toEqual([count('order.filled')]);
    } finally { await db.close(); }
  }, 120_000);
});
