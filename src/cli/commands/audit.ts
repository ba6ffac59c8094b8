/**
 * `hft audit order|run|denials|pnl`: answers audit questions from the read models (PostgreSQL with
 * --pg, else PGlite projected from the log on demand).
 */
import { HftError } from '../../core/errors.ts';
import { isoFromUs } from '../../core/time.ts';
import type { SqlConn } from '../../projections/SqlConn.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI } from '../store.ts';
import { DEFAULT_PROJECTION_SCHEMA, openReadModels } from './project.ts';
import { printRows } from './sql.ts';

type Rows = Record<string, unknown>[];
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The timeline of one order: its decision (with inputs), then each order event, with latencies in µs. */
export async function auditOrder(conn: SqlConn, clientOrderId: string, runId?: string): Promise<{ order: Record<string, unknown>; decision: Record<string, unknown> | null; timeline: Rows }> {
  const orders = await conn.query(`SELECT * FROM orders WHERE client_order_id = $1 ${runId ? 'AND run_id = $2' : ''} ORDER BY run_id`, runId ? [clientOrderId, runId] : [clientOrderId]);
  if (orders.length === 0) throw new HftError('HFT_ERR_NOT_FOUND', `no order '${clientOrderId}'${runId ? ` in run ${runId}` : ''} in the read models`);
  if (orders.length > 1) throw new HftError('HFT_ERR_USAGE', `order '${clientOrderId}' exists in ${orders.length} runs (${orders.map((o) => o.run_id).join(', ')}): add --run <runId>`);
  const order = orders[0]!;
  const decision = (await conn.query('SELECT * FROM decisions WHERE event_id = $1', [order.decision_id]))[0] ?? null;
  const events = await conn.query('SELECT position, event_id, type, ts_event_us, ts_recv_us, status_after, detail FROM order_events WHERE run_id = $1 AND client_order_id = $2 ORDER BY position', [order.run_id, clientOrderId]);
  const t0 = decision ? num(decision.ts_recv_us)! : num(events[0]?.ts_recv_us) ?? 0;
  const timeline: Rows = [];
  let prev = t0;
  if (decision) timeline.push({ step: 'decision', type: `decision (${decision.trigger})`, ts: isoFromUs(t0), venue_ts: isoFromUs(num(decision.ts_event_us)!), since_decision_us: 0, since_prev_us: 0, status: '', detail: JSON.stringify(decision.inputs) });
  let sawRisk = false;
  for (const e of events) {
    const ts = num(e.ts_recv_us)!;
    const type = String(e.type);
    if (!sawRisk && (type === 'order.denied' || type === 'order.submitted')) {
      sawRisk = true;
      // Risk approval is not an event of its own: a submit after the request means the gate passed it.
      if (type === 'order.submitted') timeline.push({ step: 'risk', type: 'risk passed', ts: isoFromUs(ts), venue_ts: '', since_decision_us: ts - t0, since_prev_us: ts - prev, status: '', detail: 'no denial' });
    }
    const step = type === 'order.requested' ? 'request' : type === 'order.denied' ? 'risk' : type === 'order.submitted' ? 'submit'
      : type === 'order.accepted' ? 'ack' : type === 'order.filled' ? 'fill' : ['order.canceled', 'order.rejected', 'order.expired'].includes(type) ? 'end' : 'event';
    timeline.push({ step, type, ts: isoFromUs(ts), venue_ts: isoFromUs(num(e.ts_event_us)!), since_decision_us: ts - t0, since_prev_us: ts - prev, status: e.status_after, detail: JSON.stringify(e.detail) });
    prev = ts;
  }
  return { order, decision, timeline };
}

export async function auditRun(conn: SqlConn, runId: string): Promise<{ run: Record<string, unknown>; orders: Rows; pnl: Rows; denials: Rows }> {
  const run = (await conn.query('SELECT run_id, mode, scenario, seed, config_hash, code_version, first_ts_us, last_ts_us, events, decisions, orders, fills, denials, completed FROM runs WHERE run_id = $1', [runId]))[0];
  if (!run) throw new HftError('HFT_ERR_NOT_FOUND', `no run '${runId}' in the read models`);
  const orders = await conn.query('SELECT status, count(*)::int AS orders, sum(filled_lots)::bigint AS filled_lots FROM orders WHERE run_id = $1 GROUP BY status ORDER BY status', [runId]);
  const pnl = await pnlBy(conn, 'instrument', runId);
  const denials = await auditDenials(conn, runId);
  return { run, orders, pnl, denials };
}

export async function auditDenials(conn: SqlConn, runId?: string): Promise<Rows> {
  return conn.query(
    `SELECT run_id, rule, reason, count(*)::int AS denials, min(ts_event_us) AS first_ts_us, max(ts_event_us) AS last_ts_us
     FROM risk_denials ${runId ? 'WHERE run_id = $1' : ''} GROUP BY run_id, rule, reason ORDER BY run_id, denials DESC, rule, reason`, runId ? [runId] : []);
}

/** Realized P&L, fees, funding and net (realized − fees + funding) by day or instrument. */
export async function pnlBy(conn: SqlConn, by: 'day' | 'instrument', runId?: string): Promise<Rows> {
  const key = by === 'day' ? `to_char(day, 'YYYY-MM-DD') AS day` : 'instrument';
  const group = by === 'day' ? 'day' : 'instrument';
  return conn.query(
    `SELECT run_id, ${key}, currency, sum(fills)::int AS fills, sum(volume) AS volume, sum(realized_pnl) AS realized_pnl,
            sum(fees) AS fees, sum(funding) AS funding, sum(realized_pnl) - sum(fees) + sum(funding) AS net_pnl
     FROM pnl_daily ${runId ? 'WHERE run_id = $1' : ''} GROUP BY run_id, ${group}, currency ORDER BY run_id, ${group}, currency`, runId ? [runId] : []);
}

const withIso = (rows: Rows): Rows => rows.map((r) => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k.endsWith('_ts_us') || k === 'first_ts_us' || k === 'last_ts_us') o[k.replace(/_us$/, '')] = v === null ? null : isoFromUs(Number(v));
    else o[k] = v;
  }
  return o;
});

export const auditCommand: Command = {
  name: 'audit',
  summary: 'audit an order, a run, risk denials or P&L from the read models',
  help: [
    'usage: hft audit order <clientOrderId> [--run <runId>]',
    '       hft audit run <runId>',
    '       hft audit denials [--run <runId>]',
    '       hft audit pnl --by day|instrument [--run <runId>]',
    '   common: [--pg <url>] [--store <uri>] [--schema <name>] [--json]',
    '',
    'order:   the timeline from the decision (with the inputs the strategy used) through risk, submit,',
    '         ack, each fill and the end, with µs since the decision and since the previous step',
    'run:     the run, its orders by status, P&L by instrument and its denials',
    'denials: risk denials counted by rule and reason',
    'pnl:     realized P&L, fees, funding and net by UTC day or by instrument',
    '',
    'With --pg the read models hft project keeps in PostgreSQL are queried; without it they are',
    'built from the store on demand in an embedded PostgreSQL (PGlite), with the same DDL and reducers.',
    '',
    'options:',
    '  --pg <url>        PostgreSQL holding the read models',
    `  --store <uri>     event store to project when there is no --pg (default ${DEFAULT_STORE_URI})`,
    `  --schema <name>   read-model schema (default ${DEFAULT_PROJECTION_SCHEMA})`,
    '  --run <runId>     only this run',
    '  --by day|instrument',
    '  --json            JSON instead of tables',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      pg: { type: 'string' }, store: { type: 'string' }, schema: { type: 'string' }, run: { type: 'string' },
      by: { type: 'string' }, json: { type: 'boolean' },
    });
    const [what, arg, ...extra] = positionals;
    const json = values.json ?? false;
    const needArg = what === 'order' || what === 'run';
    if (!what || !['order', 'run', 'denials', 'pnl'].includes(what)) throw new HftError('HFT_ERR_USAGE', `hft audit needs one of: order <clientOrderId>, run <runId>, denials, pnl --by day|instrument (got '${what ?? ''}')`);
    if (needArg && !arg) throw new HftError('HFT_ERR_USAGE', `hft audit ${what} needs ${what === 'order' ? '<clientOrderId>' : '<runId>'}`);
    if (extra.length > 0 || (!needArg && arg)) throw new HftError('HFT_ERR_USAGE', `unexpected argument(s): ${[...(needArg ? [] : [arg]), ...extra].join(' ')}`);
    if (what === 'pnl' && values.by !== 'day' && values.by !== 'instrument') throw new HftError('HFT_ERR_USAGE', `hft audit pnl needs --by day or --by instrument (got '${values.by ?? ''}')`);
    const session = await openReadModels(values, io);
    try {
      await report(session.conn, what as 'order' | 'run' | 'denials' | 'pnl', arg, values.run, values.by as 'day' | 'instrument', json, io);
      return 0;
    } finally {
      await session.close();
    }
  },
};

async function report(conn: SqlConn, what: 'order' | 'run' | 'denials' | 'pnl', arg: string | undefined, runId: string | undefined, by: 'day' | 'instrument', json: boolean, io: CliIO): Promise<void> {
  switch (what) {
    case 'order': {
      const a = await auditOrder(conn, arg!, runId);
      if (json) { io.out(JSON.stringify(a)); return; }
      const o = a.order;
      io.out(`order ${o.client_order_id}  run ${o.run_id}  ${o.strategy_id} ${o.side} ${o.size_lots} lots @ ${o.price_ticks} ticks ${o.instrument} ${o.order_type}/${o.time_in_force}  status ${o.status} (filled ${o.filled_lots} lots in ${o.fills} fills)`);
      if (a.decision) io.out(`decision ${a.decision.event_id} (${a.decision.strategy_id}, trigger ${a.decision.trigger}) inputs ${JSON.stringify(a.decision.inputs)}`);
      io.out('ts = when the engine saw it (tsRecv); venue_ts = exchange/venue time (tsEvent); latencies in µs on ts');
      printRows(io, a.timeline, false, ['step', 'type', 'ts', 'venue_ts', 'since_decision_us', 'since_prev_us', 'status', 'detail']);
      return;
    }
    case 'run': {
      const a = await auditRun(conn, arg!);
      if (json) { io.out(JSON.stringify({ ...a, run: withIso([a.run])[0] })); return; }
      printRows(io, withIso([a.run]), false);
      io.out('');
      printRows(io, a.orders, false);
      io.out('');
      printRows(io, a.pnl, false);
      io.out('');
      printRows(io, withIso(a.denials), false);
      return;
    }
    case 'denials': printRows(io, withIso(await auditDenials(conn, runId)), json); return;
    case 'pnl': printRows(io, await pnlBy(conn, by, runId), json); return;
  }
}
