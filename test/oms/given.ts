/**
 * Given-helpers for OMS tests: fold events into a fresh state, build orders in each status.
 */
import { createOmsState, type OmsState } from '../../src/oms/OmsState.ts';
import { evolveOms } from '../../src/oms/evolveOms.ts';
import type { DomainEvent, OrderStatus } from '../../src/model/orders.ts';
import { BTCUSDT, BTCUSD_PERP } from '../model/accounting/instruments.ts';

export const RUN = 'r0123456789ab';
export const ID = 'r0123456789abo0';

export const fresh = (): OmsState => createOmsState({ runId: RUN, instruments: [BTCUSDT, BTCUSD_PERP] });

export function given(events: readonly DomainEvent[], state: OmsState = fresh()): OmsState {
  for (const e of events) evolveOms(state, e);
  return state;
}

export const requested = (id = ID, over: Partial<DomainEvent<'order.requested'>['data']> = {}): DomainEvent<'order.requested'> => ({
  type: 'order.requested',
  data: {
    clientOrderId: id, strategyId: 'mm', instrument: BTCUSDT.id, side: 'buy', type: 'limit', timeInForce: 'GTC',
    priceTicks: 618003, sizeLots: 10, reduceOnly: false, tag: 'bid', ...over,
  },
});
export const submitted = (id = ID): DomainEvent => ({ type: 'order.submitted', data: { clientOrderId: id } });
export const accepted = (id = ID): DomainEvent => ({ type: 'order.accepted', data: { clientOrderId: id, venueOrderId: `v-${id}` } });
export const fill = (sizeLots: number, leavesLots: number, tradeId: string, id = ID, priceTicks = 618003): DomainEvent<'order.filled'> => ({
  type: 'order.filled',
  data: {
    clientOrderId: id, strategyId: 'mm', instrument: BTCUSDT.id, side: 'buy', venueTradeId: tradeId, priceTicks, sizeLots, leavesLots,
    liquidity: 'maker', price: '61800.3', size: String(sizeLots / 1000), fee: '0', feeCurrency: 'USDT',
  },
});

/** Event sequences that bring an order of 10 lots to each status (none = never requested). */
export const TO_STATUS: Record<OrderStatus | 'none', DomainEvent[]> = {
  none: [],
  initialized: [requested()],
  denied: [requested(), { type: 'order.denied', data: { clientOrderId: ID, rule: 'maxOrderSize', reason: 'size-above-max', values: {} } }],
  submitted: [requested(), submitted()],
  accepted: [requested(), submitted(), accepted()],
  rejected: [requested(), submitted(), { type: 'order.rejected', data: { clientOrderId: ID, reason: 'insufficient margin' } }],
  'pending-update': [requested(), submitted(), accepted(), { type: 'order.update-requested', data: { clientOrderId: ID, priceTicks: 618000, sizeLots: 10 } }],
  'pending-cancel': [requested(), submitted(), accepted(), { type: 'order.cancel-requested', data: { clientOrderId: ID, reason: 'strategy' } }],
  'partially-filled': [requested(), submitted(), accepted(), fill(4, 6, 't1')],
  filled: [requested(), submitted(), accepted(), fill(10, 0, 't1')],
  canceled: [requested(), submitted(), accepted(), { type: 'order.canceled', data: { clientOrderId: ID, reason: 'strategy' } }],
  expired: [requested(), submitted(), accepted(), { type: 'order.expired', data: { clientOrderId: ID } }],
};
