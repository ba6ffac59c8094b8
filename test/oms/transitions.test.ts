/**
 * Every cell of the order state machine: 12 statuses (with 'none' = unknown order) × 14 triggers.
 * The expected moves are written out here by hand from the lifecycle spec (README "OMS, risk and
 * accounting"); every cell not listed must be refused.
 */
import { describe, expect, it } from 'vitest';
import { isHftError } from '../../src/core/errors.ts';
import { ORDER_STATUSES, type DomainEvent, type OrderStatus } from '../../src/model/orders.ts';
import { decideOms, type OmsCommand } from '../../src/oms/decideOms.ts';
import { evolveOms } from '../../src/oms/evolveOms.ts';
import { ORDER_TRANSITIONS, ORDER_TRIGGERS, type OrderTrigger } from '../../src/oms/transitions.ts';
import { ID, TO_STATUS, fill, given, requested } from './given.ts';

type From = OrderStatus | 'none';
const working = { 'order.canceled': 'canceled', 'order.expired': 'expired', 'order.filled:partial': 'partially-filled', 'order.filled:full': 'filled' } as const;

const EXPECTED: Record<From, Partial<Record<OrderTrigger, OrderStatus>>> = {
  none: { 'order.requested': 'initialized' },
  initialized: { 'order.denied': 'denied', 'order.submitted': 'submitted' },
  submitted: { 'order.accepted': 'accepted', 'order.rejected': 'rejected', 'order.cancel-requested': 'pending-cancel', ...working },
  accepted: { 'order.update-requested': 'pending-update', 'order.cancel-requested': 'pending-cancel', ...working },
  'partially-filled': { 'order.update-requested': 'pending-update', 'order.cancel-requested': 'pending-cancel', ...working },
  // The fixture's pending-update order was accepted with nothing filled: answers return it to accepted.
  'pending-update': {
    'order.updated': 'accepted', 'order.update-rejected': 'accepted', 'order.denied': 'accepted', 'order.cancel-requested': 'pending-cancel',
    'order.canceled': 'canceled', 'order.expired': 'expired', 'order.filled:partial': 'pending-update', 'order.filled:full': 'filled',
  },
  'pending-cancel': {
    'order.cancel-rejected': 'accepted', 'order.canceled': 'canceled', 'order.expired': 'expired',
    'order.accepted': 'pending-cancel', 'order.rejected': 'rejected', 'order.updated': 'pending-cancel', 'order.update-rejected': 'pending-cancel',
    'order.filled:partial': 'pending-cancel', 'order.filled:full': 'filled',
  },
  filled: { 'order.cancel-rejected': 'filled', 'order.update-rejected': 'filled' },
  denied: {}, rejected: {}, canceled: {}, expired: {},
};

/** Leaves of the fixture order in each status (10 lots ordered). */
const leavesIn = (from: From): number => (from === 'partially-filled' ? 6 : from === 'filled' ? 0 : 10);

function triggerEvent(trigger: OrderTrigger, from: From): DomainEvent {
  const leaves = leavesIn(from);
  switch (trigger) {
    case 'order.requested': return requested();
    case 'order.denied': return { type: 'order.denied', data: { clientOrderId: ID, rule: 'priceBand', reason: 'outside-band', values: {} } };
    case 'order.submitted': return { type: 'order.submitted', data: { clientOrderId: ID } };
    case 'order.accepted': return { type: 'order.accepted', data: { clientOrderId: ID, venueOrderId: 'v1' } };
    case 'order.rejected': return { type: 'order.rejected', data: { clientOrderId: ID, reason: 'post-only would cross' } };
    case 'order.update-requested': return { type: 'order.update-requested', data: { clientOrderId: ID, priceTicks: 618001, sizeLots: 12 } };
    case 'order.updated': return { type: 'order.updated', data: { clientOrderId: ID, priceTicks: 618000, sizeLots: 10 } };
    case 'order.update-rejected': return { type: 'order.update-rejected', data: { clientOrderId: ID, reason: 'too late' } };
    case 'order.cancel-requested': return { type: 'order.cancel-requested', data: { clientOrderId: ID, reason: 'strategy' } };
    case 'order.cancel-rejected': return { type: 'order.cancel-rejected', data: { clientOrderId: ID, reason: 'too late' } };
    case 'order.canceled': return { type: 'order.canceled', data: { clientOrderId: ID, reason: 'strategy' } };
    case 'order.expired': return { type: 'order.expired', data: { clientOrderId: ID } };
    case 'order.filled:partial': return fill(1, Math.max(leaves - 1, 1), 'tx');
    case 'order.filled:full': return fill(Math.max(leaves, 1), 0, 'tx');
  }
}

/** The command that makes decideOms produce the trigger; undefined for triggers only risk or the OMS's place decision produce. */
function triggerCommand(trigger: OrderTrigger, from: From): OmsCommand | undefined {
  const leaves = leavesIn(from);
  const venue = (report: Extract<OmsCommand, { kind: 'venue' }>['report']): OmsCommand => ({ kind: 'venue', report });
  switch (trigger) {
    case 'order.requested': case 'order.denied': case 'order.submitted': return undefined;
    case 'order.accepted': return venue({ kind: 'accepted', clientOrderId: ID, venueOrderId: 'v1' });
    case 'order.rejected': return venue({ kind: 'rejected', clientOrderId: ID, reason: 'post-only would cross' });
    case 'order.update-requested': return { kind: 'modify', strategyId: 'mm', clientOrderId: ID, priceTicks: 618001, sizeLots: 12 };
    case 'order.updated': return venue({ kind: 'updated', clientOrderId: ID, priceTicks: 618000, sizeLots: 10 });
    case 'order.update-rejected': return venue({ kind: 'update-rejected', clientOrderId: ID, reason: 'too late' });
    case 'order.cancel-requested': return { kind: 'cancel', strategyId: 'mm', clientOrderId: ID };
    case 'order.cancel-rejected': return venue({ kind: 'cancel-rejected', clientOrderId: ID, reason: 'too late' });
    case 'order.canceled': return venue({ kind: 'canceled', clientOrderId: ID, reason: 'strategy' });
    case 'order.expired': return venue({ kind: 'expired', clientOrderId: ID });
    case 'order.filled:partial': return venue({ kind: 'fill', clientOrderId: ID, venueTradeId: 'tx', priceTicks: 618003, sizeLots: 1, liquidity: 'maker' });
    case 'order.filled:full': return venue({ kind: 'fill', clientOrderId: ID, venueTradeId: 'tx', priceTicks: 618003, sizeLots: Math.max(leaves, 1), liquidity: 'maker' });
  }
}

describe('order transition table', () => {
  it('is exactly the hand-written lifecycle (same allowed cells, same targets where the target is fixed)', () => {
    for (const from of ['none', ...ORDER_STATUSES] as const) {
      const allowed = Object.keys(ORDER_TRANSITIONS[from]).sort();
      expect({ from, allowed }).toEqual({ from, allowed: Object.keys(EXPECTED[from]).sort() });
    }
  });

  for (const from of ['none', ...ORDER_STATUSES] as const) {
    for (const trigger of ORDER_TRIGGERS) {
      const to = EXPECTED[from][trigger];
      if (to !== undefined) {
        it(`given an order ${from}, when ${trigger}, then it is ${to}`, () => {
          const state = given(TO_STATUS[from]);
          const cmd = triggerCommand(trigger, from);
          if (cmd) {
            const out = decideOms(state, cmd);
            expect(out.map((e) => e.type)).toEqual([trigger.split(':')[0]]);
          }
          evolveOms(state, triggerEvent(trigger, from));
          expect(state.orders.get(ID)!.status).toBe(to);
        });
      } else {
        it(`given an order ${from}, when ${trigger}, then the move is refused`, () => {
          const state = given(TO_STATUS[from]);
          const before = state.orders.get(ID);
          const cmd = triggerCommand(trigger, from);
          if (cmd) {
            const out = decideOms(state, cmd);
            expect(out).toHaveLength(1);
            expect(out[0]!.type).toBe('order.invalid-transition');
            const data = out[0]!.data as { from: string; event: string; reason: string };
            expect(data.from).toBe(from);
            expect(data.event.startsWith(trigger.split(':')[0]!)).toBe(true);
            expect(data.reason.length).toBeGreaterThan(0);
          }
          let err: unknown;
          try { evolveOms(state, triggerEvent(trigger, from)); } catch (e) { err = e; }
          expect(isHftError(err, 'HFT_ERR_INVALID_TRANSITION')).toBe(true);
          expect((err as Error).message).toContain(`not allowed from ${from}`);
          expect(state.orders.get(ID)).toBe(before);
        });
      }
    }
  }
});
