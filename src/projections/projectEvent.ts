/**
 * The read-model reducer: folds run-log events into rows of the tables in projections/*.sql.
 * No I/O: the same reducer fills PostgreSQL (PostgresReadModelWriter), PGlite and in-memory models
 * (MemoryReadModels).
 *
 * Upserted rows are the state's live objects (copying each costs more than the rest of the fold); a
 * consumer writes or copies a batch before the next event is folded.
 *
 * State is what a row needs from earlier events (an order's current row, the last cumulative ledger
 * figures for daily deltas, realized equity per run). It is owned by one runner and updated in place
 * for speed; a runner that restarts rebuilds it by folding the log up to its checkpoint without writing.
 */
import type { EventEnvelope, EventType } from '../model/events.ts';
import { Money, ZERO } from '../model/accounting/Money.ts';
import type { Order, OrderStatus } from '../model/orders.ts';
import { isOrderEvent, resolveTarget, triggerOf, workingStatus, type OrderEvent } from '../oms/omsInternals.ts';
import { JsonText } from './JsonText.ts';
import type { Row, RowBatch } from './RowBatch.ts';

const US_PER_DAY = 86_400_000_000;

interface OrderState {
  /** `runId|clientOrderId`: the orders table's key in a RowBatch, built once per order. */
  readonly key: string;
  row: Row & { status: OrderStatus; filled_lots: number; fills: number };
  previousStatus: OrderStatus | undefined;
  /** Venue trade ids applied: a repeated fill report changes nothing (venues resend). */
  tradeIds: Set<string> | undefined;
}

interface LedgerState { realized: Money; fees: Money; funding: Money }

interface RunState {
  /** The run id as first seen: its hash is computed once (each event carries a fresh copy of the id). */
  readonly key: string;
  row: Row & { events: number; decisions: number; orders: number; fills: number; denials: number };
  initialBalances: Map<string, Money>;
  /** Realized equity contributions per currency: Σ (realized − fees + funding) over positions. */
  realizedByCurrency: Map<string, Money>;
  /** This run's orders by client order id (no key to build per event). */
  readonly orders: Map<string, OrderState>;
}

export interface ProjectionState {
  readonly ledgers: Map<string, LedgerState>;
  readonly daily: Map<string, Row>;
  readonly runs: Map<string, RunState>;
  /** The run of the last event folded: a log holds long stretches of one run's events. */
  lastRun?: RunState;
  /** Events folded so far. */
  events: number;
}

export function createProjectionState(): ProjectionState {
  return { ledgers: new Map(), daily: new Map(), runs: new Map(), events: 0 };
}

const dayCache = new Map<number, string>();
/** UTC calendar day of a µs timestamp, as YYYY-MM-DD. */
export function utcDay(tsUs: number): string {
  const n = Math.floor(tsUs / US_PER_DAY);
  let day = dayCache.get(n);
  if (day === undefined) {
    day = new Date(n * 86_400_000).toISOString().slice(0, 10);
    if (dayCache.size < 10_000) dayCache.set(n, day);
  }
  return day;
}

/**
 * Folds one event; the rows it changes go to `out` (pass `undefined` to only rebuild state).
 * `dataJson`: the event's `data` as JSON text, when the store read it as such (pageDataJson): an order
 * event's history row then keeps that text instead of the object, which the writer would serialize.
 */
export function projectEvent(state: ProjectionState, e: EventEnvelope, out: RowBatch | undefined, dataJson?: string): void {
  state.events++;
  const run = runOf(state, e);
  run.row.events++;
  run.row.last_ts_us = e.tsEvent > 0 ? e.tsEvent : run.row.last_ts_us;
  run.row.last_position = e.position;
  if (isOrderEvent(e) && !projectOrderEvent(state, run, e as EventEnvelope & OrderEvent, out, dataJson)) {
    out?.upsert('runs', run.key, run.row);
    return;
  }
  switch (e.type as EventType) {
    case 'run.started': {
      const d = (e as EventEnvelope<'run.started'>).data;
      Object.assign(run.row, { mode: d.mode, scenario: d.scenario, seed: d.seed, config_hash: d.configHash, code_version: d.codeVersion });
      const balances = (d.config as { scenario?: { accounting?: { initialBalances?: Record<string, string> } } } | undefined)?.scenario?.accounting?.initialBalances ?? {};
      for (const [ccy, amount] of Object.entries(balances)) run.initialBalances.set(ccy, new Money(amount));
      break;
    }
    case 'run.completed':
      run.row.completed = true;
      run.row.summary = (e as EventEnvelope<'run.completed'>).data.summary;
      break;
    case 'decision': {
      const d = (e as EventEnvelope<'decision'>).data;
      run.row.decisions++;
      out?.insert('decisions', e.id, {
        event_id: e.id, run_id: e.runId, position: e.position, strategy_id: d.strategyId, trigger: d.trigger,
        ts_event_us: e.tsEvent, ts_recv_us: e.tsRecv, inputs: d.inputs, intents: d.intents,
      });
      break;
    }
    case 'order.filled': {
      const d = (e as EventEnvelope<'order.filled'>).data;
      run.row.fills++;
      out?.insert('fills', `${e.runId}|${d.instrument}|${d.venueTradeId}`, {
        run_id: e.runId, instrument: d.instrument, venue_trade_id: d.venueTradeId, client_order_id: d.clientOrderId,
        strategy_id: d.strategyId, side: d.side, price_ticks: d.priceTicks, size_lots: d.sizeLots, leaves_lots: d.leavesLots,
        liquidity: d.liquidity, price: d.price, size: d.size, fee: d.fee, fee_currency: d.feeCurrency,
        ts_event_us: e.tsEvent, ts_recv_us: e.tsRecv, position: e.position,
      });
      const day = dailyRow(state, e.runId, d.strategyId, d.instrument, utcDay(e.tsEvent), d.feeCurrency);
      day.fills = (day.fills as number) + 1;
      day.volume = (day.volume as Money).plus(d.size);
      emitDaily(out, day);
      break;
    }
    case 'order.denied': {
      const d = (e as EventEnvelope<'order.denied'>).data;
      run.row.denials++;
      const order = run.orders.get(d.clientOrderId);
      out?.insert('risk_denials', String(e.position), {
        position: e.position, run_id: e.runId, client_order_id: d.clientOrderId,
        strategy_id: order?.row.strategy_id ?? null, instrument: order?.row.instrument ?? null,
        rule: d.rule, reason: d.reason, rule_values: d.values, ts_event_us: e.tsEvent,
      });
      break;
    }
    case 'risk.state-changed': {
      const d = (e as EventEnvelope<'risk.state-changed'>).data;
      out?.insert('risk_states', String(e.position), {
        position: e.position, run_id: e.runId, from_state: d.from, to_state: d.to, reason: d.reason, ts_event_us: e.tsEvent,
      });
      break;
    }
    case 'position.changed': {
      const d = (e as EventEnvelope<'position.changed'>).data;
      out?.upsert('positions', `${e.runId}|${d.strategyId}|${d.instrument}`, {
        run_id: e.runId, strategy_id: d.strategyId, instrument: d.instrument, quantity: d.quantity, avg_entry_price: d.avgEntryPrice,
        realized_pnl: d.realizedPnl, fees: d.fees, funding: d.funding, currency: d.currency, ts_us: e.tsEvent, last_position: e.position,
      });
      applyLedger(state, run, e, d.strategyId, d.instrument, d.currency, new Money(d.realizedPnl), new Money(d.fees), new Money(d.funding), out);
      break;
    }
    default:
      break;
  }
  // The live row, not a copy: a batch is written before the next one is folded, and the last state wins.
  out?.upsert('runs', run.key, run.row);
}

function runOf(state: ProjectionState, e: EventEnvelope): RunState {
  const last = state.lastRun;
  let run = last !== undefined && last.key === e.runId ? last : state.runs.get(e.runId);
  if (!run) {
    run = {
      key: e.runId,
      row: {
        run_id: e.runId, stream_id: e.streamId, mode: null, scenario: null, seed: null, config_hash: null, code_version: null,
        first_ts_us: e.tsEvent, last_ts_us: e.tsEvent, events: 0, decisions: 0, orders: 0, fills: 0, denials: 0,
        completed: false, summary: null, last_position: e.position,
      },
      initialBalances: new Map(), realizedByCurrency: new Map(), orders: new Map(),
    };
    state.runs.set(e.runId, run);
  }
  state.lastRun = run;
  // run.started carries tsEvent 0 (before any market time): the first real time starts the run.
  if ((run.row.first_ts_us as number) <= 0 && e.tsEvent > 0) run.row.first_ts_us = e.tsEvent;
  return run;
}

const ENDED: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['denied', 'rejected', 'filled', 'canceled', 'expired']);

/** False when the event repeats a fill already applied (nothing else may count it). */
function projectOrderEvent(state: ProjectionState, run: RunState, e: EventEnvelope & OrderEvent, out: RowBatch | undefined, dataJson: string | undefined): boolean {
  const d = e.data as { clientOrderId: string };
  let order = run.orders.get(d.clientOrderId);
  let created = false;
  if (e.type === 'order.requested' && !order) {
    created = true;
    const r = (e as EventEnvelope<'order.requested'>).data;
    run.row.orders++;
    order = {
      key: `${e.runId}|${r.clientOrderId}`,
      row: {
        run_id: e.runId, client_order_id: r.clientOrderId, strategy_id: r.strategyId, instrument: r.instrument, side: r.side,
        order_type: r.type, time_in_force: r.timeInForce, price_ticks: r.priceTicks, size_lots: r.sizeLots, status: 'initialized',
        filled_lots: 0, fills: 0, venue_order_id: null, decision_id: e.causationId, requested_ts_us: e.tsEvent,
        submitted_ts_us: null, accepted_ts_us: null, first_fill_ts_us: null, ended_ts_us: null, end_reason: null, last_position: e.position,
      },
      previousStatus: undefined, tradeIds: undefined,
    };
    run.orders.set(r.clientOrderId, order);
  }
  if (!order) {
    // An event for an order this log never requested: keep it in the history, flagged.
    out?.insert('order_events', String(e.position), historyRow(e, d.clientOrderId, 'unknown-order', dataJson));
    return true;
  }
  const row = order.row;
  if (e.type === 'order.filled') {
    const tradeId = (e as EventEnvelope<'order.filled'>).data.venueTradeId;
    order.tradeIds ??= new Set();
    if (order.tradeIds.has(tradeId)) {
      out?.insert('order_events', String(e.position), historyRow(e, d.clientOrderId, 'duplicate-fill', dataJson));
      return false;
    }
    order.tradeIds.add(tradeId);
  }
  if (e.type !== 'order.requested') {
    const asOrder = { status: row.status, filledLots: row.filled_lots, previousStatus: order.previousStatus } as unknown as Order;
    const target = resolveTarget(asOrder, triggerOf(e));
    if (target !== undefined) {
      if ((target === 'pending-cancel' || target === 'pending-update') && row.status !== target) {
        order.previousStatus = row.status === 'pending-update' ? workingStatus(asOrder) : row.status;
      }
      row.status = target;
    }
  }
  switch (e.type) {
    case 'order.submitted': row.submitted_ts_us ??= e.tsEvent; break;
    case 'order.accepted':
      row.accepted_ts_us ??= e.tsEvent;
      row.venue_order_id = (e as EventEnvelope<'order.accepted'>).data.venueOrderId;
      break;
    case 'order.updated': {
      const u = (e as EventEnvelope<'order.updated'>).data;
      row.price_ticks = u.priceTicks;
      row.size_lots = u.sizeLots;
      break;
    }
    case 'order.filled': {
      const f = (e as EventEnvelope<'order.filled'>).data;
      row.filled_lots += f.sizeLots;
      row.fills++;
      row.first_fill_ts_us ??= e.tsEvent;
      break;
    }
    default: break;
  }
  if (row.ended_ts_us === null && ENDED.has(row.status)) {
    row.ended_ts_us = e.tsEvent;
    row.end_reason = (e.data as { reason?: string }).reason ?? row.status;
  }
  row.last_position = e.position;
  out?.upsert('orders', order.key, row, created);
  out?.insert('order_events', String(e.position), historyRow(e, d.clientOrderId, row.status, dataJson));
  return true;
}

function historyRow(e: EventEnvelope, clientOrderId: string, statusAfter: string, dataJson: string | undefined): Row {
  return {
    position: e.position, run_id: e.runId, client_order_id: clientOrderId, event_id: e.id, type: e.type,
    ts_event_us: e.tsEvent, ts_recv_us: e.tsRecv, status_after: statusAfter, detail: dataJson === undefined ? e.data : new JsonText(dataJson),
  };
}

function dailyRow(state: ProjectionState, runId: string, strategyId: string, instrument: string, day: string, currency: string): Row {
  const key = `${runId}|${strategyId}|${instrument}|${day}`;
  let row = state.daily.get(key);
  if (!row) {
    row = { run_id: runId, strategy_id: strategyId, instrument, day, currency, realized_pnl: ZERO, fees: ZERO, funding: ZERO, fills: 0, volume: ZERO };
    state.daily.set(key, row);
  }
  return row;
}

function emitDaily(out: RowBatch | undefined, row: Row): void {
  out?.upsert('pnl_daily', `${row.run_id}|${row.strategy_id}|${row.instrument}|${row.day}`, {
    ...row, realized_pnl: (row.realized_pnl as Money).toString(), fees: (row.fees as Money).toString(),
    funding: (row.funding as Money).toString(), volume: (row.volume as Money).toString(),
  });
}

/** position.changed carries cumulative figures: the day gets the change since the previous one. */
function applyLedger(
  state: ProjectionState, run: RunState, e: EventEnvelope, strategyId: string, instrument: string, currency: string,
  realized: Money, fees: Money, funding: Money, out: RowBatch | undefined,
): void {
  const key = `${e.runId}|${strategyId}|${instrument}`;
  const prev = state.ledgers.get(key) ?? { realized: ZERO, fees: ZERO, funding: ZERO };
  const dRealized = realized.minus(prev.realized), dFees = fees.minus(prev.fees), dFunding = funding.minus(prev.funding);
  state.ledgers.set(key, { realized, fees, funding });
  const day = dailyRow(state, e.runId, strategyId, instrument, utcDay(e.tsEvent), currency);
  day.currency = currency; // the settle currency (a fill's fee currency may differ)
  day.realized_pnl = (day.realized_pnl as Money).plus(dRealized);
  day.fees = (day.fees as Money).plus(dFees);
  day.funding = (day.funding as Money).plus(dFunding);
  emitDaily(out, day);
  const total = (run.realizedByCurrency.get(currency) ?? ZERO).plus(dRealized).minus(dFees).plus(dFunding);
  run.realizedByCurrency.set(currency, total);
  out?.insert('equity_curve', `${e.runId}|${e.position}|${currency}`, {
    run_id: e.runId, position: e.position, currency, ts_us: e.tsEvent,
    realized_equity: (run.initialBalances.get(currency) ?? ZERO).plus(total).toString(),
  });
}
