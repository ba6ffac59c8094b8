/**
 * The report's arithmetic on a hand-built run: one instrument (tick 0.01, lot 0.001), two BBO updates,
 * a buy filled below the mid and a sell filled above it. Every expected figure is worked out by hand
 * in the comments.
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, EventType, EventData } from '../../src/model/events.ts';
import { allocBatch, pushEvent } from '../../src/model/market.ts';
import { RunReportBuilder } from '../../src/projections/report/RunReportBuilder.ts';
import { downsampleIndices } from '../../src/projections/report/downsampleIndices.ts';
import { latencyHistogram } from '../../src/projections/report/latencyHistogram.ts';

const INST = { id: 'x:ABC', venue: 'x', symbol: 'ABC', kind: 'spot', base: 'ABC', quote: 'USD', settle: 'USD', tickSize: '0.01', lotSize: '0.001', contractMultiplier: '1', makerFeeRate: '0', takerFeeRate: '0' } as const;
let pos = 0;
function ev<T extends EventType>(type: T, tsEvent: number, data: EventData<T>, tsRecv = tsEvent): EventEnvelope {
  const p = pos++;
  return { id: `r-${p}`, type, version: 1, streamId: 'run-r', revision: p, position: p, tsEvent, tsRecv, runId: 'r', correlationId: '', causationId: '', data } as EventEnvelope;
}
const order = (id: string, side: 'buy' | 'sell', priceTicks: number) => ({ clientOrderId: id, strategyId: 's', instrument: INST.id, side, type: 'limit' as const, timeInForce: 'GTC' as const, priceTicks, sizeLots: 1000, reduceOnly: false, tag: '' });
const fill = (id: string, side: 'buy' | 'sell', priceTicks: number, price: string) => ({ clientOrderId: id, strategyId: 's', instrument: INST.id, side, venueTradeId: `t-${id}`, priceTicks, sizeLots: 1000, leavesLots: 0, liquidity: 'maker' as const, price, size: '1', fee: '0.01', feeCurrency: 'USD' });
const S = 1_000_000;

function build(budget?: ConstructorParameters<typeof RunReportBuilder>[0]) {
  pos = 0;
  const b = new RunReportBuilder(budget);
  b.addEvents([
    ev('run.started', 0, { mode: 'backtest', scenario: 'hand', configHash: 'h', seed: 1, codeVersion: 'v', datasets: [], config: { instruments: [INST], scenario: { accounting: { initialBalances: { USD: '1000' }, equityIntervalUs: S } } } }),
    ev('order.requested', 10 * S, order('o1', 'buy', 9999)),
    ev('order.submitted', 10 * S, { clientOrderId: 'o1' }),
    ev('order.accepted', 10 * S + 2_000, { clientOrderId: 'o1', venueOrderId: 'v1' }, 10 * S + 4_000),
    // bought 1 ABC at 99.99; mid before it (99.99+100.01)/2 = 100.00: spread capture +0.01
    ev('order.filled', 11 * S, fill('o1', 'buy', 9999, '99.99'), 11 * S + 2_000),
    ev('position.changed', 11 * S, { instrument: INST.id, strategyId: 's', quantity: '1', avgEntryPrice: '99.99', realizedPnl: '0', fees: '0.01', funding: '0', currency: 'USD' }),
    ev('order.requested', 12 * S, order('o2', 'sell', 10_102)),
    ev('order.submitted', 12 * S, { clientOrderId: 'o2' }),
    ev('order.accepted', 12 * S + 2_000, { clientOrderId: 'o2', venueOrderId: 'v2' }, 12 * S + 4_000),
    // sold 1 at 101.02; mid then (101.00+101.02)/2 = 101.01: spread capture +0.01; realized 101.02-99.99 = 1.03
    ev('order.filled', 14 * S, fill('o2', 'sell', 10_102, '101.02'), 14 * S + 2_000),
    ev('position.changed', 14 * S, { instrument: INST.id, strategyId: 's', quantity: '0', avgEntryPrice: '0', realizedPnl: '1.03', fees: '0.02', funding: '0', currency: 'USD' }),
    ev('order.requested', 15 * S, order('o3', 'buy', 9000)),
    ev('order.denied', 15 * S, { clientOrderId: 'o3', rule: 'priceBand', reason: 'outside band', values: {} }),
    ev('order.requested', 15 * S, order('o4', 'buy', 10_000)),
    ev('order.submitted', 15 * S, { clientOrderId: 'o4' }),
    ev('order.rejected', 15 * S + 2_000, { clientOrderId: 'o4', reason: 'post-only would cross' }),
    ev('risk.state-changed', 16 * S, { from: 'ACTIVE', to: 'HALTED', reason: 'drawdown', values: {} }),
  ]);
  const m = allocBatch(8);
  const bbo = (t: number, bid: number, ask: number) => pushEvent(m, { kind: 'bbo', instrument: INST.id, tsEvent: t, tsRecv: t, bidPriceTicks: bid, bidSizeLots: 1, askPriceTicks: ask, askSizeLots: 1, updateId: 0 }, 0);
  bbo(9.5 * S, 9999, 10_001);
  bbo(11.5 * S, 10_050, 10_052); // long 1 at 99.99, mark 100.51: unrealized +0.52
  bbo(13.5 * S, 10_100, 10_102);
  bbo(16.5 * S, 10_100, 10_102);
  b.addMarket(m, [INST.id]);
  return b.finish();
}

describe('RunReportBuilder on a hand-built run', () => {
  const r = build();
  it('splits net P&L into spread capture, fees, funding and mark-to-market that add up', () => {
    // net = realized 1.03 - fees 0.02 + funding 0 + unrealized 0 = 1.01; spread 0.01 + 0.01 = 0.02;
    // mark-to-market = 1.01 - 0.02 + 0.02 - 0 = 1.01 (the price rise the long position rode)
    expect(r.pnl.net).toBe('1.01');
    expect(r.pnl.spreadCapture).toBe('0.02');
    expect(r.pnl.fees).toBe('0.02');
    expect(r.pnl.markToMarket).toBe('1.01');
    expect(r.finalEquity).toBe('1001.01');
  });
  it('samples equity at the interval with the open position marked at the mid', () => {
    // samples at 10 s (flat, 1000), 12 s (long 1 @99.99, mark 100.51, realized -0.01 fees: 1000.51),
    // 14 s (mark 101.01 before the sell lands: 1000 - 0.01 + 1.02 = 1001.01), 17 s end (1001.01)
    const at = (t: number) => r.equity.v[r.equity.t.indexOf(t)];
    expect(at(10 * S)).toBeCloseTo(1000, 9);
    expect(at(12 * S)).toBeCloseTo(1000.51, 9);
    expect(at(14 * S)).toBeCloseTo(1001.01, 9);
    expect(r.equity.v[r.equity.v.length - 1]).toBeCloseTo(1001.01, 9);
    expect(Number(r.maxDrawdown)).toBe(0);
  });
  it('counts each order outcome and names the denying rule and the reject reason', () => {
    expect(r.outcomes).toEqual({ requested: 4, filled: 2, partiallyFilledThenCanceled: 0, canceled: 0, expired: 0, open: 0, rejected: { 'post-only would cross': 1 }, denied: { priceBand: 1 } });
  });
  it('measures ack, fill and queue-wait latency per order', () => {
    // ack: accepted received 4 ms after submit; fill: received 1.002 s / 2.002 s after submit;
    // queue wait: 0.998 s and 1.998 s between acceptance and fill at the venue
    expect([r.latency.ack.n, r.latency.ack.p50Us]).toEqual([2, 4_000]);
    expect([r.latency.fill.p50Us, r.latency.fill.maxUs]).toEqual([1_002_000, 2_002_000]);
    expect([r.latency.queueWait.p50Us, r.latency.queueWait.maxUs]).toEqual([998_000, 1_998_000]);
  });
  it('draws our quotes from acceptance to the end of the order, and every fill', () => {
    const q = r.prices[0]!.quotes;
    expect(q.t).toEqual([10 * S + 2_000, 11 * S, 12 * S + 2_000, 14 * S]);
    expect(q.bid).toEqual([9999, null, null, null]);
    expect(q.ask).toEqual([null, null, 10_102, null]);
    expect(r.prices[0]!.fills).toMatchObject({ priceTicks: [9999, 10_102], side: [1, -1], total: 2 });
    expect(r.risk).toEqual([{ tUs: 16 * S, from: 'ACTIVE', to: 'HALTED', reason: 'drawdown' }]);
  });
});

describe('downsampling for drawing', () => {
  it('keeps each bucket\'s first, last, minimum and maximum', () => {
    const t = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const v = [5, 1, 9, 5, 5, 5, 0, 5, 7, 5];
    // budget 8 with one column: 2 buckets of [0,4.5) and [4.5,9]
    expect(downsampleIndices(t, [v], 8)).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
  });
  it('returns every point under the budget', () => {
    expect(downsampleIndices([1, 2, 3], [[1, 2, 3]], 10)).toEqual([0, 1, 2]);
  });
  it('puts values into 1-2-5 buckets and takes nearest-rank percentiles', () => {
    const h = latencyHistogram(Float64Array.from([50, 150, 150, 700, 3_000_000]), [100, 200, 1000]);
    expect(h.counts).toEqual([1, 2, 1, 1]);
    expect([h.p50Us, h.p90Us, h.maxUs]).toEqual([150, 3_000_000, 3_000_000]);
  });
});

describe('RunReportBuilder on book-only data (no BBO rows)', () => {
  it('marks the position at the L2 book\'s top after each complete message, as the kernel does', () => {
    pos = 0;
    const b = new RunReportBuilder();
    b.addEvents([
      ev('run.started', 0, { mode: 'backtest', scenario: 'hand', configHash: 'h', seed: 1, codeVersion: 'v', datasets: [], config: { instruments: [INST], scenario: { accounting: { initialBalances: { USD: '1000' }, equityIntervalUs: S } } } }),
      ev('position.changed', 2 * S, { instrument: INST.id, strategyId: 's', quantity: '2', avgEntryPrice: '100', realizedPnl: '0', fees: '0', funding: '0', currency: 'USD' }),
    ]);
    const m = allocBatch(8);
    const level = (t: number, side: 1 | -1, px: number, flags: number, sizeLots = 5) => pushEvent(m, { kind: 'book', instrument: INST.id, tsEvent: t, tsRecv: t, side, priceTicks: px, sizeLots, flags, updateId: 0 }, 0);
    level(1 * S, 1, 10_000, 1 | 2); // snapshot: clear, bid 100.00
    level(1 * S, -1, 10_002, 1 | 4); // ask 100.02, end of message: mid 100.01
    level(3 * S, 1, 10_010, 0); // bid 100.10, message not complete: no new top yet
    level(3 * S, -1, 10_002, 0, 0); // ask 100.02 deleted
    level(3 * S, -1, 10_014, 4); // ask 100.14, end of message: top 100.10 / 100.14, mid 100.12
    b.addMarket(m, [INST.id]);
    const r = b.finish();
    // long 2 @ 100 marked at round(100.12) ticks: 2 × 0.12 = 0.24
    expect(r.pnl.unrealized).toBe('0.24');
    expect(r.finalEquity).toBe('1000.24');
    expect(r.prices[0]).toMatchObject({ t: [1 * S, 3 * S], bid: [10_000, 10_010], ask: [10_002, 10_014] });
  });
});
