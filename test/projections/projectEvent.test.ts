/**
 * The read-model reducer, given / when / then, on hand-worked sequences: every expected figure below
 * is computed by hand in the comments, not taken from the code.
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, EventType, EventData } from '../../src/model/events.ts';
import { MemoryReadModels } from '../../src/projections/MemoryReadModels.ts';
import { utcDay } from '../../src/projections/projectEvent.ts';

const RUN = 'r1';
const INST = 'binance-spot:BTCUSDT';
const T_DAY1 = Date.UTC(2024, 7, 8, 23, 59, 59) * 1000; // 2024-08-08T23:59:59Z in µs
const T_DAY2 = Date.UTC(2024, 7, 9, 0, 0, 1) * 1000;    // two seconds later, the next UTC day

let pos = 0;
function ev<T extends EventType>(type: T, tsUs: number, data: EventData<T>, causationId = `${RUN}-0`): EventEnvelope<T> {
  const n = pos++;
  return { id: `${RUN}-${n}`, type, version: 1, streamId: `run-${RUN}`, revision: n, position: n * 10, tsEvent: tsUs, tsRecv: tsUs + 100, runId: RUN, correlationId: `${RUN}-0`, causationId, data };
}
const req = (coid: string, side: 'buy' | 'sell', ts: number, cause: string) => ev('order.requested', ts, {
  clientOrderId: coid, strategyId: 'mm', instrument: INST, side, type: 'limit', timeInForce: 'GTC', priceTicks: 10_000, sizeLots: 100, reduceOnly: false, tag: '',
}, cause);
const fill = (coid: string, side: 'buy' | 'sell', tradeId: string, price: string, size: string, lots: number, leaves: number, ts: number) => ev('order.filled', ts, {
  clientOrderId: coid, strategyId: 'mm', instrument: INST, side, venueTradeId: tradeId, priceTicks: Number(price) * 100, sizeLots: lots, leavesLots: leaves,
  liquidity: 'maker', price, size, fee: '0.1', feeCurrency: 'USDT',
});
const posChanged = (ts: number, quantity: string, avg: string, realized: string, fees: string) => ev('position.changed', ts, {
  instrument: INST, strategyId: 'mm', quantity, avgEntryPrice: avg, realizedPnl: realized, fees, funding: '0', currency: 'USDT',
});

function scenario(): EventEnvelope[] {
  pos = 0;
  const started = ev('run.started', 0, { mode: 'backtest', scenario: 's', configHash: 'h', seed: 1, codeVersion: 'v', datasets: [], config: { scenario: { accounting: { initialBalances: { USDT: '1000' } } } } });
  const d1 = ev('decision', T_DAY1 - 50, { strategyId: 'mm', trigger: 'bbo', inputs: { mid: 100.5 }, intents: [] });
  return [
    started, d1,
    // o1: buy 1 @ 100 on day 1, fee 0.1
    req('o1', 'buy', T_DAY1 - 50, d1.id), ev('order.submitted', T_DAY1 - 50, { clientOrderId: 'o1' }),
    ev('order.accepted', T_DAY1 - 40, { clientOrderId: 'o1', venueOrderId: 'v1' }),
    fill('o1', 'buy', 't1', '100', '1', 100, 0, T_DAY1), posChanged(T_DAY1, '1', '100', '0', '0.1'),
    // the venue resends t1: nothing may count it twice
    fill('o1', 'buy', 't1', '100', '1', 100, 0, T_DAY1 + 1),
    // o2: denied by risk
    req('o2', 'buy', T_DAY1 + 10, d1.id), ev('order.denied', T_DAY1 + 10, { clientOrderId: 'o2', rule: 'maxPosition', reason: 'position limit', values: { limit: 1 } }),
    // o3: sell 1 @ 103 on day 2 in two fills racing a cancel, then canceled with nothing left
    req('o3', 'sell', T_DAY2 - 20, d1.id), ev('order.submitted', T_DAY2 - 20, { clientOrderId: 'o3' }),
    ev('order.accepted', T_DAY2 - 10, { clientOrderId: 'o3', venueOrderId: 'v3' }),
    ev('order.cancel-requested', T_DAY2 - 5, { clientOrderId: 'o3', reason: 'requote' }),
    fill('o3', 'sell', 't2', '103', '0.5', 50, 50, T_DAY2), posChanged(T_DAY2, '0.5', '100', '1.5', '0.2'),
    fill('o3', 'sell', 't3', '103', '0.5', 50, 0, T_DAY2 + 1), posChanged(T_DAY2 + 1, '0', '0', '3', '0.3'),
    ev('order.cancel-rejected', T_DAY2 + 2, { clientOrderId: 'o3', reason: 'too late: filled' }),
    ev('run.completed', T_DAY2 + 3, { summary: { fills: 3 } }),
  ];
}

describe('read-model reducer', () => {
  const rm = new MemoryReadModels();
  rm.apply(scenario().slice(0, 9));
  rm.apply(scenario().slice(9)); // two batches: state carries across
  const byKey = <T extends Record<string, unknown>>(table: string, k: string) => Object.fromEntries(rm.rows(table).map((r) => [String(r[k]), r as T]));

  it('keeps each order\'s current state: filled, denied, and filled despite a cancel racing the last fill', () => {
    const o = byKey('orders', 'client_order_id');
    expect(o.o1).toMatchObject({ status: 'filled', filled_lots: 100, fills: 1, venue_order_id: 'v1', decision_id: 'r1-1', accepted_ts_us: T_DAY1 - 40, ended_ts_us: T_DAY1 });
    expect(o.o2).toMatchObject({ status: 'denied', filled_lots: 0, end_reason: 'position limit', ended_ts_us: T_DAY1 + 10 });
    expect(o.o3).toMatchObject({ status: 'filled', filled_lots: 100, fills: 2, first_fill_ts_us: T_DAY2, ended_ts_us: T_DAY2 + 1 });
  });

  it('records the full history of each order in log order, marking the repeated fill', () => {
    const h = rm.rows('order_events').filter((r) => r.client_order_id === 'o3').map((r) => `${r.type}->${r.status_after}`);
    expect(h).toEqual(['order.requested->initialized', 'order.submitted->submitted', 'order.accepted->accepted', 'order.cancel-requested->pending-cancel',
      'order.filled->pending-cancel', 'order.filled->filled', 'order.cancel-rejected->filled']);
    expect(rm.rows('order_events').filter((r) => r.client_order_id === 'o1').map((r) => r.status_after)).toEqual(['initialized', 'submitted', 'accepted', 'filled', 'duplicate-fill']);
  });

  it('keeps one fill per venue trade id', () => {
    expect(rm.rows('fills').map((r) => r.venue_trade_id)).toEqual(['t1', 't2', 't3']);
  });

  it('splits P&L by UTC day from the cumulative ledger: day 1 fee 0.1; day 2 realized 3 (sold 1 bought at 100 for 103) and fees 0.2', () => {
    expect(utcDay(T_DAY1)).toBe('2024-08-08');
    expect(utcDay(T_DAY2)).toBe('2024-08-09');
    const days = rm.rows('pnl_daily').map((r) => ({ day: r.day, realized: r.realized_pnl, fees: r.fees, fills: r.fills, volume: r.volume }));
    expect(days).toEqual([
      { day: '2024-08-08', realized: '0', fees: '0.1', fills: 1, volume: '1' },
      { day: '2024-08-09', realized: '3', fees: '0.2', fills: 2, volume: '1' },
    ]);
  });

  it('draws the realized equity curve from the initial balance: 1000 − 0.1, 1000 + 1.5 − 0.2, 1000 + 3 − 0.3', () => {
    expect(rm.rows('equity_curve').map((r) => r.realized_equity)).toEqual(['999.9', '1001.3', '1002.7']);
  });

  it('lists the risk denial with its rule, and counts the run', () => {
    expect(rm.rows('risk_denials')).toEqual([expect.objectContaining({ client_order_id: 'o2', rule: 'maxPosition', reason: 'position limit', strategy_id: 'mm', instrument: INST })]);
    expect(rm.rows('runs')[0]).toMatchObject({ run_id: RUN, orders: 3, fills: 3, denials: 1, decisions: 1, events: 20, completed: true, first_ts_us: T_DAY1 - 50, summary: { fills: 3 } });
    expect(rm.rows('positions')[0]).toMatchObject({ quantity: '0', realized_pnl: '3', fees: '0.3' });
  });
});
