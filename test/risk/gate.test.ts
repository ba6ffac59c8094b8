import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { parseRiskConfig } from '../../src/risk/RiskConfig.ts';
import { createRiskState } from '../../src/risk/RiskState.ts';
import { evolveRisk } from '../../src/risk/evolveRisk.ts';
import { onEquity, setTradingState } from '../../src/risk/postTrade.ts';
import { checkOrder, riskDecide } from '../../src/risk/riskGate.ts';
import { decideOms } from '../../src/oms/decideOms.ts';
import { evolveOms } from '../../src/oms/evolveOms.ts';
import { openOrders } from '../../src/oms/openOrders.ts';
import { fresh } from '../oms/given.ts';
import { BTCUSDT } from '../model/accounting/instruments.ts';
import { BOOK_US, buy, inputs, riskState } from './given.ts';

const DAY1 = Date.UTC(2024, 7, 8, 23, 0) * 1000;
const DAY2 = Date.UTC(2024, 7, 9, 0, 1) * 1000;

describe('risk gate', () => {
  it('answers an approved new order with order.submitted and a refused one with order.denied carrying the numbers', () => {
    const s = riskState({ maxOrderLots: 10 });
    expect(riskDecide(s, 'c1', buy(10), inputs())).toEqual([{ type: 'order.submitted', data: { clientOrderId: 'c1' } }]);
    expect(riskDecide(s, 'c2', buy(11), inputs())).toEqual([{ type: 'order.denied', data: { clientOrderId: 'c2', rule: 'maxOrderSize', reason: 'size-above-max', values: { sizeLots: 11, maxOrderLots: 10 } } }]);
  });
  it('answers an approved amendment with nothing (the update request goes on to the venue)', () => {
    expect(riskDecide(riskState({}), 'c1', buy(1, 618003, { amend: true }), inputs())).toEqual([]);
  });
  it('reports the first rule in gate order when several would deny', () => {
    const s = riskState({ tradingState: 'HALTED', maxOrderLots: 1 });
    expect(checkOrder(s, buy(5), inputs())?.rule).toBe('tradingState');
  });
  it('refuses an instrument it has no limits for, naming it', () => {
    try { checkOrder(riskState({}), buy(1, 1, { instrument: 'x:Y' }), inputs()); expect.unreachable(); } catch (e) {
      expect(isHftError(e, 'HFT_ERR_CONFIG')).toBe(true);
      expect((e as Error).message).toContain("instrument 'x:Y' is not configured");
    }
  });
});

describe('risk config', () => {
  it('lists every bad field with its path', () => {
    try {
      parseRiskConfig({ maxOrderLots: 0, maxOrderNotional: 'lots', tradingState: 'PAUSED', rateLimit: { ordersPerSecond: 5 }, maxOpenOrder: 3, instruments: { 'binance-usdm:BTCUSDT': { priceBandBps: 2.5 } } });
      expect.unreachable();
    } catch (e) {
      expect(isHftError(e, 'HFT_ERR_CONFIG')).toBe(true);
      const msg = (e as Error).message;
      expect(msg).toContain('maxOrderLots: must be >= 1, got 0');
      expect(msg).toContain("maxOrderNotional: expected a decimal number, got 'lots'");
      expect(msg).toContain("tradingState: expected one of 'ACTIVE', 'REDUCING', 'HALTED', got 'PAUSED'");
      expect(msg).toContain('rateLimit.burst: expected a number, got nothing (missing)');
      expect(msg).toContain('maxOpenOrder: unknown field');
      expect(msg).toContain('instruments.binance-usdm:BTCUSDT.priceBandBps: expected an integer, got 2.5');
    }
  });
  it('refuses limits for an instrument the run does not trade', () => {
    expect(() => createRiskState(parseRiskConfig({ instruments: { 'okx:BTC-USDT': { maxOrderLots: 1 } } }), [BTCUSDT])).toThrow(/risk.instruments.okx:BTC-USDT: no such instrument/);
  });
  it('freezes the parsed config', () => {
    expect(Object.isFrozen(parseRiskConfig({ maxOrderLots: 5 }))).toBe(true);
  });
});

describe('post-trade kill switch', () => {
  it('halts on the drawdown from the peak: 1080 → 930 is 150 ≥ 150, while the daily loss is only 70', () => {
    const s = riskState({ dailyLossLimit: '100', maxDrawdown: '150' });
    expect(onEquity(s, '1000', DAY1).events).toEqual([]);
    expect(onEquity(s, '1080', DAY1 + 1).events).toEqual([]);
    expect(onEquity(s, '950', DAY1 + 2).events).toEqual([]); // loss 50, drawdown 130
    const d = onEquity(s, '930', DAY1 + 3);
    expect(d.events).toEqual([{ type: 'risk.state-changed', data: { from: 'ACTIVE', to: 'HALTED', reason: 'max-drawdown', values: { drawdown: '150', maxDrawdown: '150', peakEquity: '1080', equity: '930' } } }]);
    expect(d.intents).toEqual([{ kind: 'cancel-all', strategyId: '*', reason: 'kill switch: max-drawdown' }]);
  });
  it('halts on the daily loss: 1000 → 899.99 loses 100.01 ≥ 100', () => {
    const s = riskState({ dailyLossLimit: '100' });
    onEquity(s, '1000', DAY1);
    expect(onEquity(s, '899.99', DAY1 + 1).events[0]!.data).toEqual({ from: 'ACTIVE', to: 'HALTED', reason: 'daily-loss-limit', values: { dailyLoss: '100.01', dailyLossLimit: '100', dayStartEquity: '1000', equity: '899.99', day: '2024-08-08' } });
  });
  it('measures the daily loss from the first equity of the UTC day', () => {
    const s = riskState({ dailyLossLimit: '100' });
    onEquity(s, '1000', DAY1);
    expect(onEquity(s, '950', DAY1 + 1).events).toEqual([]);
    expect(onEquity(s, '950', DAY2).events).toEqual([]); // new day starts at 950
    expect(onEquity(s, '860', DAY2 + 1).events).toEqual([]); // 90 lost today (140 since yesterday's start)
    expect(onEquity(s, '850', DAY2 + 2).events[0]!.data.values).toMatchObject({ dailyLoss: '100', day: '2024-08-09' });
  });
  it('once halted, stays halted and emits nothing more', () => {
    const s = riskState({ maxDrawdown: '10' });
    onEquity(s, '100', DAY1);
    for (const e of onEquity(s, '90', DAY1 + 1).events) evolveRisk(s, e, DAY1 + 1);
    expect(s.tradingState).toBe('HALTED');
    expect(onEquity(s, '50', DAY1 + 2)).toEqual({ events: [], intents: [] });
  });
  it('kills: cancel requests for every open order of every strategy, then denies new orders', () => {
    const oms = fresh();
    const risk = riskState({ maxDrawdown: '10' });
    const run = (cmd: Parameters<typeof decideOms>[1]): void => { for (const e of decideOms(oms, cmd)) evolveOms(oms, e); };
    for (const strategyId of ['mm', 'arb']) {
      run({ kind: 'place', strategyId, instrument: BTCUSDT.id, side: 'buy', type: 'limit', timeInForce: 'GTC', priceTicks: 618002, sizeLots: 1, reduceOnly: false });
    }
    for (const o of [...oms.orders.values()]) {
      for (const e of riskDecide(risk, o.clientOrderId, o, inputs())) { evolveOms(oms, e); evolveRisk(risk, e, BOOK_US); }
    }
    expect(openOrders(oms)).toHaveLength(2);
    onEquity(risk, '100', BOOK_US);
    const d = onEquity(risk, '89.5', BOOK_US + 1);
    for (const e of d.events) evolveRisk(risk, e, BOOK_US + 1);
    const cancels = d.intents.flatMap((i) => decideOms(oms, i));
    expect(cancels.map((e) => e.type)).toEqual(['order.cancel-requested', 'order.cancel-requested']);
    expect(cancels.map((e) => (e.data as { reason: string }).reason)).toEqual(['kill switch: max-drawdown', 'kill switch: max-drawdown']);
    expect(checkOrder(risk, buy(1), inputs())?.reason).toBe('halted');
  });
  it('an operator can move between states; halting also cancels everything', () => {
    const s = riskState({});
    expect(setTradingState(s, 'ACTIVE', 'noop')).toEqual({ events: [], intents: [] });
    expect(setTradingState(s, 'REDUCING', 'end of session').events[0]!.data).toEqual({ from: 'ACTIVE', to: 'REDUCING', reason: 'end of session', values: {} });
    expect(setTradingState(s, 'HALTED', 'exchange incident').intents).toHaveLength(1);
  });
});
