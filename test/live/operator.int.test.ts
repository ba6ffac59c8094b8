/**
 * Operator actions on a running paper session, end to end: the demo market maker on paper
 * (runSession, as `hft paper` runs it) against the local Binance spot emulator replaying the real
 * BTCUSDT capture, and `hft serve`'s server in process (inject) over the same file store. A trader's
 * action is appended to the run's control stream (the file store's control store beside it), the
 * session carries it out, and the run log links operator event -> decision -> cancel request -> cancel.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { parityOfRun } from '../../src/cli/commands/parity.ts';
import { runSession, type SessionResult } from '../../src/cli/commands/paper.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { controlDirOf, controlWriter } from '../../src/cli/server/controlStore.ts';
import { createServer } from '../../src/cli/server/createServer.ts';
import { EventHub } from '../../src/cli/server/EventHub.ts';
import { EventLogControl } from '../../src/cli/server/EventLogControl.ts';
import { MemoryRunReadModels } from '../../src/cli/server/MemoryRunReadModels.ts';
import { parseTokens } from '../../src/cli/server/tokens.ts';
import { openStore } from '../../src/cli/store.ts';
import { controlStreamId, OPERATOR_STRATEGY_ID } from '../../src/engine/live/OperatorDesk.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect, type EventStore } from '../../src/eventstore/port.ts';
import type { EventEnvelope } from '../../src/model/events.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE = ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'].map((f) => join(ROOT, f));
const VIEWER = 'viewer-0123456789abcdef';
const TRADER = 'trader-0123456789abcdef';
const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const TERMINAL = ['filled', 'canceled', 'rejected', 'denied', 'expired'];

let emu: BinanceSpotEmulator;
let cwd: string;
let runId = '';
let stopSession: (reason: string) => void;
let session: Promise<SessionResult>;
let store: EventStore;
let hub: EventHub;
let rm: MemoryRunReadModels;
let app: FastifyInstance;
let base = '';
const io = () => ({ out: () => {}, err: () => {}, env: {} as Record<string, string>, cwd, isTTY: false });

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type OrderRow = { client_order_id: string; status: string };
const openOrders = async (): Promise<OrderRow[]> => (await app.inject({ url: `/api/runs/${runId}/orders?open=true`, headers: auth(VIEWER) })).json().orders;
const runEvents = async (): Promise<EventEnvelope[]> => collect(store.readStream(`run-${runId}`));
async function controlEvents(): Promise<EventEnvelope[]> {
  const s = await FileEventStore.open(controlDirOf('file:store', cwd)!, { readOnly: true });
  try { return await collect(s.readStream(controlStreamId(runId))); } finally { await s.close(); }
}

/** The chain in the run log from one operator command: its decision, the cancel requests it caused, their outcomes. */
async function chainOf(commandId: string) {
  const events = await runEvents();
  const decision = events.find((e) => e.type === 'decision' && (e as EventEnvelope<'decision'>).data.strategyId === OPERATOR_STRATEGY_ID && (e as EventEnvelope<'decision'>).data.inputs.commandId === commandId);
  if (!decision) return undefined;
  const requests = events.filter((e) => e.type === 'order.cancel-requested' && e.causationId === decision.id);
  // An order whose placement was still unanswered when the cancel was asked can close by the venue's
  // rejection of that placement (a post-only order that would have taken liquidity), caused by the cancel request.
  const outcomes = requests.map((r) => events.find((e) => e.causationId === r.id && (e.type === 'order.canceled' || e.type === 'order.filled' || e.type === 'order.cancel-rejected' || e.type === 'order.rejected')));
  return { decision: decision as EventEnvelope<'decision'>, requests: requests as EventEnvelope<'order.cancel-requested'>[], outcomes, events };
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'hft-operator-'));
  mkdirSync(join(cwd, 'scenarios'));
  copyFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), join(cwd, 'scenarios/demo-mm-btcusdt.json'));
  emu = await startEmulator({ captures: CAPTURE, speed: 10, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, cwd);
  let started!: (id: string) => void;
  const startedP = new Promise<string>((r) => { started = r; });
  session = runSession({
    mode: 'paper', scenarioPath: 'scenarios/demo-mm-btcusdt.json', storeUri: 'file:store', restUrl: emu.url.rest, wsUrl: emu.url.ws,
    stopWhen: new Promise((s) => { stopSession = s; }), onStarted: ({ runId: id }) => started(id),
  }, io());
  session.catch(() => undefined);
  runId = await Promise.race([startedP, session.then(() => { throw new Error('session ended before it started'); })]);
  store = await openStore('file:store', { cwd, readOnly: true });
  hub = EventHub.start(store, 0);
  rm = await MemoryRunReadModels.follow(hub);
  const control = new EventLogControl({ readModels: rm, writer: controlWriter('file:store', cwd, store), clockUs: wallClockUs() });
  app = await createServer({ hub, readModels: rm, tokens: parseTokens(`${VIEWER}:viewer,${TRADER}:trader`), control });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  stopSession?.('test end');
  await session?.catch(() => undefined);
  await app?.close(); await rm?.close(); await hub?.close(); await store?.close();
  await emu?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('operator actions on a paper session through hft serve', () => {
  it('shows the paper run as live once its quotes rest', async () => {
    await until('open quotes', 20_000, async () => ((await rm.run(runId)) && (await openOrders()).length >= 2 ? true : undefined));
    const r = (await app.inject({ url: `/api/runs/${runId}`, headers: auth(VIEWER) })).json();
    expect([r.run.mode, r.run.completed, r.live]).toEqual(['paper', false, true]);
  }, 30_000);

  it('refuses a viewer (403) and appends nothing to the control stream', async () => {
    const open = await openOrders();
    for (const url of [`/api/runs/${runId}/orders/${open[0]!.client_order_id}/cancel`, `/api/runs/${runId}/cancel-all`, `/api/runs/${runId}/kill-switch`]) {
      const r = await app.inject({ method: 'POST', url, headers: auth(VIEWER), payload: { reason: 'viewer tries' } });
      expect([r.statusCode, r.json().error], url).toEqual([403, 'HFT_ERR_UNAUTHORIZED']);
    }
    expect(await controlEvents()).toEqual([]);
    const decisions = (await runEvents()).filter((e) => e.type === 'decision' && (e as EventEnvelope<'decision'>).data.strategyId === OPERATOR_STRATEGY_ID);
    expect(decisions).toEqual([]);
  });

  it('cancels one order for a trader: 202 with the command position, then decision -> cancel request -> canceled', async () => {
    // A quote may fill, or the market maker may ask to cancel it itself, between our read and the
    // session acting on the command: the desk then records a decision without intents ('order is
    // filled', 'cancel already requested'), and we try the next resting quote.
    for (let attempt = 0; ; attempt++) {
      const target = await until('a resting quote', 5000, async () => (await openOrders()).find((o) => o.status === 'accepted'));
      const r = await app.inject({ method: 'POST', url: `/api/runs/${runId}/orders/${target.client_order_id}/cancel`, headers: auth(TRADER), payload: { reason: 'too wide' } });
      expect(r.statusCode).toBe(202);
      const ack = r.json();
      expect(ack).toMatchObject({ accepted: true, streamId: `control-${runId}`, eventId: `control-${runId}-${attempt}`, position: expect.any(Number) });
      const cmd = (await controlEvents())[attempt];
      expect(cmd).toMatchObject({ id: ack.eventId, position: ack.position, type: 'operator.cancel-requested', runId, data: { runId, clientOrderId: target.client_order_id, by: 'trader', reason: 'too wide' } });
      expect(JSON.stringify(cmd)).not.toContain(TRADER);

      const chain = await until('the cancel chain', 3000, async () => { const c = await chainOf(ack.eventId); return c?.outcomes.every((o) => o) ? c : undefined; });
      expect(chain.decision.data.inputs).toMatchObject({ command: 'operator.cancel-requested', commandPosition: ack.position, by: 'trader', clientOrderId: target.client_order_id });
      if (chain.decision.data.inputs.outcome !== 'cancel') {
        expect(chain.decision.data.inputs.outcome).toMatch(/^(order is (filled|canceled|expired|rejected)|cancel already requested)$/);
        expect(chain.requests).toEqual([]);
        expect(attempt).toBeLessThan(5);
        continue;
      }
      expect(chain.requests.map((e) => e.data.clientOrderId)).toEqual([target.client_order_id]);
      // Canceled, or filled first if the venue matched it while the cancel was on its way, or its placement rejected.
      expect(['order.canceled', 'order.filled', 'order.rejected']).toContain(chain.outcomes[0]!.type);
      expect(chain.outcomes[0]!.data).toMatchObject({ clientOrderId: target.client_order_id });
      break;
    }
  }, 20_000);

  it('cancels every open order on a trader\'s cancel-all, each within 1 s, pushed to the dashboard\'s WebSocket', async () => {
    // What the dashboard follows: the run's events over the WebSocket, from the log head on.
    const pushed = new Map<string, number>();
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/runs/${runId}/ws?from=${(await store.headPosition()) + 1}`, { headers: auth(VIEWER) });
    ws.on('message', (raw: Buffer) => {
      const msg = JSON.parse(String(raw)) as { type: string; events?: EventEnvelope[] };
      for (const e of msg.events ?? []) if (e.type === 'order.canceled' || e.type === 'order.filled' || e.type === 'order.rejected') pushed.set((e.data as { clientOrderId: string }).clientOrderId, Date.now());
    });
    await new Promise((res, rej) => { ws.once('message', res); ws.once('error', rej); });
    const t0 = Date.now();
    const r = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel-all`, headers: auth(TRADER), payload: { reason: 'flatten' } });
    expect(r.statusCode).toBe(202);
    const ack = r.json();
    const chain = await until('the cancel-all chain', 3000, async () => { const c = await chainOf(ack.eventId); return c?.outcomes.every((o) => o) ? c : undefined; });
    const ids = chain.requests.map((e) => e.data.clientOrderId);
    expect(ids.length).toBeGreaterThan(0);
    // Every order open when the desk acted was asked to cancel, unless a cancel of it was already on
    // its way (the market maker's own requote: one request in flight per order): none is left open
    // (the market maker may quote anew at once: cancel-all is not a halt, the kill switch is).
    const openBefore = chain.events.filter((e) => e.position < chain.decision.position);
    const stillOpenIds = new Set(openBefore.filter((e) => e.type === 'order.submitted').map((e) => (e as EventEnvelope<'order.submitted'>).data.clientOrderId));
    for (const e of openBefore) if (['order.canceled', 'order.filled', 'order.rejected', 'order.expired'].includes(e.type) && (e.type !== 'order.filled' || (e as EventEnvelope<'order.filled'>).data.leavesLots === 0)) stillOpenIds.delete((e.data as { clientOrderId: string }).clientOrderId);
    const cancelInFlight = new Set<string>();
    for (const e of openBefore) {
      const id = (e.data as { clientOrderId?: string }).clientOrderId;
      if (id === undefined) continue;
      if (e.type === 'order.cancel-requested') cancelInFlight.add(id);
      else if (e.type === 'order.cancel-rejected') cancelInFlight.delete(id);
    }
    const expected = new Set([...stillOpenIds].filter((id) => !cancelInFlight.has(id)));
    expect(new Set(ids)).toEqual(expected);
    for (const o of chain.outcomes) expect(['order.canceled', 'order.filled', 'order.rejected']).toContain(o!.type);
    const openAtCommand = [...stillOpenIds];
    const seenMs = await until('the cancels in the read models', 3000, async () => {
      const rows = await Promise.all(openAtCommand.map((id) => rm.order(runId, id)));
      return rows.every((x) => x && TERMINAL.includes(x.order.status as string)) ? Date.now() - t0 : undefined;
    });
    expect(seenMs).toBeLessThan(1000);
    const pushedMs = await until('the cancels on the WebSocket', 3000, async () => (ids.every((id) => pushed.has(id)) ? Math.max(...ids.map((id) => pushed.get(id)!)) - t0 : undefined));
    ws.close();
    console.log(`cancel-all of ${ids.length} orders: terminal in the read models ${seenMs} ms, on the WebSocket ${pushedMs} ms after the request`);
    expect(pushedMs).toBeLessThan(1000);
  }, 10_000);

  it('takes concurrent commands one after the other: consecutive ids and positions, each carried out once', async () => {
    const [a, b] = await Promise.all([1, 2].map((n) => app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel-all`, headers: auth(TRADER), payload: { reason: `burst ${n}` } })));
    expect([a!.statusCode, b!.statusCode]).toEqual([202, 202]);
    const acks = [a!.json(), b!.json()].sort((x, y) => x.position - y.position);
    const n = Number(acks[0].eventId.split('-').at(-1));
    expect(acks.map((k) => k.eventId)).toEqual([`control-${runId}-${n}`, `control-${runId}-${n + 1}`]);
    expect(acks[1].position).toBe(acks[0].position + 1);
    for (const k of acks) {
      const c = await until('the decision', 3000, async () => chainOf(k.eventId));
      expect(c.events.filter((e) => e.type === 'decision' && (e as EventEnvelope<'decision'>).data.inputs.commandId === k.eventId)).toHaveLength(1);
    }
  }, 10_000);

  it('halts the run on a trader\'s kill switch: zero open orders within 1 s, and it stays at zero', async () => {
    const t0 = Date.now();
    const r = await app.inject({ method: 'POST', url: `/api/runs/${runId}/kill-switch`, headers: auth(TRADER), payload: { reason: 'test halt' } });
    expect(r.statusCode).toBe(202);
    const ack = r.json();
    const zeroMs = await until('zero open orders', 3000, async () => ((await openOrders()).length === 0 && (await rm.riskStates(runId)).at(-1)?.to_state === 'HALTED' ? Date.now() - t0 : undefined));
    console.log(`kill switch: zero open orders and HALTED in the read models ${zeroMs} ms after the request`);
    expect(zeroMs).toBeLessThan(1000);
    await new Promise((res) => setTimeout(res, 500));
    expect(await openOrders()).toEqual([]);
    const events = await runEvents();
    const halt = events.find((e) => e.type === 'risk.state-changed' && (e as EventEnvelope<'risk.state-changed'>).data.values.commandId === ack.eventId) as EventEnvelope<'risk.state-changed'>;
    expect(halt.data).toMatchObject({ to: 'HALTED', reason: 'operator kill switch (trader): test halt', values: { commandPosition: ack.position } });
    const decision = events.find((e) => e.type === 'decision' && (e as EventEnvelope<'decision'>).data.inputs.commandId === ack.eventId)!;
    expect(decision.position).toBeGreaterThan(halt.position);
    // After the halt the strategy's new orders are denied by the trading-state rule, none submitted.
    const after = events.filter((e) => e.position > halt.position);
    expect(after.filter((e) => e.type === 'order.submitted')).toEqual([]);
    const denied = after.filter((e) => e.type === 'order.denied') as EventEnvelope<'order.denied'>[];
    for (const d of denied) expect(d.data.rule).toBe('tradingState');
  }, 10_000);

  it('answers 409 once the session has completed, and appends nothing', async () => {
    stopSession('test stop');
    const result = await session;
    expect(result.summary.openOrdersAtEnd).toBe(0);
    await until('run.completed in the read models', 5000, async () => ((await rm.run(runId))?.completed === true ? true : undefined));
    const before = (await controlEvents()).length;
    const r = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel-all`, headers: auth(TRADER), payload: { reason: 'too late' } });
    expect([r.statusCode, r.json().error]).toEqual([409, 'HFT_ERR_RUN_NOT_LIVE']);
    expect(r.json().message).toMatch(/completed/);
    expect((await controlEvents()).length).toBe(before);
    expect((await app.inject({ url: `/api/runs/${runId}`, headers: auth(VIEWER) })).json().live).toBe(false);
  }, 30_000);

  it('replays the session the operator acted on to the identical event stream (parity 100%)', async () => {
    const commands = await controlEvents();
    // Every command was logged as an input where the session carried it out, in control-stream order.
    const inputs = await collect(store.readStream(`inputs-${runId}`));
    const applied = inputs.filter((e) => e.type === 'operator.command-applied') as EventEnvelope<'operator.command-applied'>[];
    expect(applied.map((e) => e.data.command.id)).toEqual(commands.map((c) => c.id));
    for (let i = 1; i < applied.length; i++) expect(applied[i]!.data.afterRows).toBeGreaterThanOrEqual(applied[i - 1]!.data.afterRows);
    const p = await parityOfRun(runId, 'file:store', io());
    expect(p.divergence).toBeUndefined();
    expect([p.ok, p.matchRate, p.operatorCommands]).toEqual([true, 1, commands.length]);
    // The compared events hold every operator decision and the kill switch's HALTED: a replay
    // without the commands could not have produced them.
    const recorded = await runEvents();
    const stop = recorded.findIndex((e) => e.type === 'run.stop-requested');
    const operatorDecisions = recorded.slice(0, stop).filter((e) => e.type === 'decision' && (e as EventEnvelope<'decision'>).data.strategyId === OPERATOR_STRATEGY_ID);
    expect(operatorDecisions.map((e) => (e as EventEnvelope<'decision'>).data.inputs.commandId)).toEqual(commands.map((c) => c.id));
    expect(p.compared).toBe(stop);
    expect(recorded.slice(0, stop).some((e) => e.type === 'risk.state-changed' && (e as EventEnvelope<'risk.state-changed'>).data.to === 'HALTED')).toBe(true);
  }, 60_000);
});
