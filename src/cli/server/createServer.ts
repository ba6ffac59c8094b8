/**
 * The API server: REST over the read models, operator actions (trader role), a WebSocket that pushes a
 * run's events as they are appended, and the live dashboard page. Built without listening so tests
 * inject requests in process; `hft serve` listens (127.0.0.1 unless told otherwise).
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { HftError, isHftError, type ErrorCode } from '../../core/errors.ts';
import { pageAsset } from './assets.ts';
import type { EventHub } from './EventHub.ts';
import type { OmsControl, OperatorAction } from './OmsControl.ts';
import { TERMINAL_STATUSES, type Row, type RunReadModels } from './RunReadModels.ts';
import { bearerOf, roleOf, type Role, type TokenTable } from './tokens.ts';

export interface ServerOptions {
  /** The server's one subscription to the store (WebSocket clients follow it). */
  readonly hub: EventHub;
  readonly readModels: RunReadModels;
  readonly tokens: TokenTable;
  readonly control: OmsControl;
  /** fastify's logger (requests only; headers, and so tokens, are never logged). Default off. */
  readonly logger?: boolean;
  /** How long a WebSocket client has to authenticate (ms). */
  readonly wsAuthTimeoutMs?: number;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  HFT_ERR_NOT_FOUND: 404, HFT_ERR_RUN_NOT_LIVE: 409, HFT_ERR_USAGE: 400, HFT_ERR_BAD_INPUT: 400, HFT_ERR_CONFIG: 400,
};

declare module 'fastify' {
  interface FastifyRequest { role?: Role }
  interface FastifyContextConfig { trader?: boolean; open?: boolean }
}

function unauthorized(message: string, statusCode: 401 | 403): HftError & { statusCode: number } {
  return Object.assign(new HftError('HFT_ERR_UNAUTHORIZED', message), { statusCode });
}

const intQuery = (v: unknown, name: string, fallback: number, max: number): number => {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new HftError('HFT_ERR_USAGE', `query parameter '${name}' must be a non-negative integer, got '${String(v)}'`);
  return Math.min(Number(v), max);
};

function percentile(sorted: number[], p: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

export async function createServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { hub, readModels: rm, tokens, control } = opts;
  const app = Fastify({ logger: opts.logger ?? false });
  await app.register(websocket);

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const code = isHftError(err) ? err.code : undefined;
    const status = err.statusCode ?? (code ? STATUS[code] : undefined) ?? 500;
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.status(status).send({ error: code ?? (status < 500 ? 'HFT_ERR_USAGE' : 'internal'), message: err.message });
  });

  // Every /api route needs a token; mutating ones the trader role. The WebSocket authenticates itself
  // (a browser cannot set headers on it), the dashboard page and health carry no data.
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const cfg = req.routeOptions.config;
    if (cfg?.open) return;
    const header = req.headers.authorization;
    const role = roleOf(tokens, bearerOf(header));
    if (req.routeOptions.url?.endsWith('/ws') && header === undefined) return;
    if (!role) throw unauthorized(header === undefined ? 'missing Authorization: Bearer <token>' : 'unknown token', 401);
    if (cfg?.trader && role !== 'trader') throw unauthorized(`this action needs the trader role; the token has '${role}'`, 403);
    req.role = role;
  });

  const runOr404 = async (runId: string): Promise<Row> => {
    const run = await rm.run(runId);
    if (!run) throw new HftError('HFT_ERR_NOT_FOUND', `run '${runId}' is not in the read models`, { runId });
    return run;
  };

  app.get('/', { config: { open: true } }, async (_req, reply) => reply.redirect('/dashboard'));
  app.get('/dashboard', { config: { open: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(pageAsset('dashboard.html')));
  app.get('/dashboard.js', { config: { open: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(pageAsset('dashboard.js')));
  app.get('/api/health', { config: { open: true } }, async () => ({ ok: true, readModels: rm.source, position: await rm.position() }));

  type P = { Params: { runId: string; clientOrderId?: string }; Querystring: Record<string, string | undefined>; Body: { reason?: unknown } | undefined };
  app.get('/api/runs', async () => ({ runs: await rm.runs() }));
  app.get<P>('/api/runs/:runId', async (req) => ({ run: await runOr404(req.params.runId), live: await control.isLive(req.params.runId) }));
  app.get<P>('/api/runs/:runId/orders', async (req) => {
    await runOr404(req.params.runId);
    const q = req.query;
    if (q.open !== undefined && q.open !== 'true' && q.open !== 'false') throw new HftError('HFT_ERR_USAGE', `query parameter 'open' must be true or false, got '${q.open}'`);
    return { orders: await rm.orders(req.params.runId, { open: q.open === 'true', ...(q.status !== undefined ? { status: q.status } : {}), limit: intQuery(q.limit, 'limit', 500, 10_000) }) };
  });
  app.get<P>('/api/runs/:runId/orders/:clientOrderId', async (req) => {
    const o = await rm.order(req.params.runId, req.params.clientOrderId!);
    if (!o) throw new HftError('HFT_ERR_NOT_FOUND', `order '${req.params.clientOrderId}' of run '${req.params.runId}' is not in the read models`);
    return { order: o.order, timeline: o.events };
  });
  app.get<P>('/api/runs/:runId/fills', async (req) => { await runOr404(req.params.runId); return { fills: await rm.fills(req.params.runId, intQuery(req.query.limit, 'limit', 500, 10_000)) }; });
  app.get<P>('/api/runs/:runId/positions', async (req) => { await runOr404(req.params.runId); return { positions: await rm.positions(req.params.runId) }; });
  app.get<P>('/api/runs/:runId/pnl', async (req) => { await runOr404(req.params.runId); return rm.pnl(req.params.runId); });
  app.get<P>('/api/runs/:runId/denials', async (req) => { await runOr404(req.params.runId); return { denials: await rm.denials(req.params.runId, intQuery(req.query.limit, 'limit', 500, 10_000)) }; });
  app.get<P>('/api/runs/:runId/risk', async (req) => { await runOr404(req.params.runId); return { states: await rm.riskStates(req.params.runId) }; });

  // One consistent picture for the dashboard; it then follows the WebSocket from `position` + 1.
  app.get<P>('/api/runs/:runId/dashboard', async (req) => {
    const runId = req.params.runId;
    const position = await rm.position();
    const run = await runOr404(runId);
    const [positions, openOrders, fills, risk] = await Promise.all([
      rm.positions(runId), rm.orders(runId, { open: true, limit: 500 }), rm.fills(runId, 50), rm.riskStates(runId),
    ]);
    const orders = await rm.orders(runId, { limit: 10_000 });
    const ack: number[] = [], fill: number[] = [];
    for (const o of orders) {
      const s = o.submitted_ts_us as number | null;
      if (s === null) continue;
      if (o.accepted_ts_us !== null) ack.push((o.accepted_ts_us as number) - s);
      if (o.first_fill_ts_us !== null) fill.push((o.first_fill_ts_us as number) - s);
    }
    ack.sort((a, b) => a - b); fill.sort((a, b) => a - b);
    const last = risk[risk.length - 1];
    return {
      position, run, live: await control.isLive(runId), positions, openOrders, fills,
      latency: { ordersSampled: orders.length, ackP50Us: percentile(ack, 0.5), ackP99Us: percentile(ack, 0.99), fillP50Us: percentile(fill, 0.5), fillP99Us: percentile(fill, 0.99) },
      risk: { state: last ? last.to_state : null, changes: risk.slice(-20) },
    };
  });

  // 202: the command is accepted (appended to the run's control stream); its effect follows in the log.
  const act = async (req: FastifyRequest<P>, reply: FastifyReply, kind: OperatorAction['kind']) => {
    const runId = req.params.runId;
    await runOr404(runId);
    const reason = req.body?.reason;
    if (reason !== undefined && typeof reason !== 'string') throw new HftError('HFT_ERR_USAGE', `body field 'reason' must be a string`);
    if (kind === 'cancel-order') {
      const o = await rm.order(runId, req.params.clientOrderId!);
      if (!o) throw new HftError('HFT_ERR_NOT_FOUND', `order '${req.params.clientOrderId}' of run '${runId}' is not in the read models`);
      if (TERMINAL_STATUSES.includes(o.order.status as string)) throw Object.assign(new HftError('HFT_ERR_USAGE', `order '${req.params.clientOrderId}' is already ${String(o.order.status)}`), { statusCode: 409 });
    }
    const ack = await control.act({ kind, runId, ...(req.params.clientOrderId ? { clientOrderId: req.params.clientOrderId } : {}), reason: reason ?? `operator ${kind}`, actor: req.role ?? 'unknown' });
    return reply.code(202).send({ ...ack });
  };
  app.post<P>('/api/runs/:runId/orders/:clientOrderId/cancel', { config: { trader: true } }, (req, reply) => act(req, reply, 'cancel-order'));
  app.post<P>('/api/runs/:runId/cancel-all', { config: { trader: true } }, (req, reply) => act(req, reply, 'cancel-all'));
  app.post<P>('/api/runs/:runId/kill-switch', { config: { trader: true } }, (req, reply) => act(req, reply, 'kill-switch'));

  // Events of one run as they are appended: {type:'events', events:[...]} frames from `from` on.
  // Authentication: an Authorization header, or (browsers) a first message {type:'auth', token}.
  app.get<P>('/api/runs/:runId/ws', { websocket: true }, (socket: WebSocket, req) => {
    const streamId = `run-${req.params.runId}`;
    let from: number;
    try { from = intQuery(req.query.from, 'from', 0, Number.MAX_SAFE_INTEGER); } catch (e) { socket.close(4400, (e as Error).message.slice(0, 120)); return; }
    const abort = new AbortController();
    socket.on('close', () => abort.abort());
    const start = (): void => {
      hub.follow(from, (batch) => {
        const mine = batch.filter((e) => e.streamId === streamId);
        if (mine.length > 0 && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'events', events: mine }));
      }, abort.signal).catch((e: Error) => { if (!abort.signal.aborted && socket.readyState === socket.OPEN) socket.close(1011, e.message.slice(0, 120)); });
    };
    if (req.role) { socket.send(JSON.stringify({ type: 'ready', role: req.role })); start(); return; }
    const timer = setTimeout(() => socket.close(4401, 'authenticate first: {"type":"auth","token":"..."}'), opts.wsAuthTimeoutMs ?? 5_000);
    socket.once('message', (raw: Buffer) => {
      clearTimeout(timer);
      let msg: { type?: unknown; token?: unknown };
      try { msg = JSON.parse(raw.toString('utf8')) as typeof msg; } catch { socket.close(4400, 'first message must be JSON {"type":"auth","token":"..."}'); return; }
      const role = msg.type === 'auth' && typeof msg.token === 'string' ? roleOf(tokens, msg.token) : undefined;
      if (!role) { socket.close(4401, 'unknown token'); return; }
      socket.send(JSON.stringify({ type: 'ready', role }));
      start();
    });
  });

  return app;
}

export type { FastifyInstance, FastifyReply };
