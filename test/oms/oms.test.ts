import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { ALL_STRATEGIES, type DomainEvent } from '../../src/model/orders.ts';
import { avgFillPrice } from '../../src/oms/avgFillPrice.ts';
import { decideOms, type OmsCommand, type OmsOutput } from '../../src/oms/decideOms.ts';
import { evolveOms } from '../../src/oms/evolveOms.ts';
import { openOrderCount, openOrders } from '../../src/oms/openOrders.ts';
import { createOmsState, type OmsState } from '../../src/oms/OmsState.ts';
import { BTCUSDT, BTCUSD_PERP } from '../model/accounting/instruments.ts';
import { ID, TO_STATUS, accepted, fresh, given, requested, submitted } from './given.ts';

/** Decide, then fold the output back, as the kernel does. */
function run(state: OmsState, cmd: OmsCommand): OmsOutput[] {
  const out = decideOms(state, cmd);
  for (const e of out) evolveOms(state, e);
  return out;
}
const fillReport = (venueTradeId: string, priceTicks: number, sizeLots: number, id = ID): OmsCommand =>
  ({ kind: 'venue', report: { kind: 'fill', clientOrderId: id, venueTradeId, priceTicks, sizeLots, liquidity: 'taker' } });
const place = (over: Partial<Extract<OmsCommand, { kind: 'place' }>> = {}): OmsCommand => ({
  kind: 'place', strategyId: 'mm', instrument: BTCUSDT.id, side: 'buy', type: 'limit', timeInForce: 'GTC',
  priceTicks: 618003, sizeLots: 220, reduceOnly: false, ...over,
});
const working = (state: OmsState, id: string): void => { evolveOms(state, submitted(id)); evolveOms(state, accepted(id)); };

describe('OMS place and client order ids', () => {
  it('derives client order ids from the run id and a sequence, the same on every replay', () => {
    const a = fresh(); const b = fresh();
    const idsA = [run(a, place()), run(a, place({ tag: 'ask', side: 'sell' }))].map((o) => (o[0]!.data as { clientOrderId: string }).clientOrderId);
    const idsB = [run(b, place()), run(b, place({ tag: 'ask', side: 'sell' }))].map((o) => (o[0]!.data as { clientOrderId: string }).clientOrderId);
    // runId 'r0123456789ab' + 'o' + seq in base 36
    expect(idsA).toEqual(['r0123456789abo0', 'r0123456789abo1']);
    expect(idsB).toEqual(idsA);
  });

  it('records the intent unchanged in order.requested, with an empty tag when none was given', () => {
    const out = decideOms(fresh(), place());
    expect(out).toEqual([{ type: 'order.requested', data: {
      clientOrderId: 'r0123456789abo0', strategyId: 'mm', instrument: 'binance-usdm:BTCUSDT', side: 'buy', type: 'limit',
      timeInForce: 'GTC', priceTicks: 618003, sizeLots: 220, reduceOnly: false, tag: '',
    } }]);
  });

  it('refuses a place on an instrument that is not configured, naming it', () => {
    try { decideOms(fresh(), place({ instrument: 'okx:BTC-USDT' })); expect.unreachable(); } catch (e) {
      expect(isHftError(e, 'HFT_ERR_CONFIG')).toBe(true);
      expect((e as Error).message).toContain("instrument 'okx:BTC-USDT' is not configured");
    }
  });
});

describe('OMS fills', () => {
  // Real Binance USDⓈ-M BTCUSDT trades (binance-capture/usdm/btcusdt_20240808.gz, trade ids
  // 5266583935, 5266583936, 5266583939): 0.006 @ 61800.30, 0.199 @ 61800.30, 0.015 @ 61800.20.
  it('keeps leaves, exact average fill price and the taker fee of each fill', () => {
    const s = given([requested(ID, { sizeLots: 220 }), submitted(), accepted()]);
    const f1 = run(s, fillReport('5266583935', 618003, 6))[0] as DomainEvent<'order.filled'>;
    run(s, fillReport('5266583936', 618003, 199));
    const f3 = run(s, fillReport('5266583939', 618002, 15))[0] as DomainEvent<'order.filled'>;
    // fee = 0.006 × 61800.3 × 0.0005 = 370.8018 × 0.0005 = 0.1854009 USDT
    expect(f1.data).toMatchObject({ price: '61800.3', size: '0.006', fee: '0.1854009', feeCurrency: 'USDT', leavesLots: 214, strategyId: 'mm' });
    expect(f3.data.leavesLots).toBe(0);
    const o = s.orders.get(ID)!;
    expect(o.status).toBe('filled');
    expect(o.filledLots).toBe(220);
    // avg = (205 × 61800.3 + 15 × 61800.2) / 220 = (12669061.5 + 927003) / 220 = 13596064.5 / 220
    //     = 61800 + 64.5/220 = 61800.293181818181…
    expect(avgFillPrice(o, BTCUSDT)!.toDecimalPlaces(12).toString()).toBe('61800.293181818182');
  });

  it('drops a fill whose venue trade id the order already has (venues re-send fills)', () => {
    const s = given([requested(), submitted(), accepted()]);
    expect(run(s, fillReport('t1', 618003, 4))).toHaveLength(1);
    expect(run(s, fillReport('t1', 618003, 4))).toEqual([]);
    expect(s.orders.get(ID)!.filledLots).toBe(4);
    expect(s.orders.get(ID)!.leavesLots).toBe(6);
  });

  it('refuses an overfill with the numbers in the reason', () => {
    const s = given([requested(), submitted(), accepted()]);
    const out = run(s, fillReport('t1', 618003, 11));
    expect(out).toEqual([{ type: 'order.invalid-transition', data: {
      clientOrderId: ID, from: 'accepted', event: 'order.filled', reason: "overfill: 11 lots filled with 10 lots left (trade 't1')",
    } }]);
    expect(s.invalidTransitions).toBe(1);
    expect(s.orders.get(ID)!.filledLots).toBe(0);
  });

  it('refuses a fill for an unknown client order id', () => {
    const out = decideOms(fresh(), fillReport('t1', 618003, 1, 'nope'));
    expect(out[0]).toMatchObject({ type: 'order.invalid-transition', data: { from: 'none', reason: 'unknown client order id' } });
  });

  it('rejects a malformed venue fill naming the field', () => {
    const s = given(TO_STATUS.accepted);
    expect(() => decideOms(s, fillReport('t1', 618003, 1.5))).toThrow(/sizeLots must be a positive integer, got 1.5/);
    expect(() => decideOms(s, fillReport('t1', 0, 1))).toThrow(/priceTicks must be a positive integer, got 0/);
  });

  it('charges an inverse fill its fee in coin: contracts × 100 USD / price × rate', () => {
    const s = fresh();
    run(s, place({ instrument: BTCUSD_PERP.id, priceTicks: 618048, sizeLots: 4 }));
    const id = 'r0123456789abo0';
    working(s, id);
    // Real COIN-M trade 849714402: 4 contracts @ 61804.8. maker fee = 4 × 100 / 61804.8 × 0.0002
    //   = 400 / 61804.8 = 0.0064719892306099…; × 0.0002 = 0.00000129439784612198…
    const f = run(s, { kind: 'venue', report: { kind: 'fill', clientOrderId: id, venueTradeId: '849714402', priceTicks: 618048, sizeLots: 4, liquidity: 'maker' } })[0] as DomainEvent<'order.filled'>;
    expect(f.data.feeCurrency).toBe('BTC');
    expect(f.data.fee.startsWith('0.00000129439784612198')).toBe(true);
  });
});

describe('OMS cancel, modify and races', () => {
  it('refuses a cancel from another strategy than the owner', () => {
    const s = given(TO_STATUS.accepted);
    const out = decideOms(s, { kind: 'cancel', strategyId: 'other', clientOrderId: ID });
    expect(out[0]).toMatchObject({ type: 'order.invalid-transition', data: { from: 'accepted', event: 'order.cancel-requested', reason: "order belongs to strategy 'mm', not 'other'" } });
  });

  it('refuses a modify to a size not above what already filled', () => {
    const s = given(TO_STATUS['partially-filled']); // 4 of 10 filled
    const out = decideOms(s, { kind: 'modify', strategyId: 'mm', clientOrderId: ID, priceTicks: 618000, sizeLots: 4 });
    expect(out[0]).toMatchObject({ type: 'order.invalid-transition', data: { reason: 'new size 4 lots not above the 4 lots already filled' } });
  });

  it('applies an accepted amendment: new price, new size, leaves = size - filled', () => {
    const s = given(TO_STATUS['partially-filled']);
    run(s, { kind: 'modify', strategyId: 'mm', clientOrderId: ID, priceTicks: 618000, sizeLots: 12 });
    expect(s.orders.get(ID)!.status).toBe('pending-update');
    run(s, { kind: 'venue', report: { kind: 'updated', clientOrderId: ID, priceTicks: 618000, sizeLots: 12 } });
    expect(s.orders.get(ID)).toMatchObject({ status: 'partially-filled', priceTicks: 618000, sizeLots: 12, filledLots: 4, leavesLots: 8 });
  });

  it('returns a refused cancel to partially filled when a fill arrived while the cancel was in flight', () => {
    const s = given(TO_STATUS['pending-cancel']);
    run(s, fillReport('t9', 618003, 3));
    expect(s.orders.get(ID)!.status).toBe('pending-cancel');
    run(s, { kind: 'venue', report: { kind: 'cancel-rejected', clientOrderId: ID, reason: 'unknown order' } });
    expect(s.orders.get(ID)).toMatchObject({ status: 'partially-filled', leavesLots: 7 });
  });

  it('returns a refused cancel sent before the acknowledgement to accepted once the ack arrived', () => {
    const s = given([requested(), submitted()]);
    run(s, { kind: 'cancel', strategyId: 'mm', clientOrderId: ID });
    run(s, { kind: 'venue', report: { kind: 'accepted', clientOrderId: ID, venueOrderId: 'v7' } });
    expect(s.orders.get(ID)!.status).toBe('pending-cancel');
    run(s, { kind: 'venue', report: { kind: 'cancel-rejected', clientOrderId: ID, reason: 'rate limited' } });
    expect(s.orders.get(ID)).toMatchObject({ status: 'accepted', venueOrderId: 'v7' });
  });

  it('keeps a cancel pending through the answer to an earlier amendment, then falls back to the working status', () => {
    const s = given(TO_STATUS['pending-update']);
    run(s, { kind: 'cancel', strategyId: 'mm', clientOrderId: ID });
    run(s, { kind: 'venue', report: { kind: 'updated', clientOrderId: ID, priceTicks: 618000, sizeLots: 10 } });
    expect(s.orders.get(ID)).toMatchObject({ status: 'pending-cancel', priceTicks: 618000 });
    run(s, { kind: 'venue', report: { kind: 'cancel-rejected', clientOrderId: ID, reason: 'x' } });
    expect(s.orders.get(ID)!.status).toBe('accepted');
  });

  it('rejects a cancel that arrives after the fill, leaving the order filled', () => {
    const s = given(TO_STATUS.accepted);
    run(s, { kind: 'cancel', strategyId: 'mm', clientOrderId: ID });
    run(s, fillReport('t1', 618003, 10));
    const out = run(s, { kind: 'venue', report: { kind: 'cancel-rejected', clientOrderId: ID, reason: 'order already filled' } });
    expect(out[0]!.type).toBe('order.cancel-rejected');
    expect(s.orders.get(ID)!.status).toBe('filled');
  });
});

describe('OMS open-order index', () => {
  function book(): OmsState {
    const s = fresh();
    const specs = [
      { strategyId: 'mm', instrument: BTCUSDT.id }, { strategyId: 'mm', instrument: BTCUSD_PERP.id },
      { strategyId: 'arb', instrument: BTCUSDT.id }, { strategyId: 'mm', instrument: BTCUSDT.id },
    ];
    specs.forEach((sp) => { run(s, place(sp)); });
    ['o0', 'o1', 'o2', 'o3'].forEach((o) => working(s, `r0123456789ab${o}`));
    return s;
  }

  it('counts open orders per instrument, per strategy and both, in request order', () => {
    const s = book();
    expect(openOrderCount(s)).toBe(4);
    expect(openOrderCount(s, { instrument: BTCUSDT.id })).toBe(3);
    expect(openOrderCount(s, { strategyId: 'mm' })).toBe(3);
    expect(openOrders(s, { strategyId: 'mm', instrument: BTCUSDT.id }).map((o) => o.clientOrderId)).toEqual(['r0123456789abo0', 'r0123456789abo3']);
    expect(openOrderCount(s, { strategyId: 'nobody' })).toBe(0);
  });

  it('drops an order from the index when it closes and never lists requested-only orders', () => {
    const s = book();
    run(s, { kind: 'venue', report: { kind: 'canceled', clientOrderId: 'r0123456789abo0', reason: 'strategy' } });
    run(s, place());
    expect(openOrders(s, { instrument: BTCUSDT.id }).map((o) => o.clientOrderId)).toEqual(['r0123456789abo2', 'r0123456789abo3']);
  });

  it('cancel-all asks to cancel every open order of the strategy on the instrument, skipping those already being canceled', () => {
    const s = book();
    run(s, { kind: 'cancel', strategyId: 'mm', clientOrderId: 'r0123456789abo3' });
    const out = decideOms(s, { kind: 'cancel-all', strategyId: 'mm', instrument: BTCUSDT.id });
    expect(out).toEqual([{ type: 'order.cancel-requested', data: { clientOrderId: 'r0123456789abo0', reason: 'cancel-all' } }]);
    const all = decideOms(s, { kind: 'cancel-all', strategyId: ALL_STRATEGIES, reason: 'kill switch' });
    expect(all.map((e) => (e.data as { clientOrderId: string }).clientOrderId)).toEqual(['r0123456789abo0', 'r0123456789abo1', 'r0123456789abo2']);
  });
});

describe('OMS memory over long runs', () => {
  it('forgets the oldest closed orders beyond retainClosedOrders, refusing late messages for them as unknown', () => {
    const s = createOmsState({ runId: 'r0123456789ab', instruments: [BTCUSDT], retainClosedOrders: 2 });
    for (let i = 0; i < 3; i++) {
      run(s, place());
      const id = `r0123456789abo${i}`;
      working(s, id);
      run(s, { kind: 'venue', report: { kind: 'canceled', clientOrderId: id, reason: 'strategy' } });
    }
    expect([...s.orders.keys()]).toEqual(['r0123456789abo1', 'r0123456789abo2']);
    const late = decideOms(s, { kind: 'venue', report: { kind: 'cancel-rejected', clientOrderId: 'r0123456789abo0', reason: 'late' } });
    expect(late[0]).toMatchObject({ type: 'order.invalid-transition', data: { from: 'none', reason: 'unknown client order id' } });
    expect(s.orders.get('r0123456789abo2')!.status).toBe('canceled');
  });
});
