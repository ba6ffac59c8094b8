/**
 * The explicit table of allowed order state transitions. Anything not in this table is refused: the
 * OMS emits `order.invalid-transition` (never a silent ignore), and replaying a log that contains a
 * refused move throws HFT_ERR_INVALID_TRANSITION.
 *
 * Rows are the current status ('none' = the client order id is unknown), columns the trigger. A fill is
 * two triggers: `order.filled:partial` (leaves > 0 after it) and `order.filled:full` (leaves = 0).
 * Target `previous` returns to the working status saved when the pending request was made.
 */
import type { OrderStatus } from '../model/orders.ts';

export const ORDER_TRIGGERS = [
  'order.requested', 'order.denied', 'order.submitted', 'order.accepted', 'order.rejected',
  'order.update-requested', 'order.updated', 'order.update-rejected',
  'order.cancel-requested', 'order.cancel-rejected', 'order.canceled', 'order.expired',
  'order.filled:partial', 'order.filled:full',
] as const;
export type OrderTrigger = (typeof ORDER_TRIGGERS)[number];

export type OrderStatusOrNone = OrderStatus | 'none';
export type TransitionTarget = OrderStatus | 'previous';

export const ORDER_TRANSITIONS: Readonly<Record<OrderStatusOrNone, Readonly<Partial<Record<OrderTrigger, TransitionTarget>>>>> = Object.freeze({
  none: { 'order.requested': 'initialized' },
  initialized: { 'order.denied': 'denied', 'order.submitted': 'submitted' },
  submitted: {
    'order.accepted': 'accepted', 'order.rejected': 'rejected',
    'order.cancel-requested': 'pending-cancel',
    // IOC/FOK orders may be killed or filled before (or without) a separate acknowledgement.
    'order.canceled': 'canceled', 'order.expired': 'expired',
    'order.filled:partial': 'partially-filled', 'order.filled:full': 'filled',
  },
  accepted: {
    'order.update-requested': 'pending-update', 'order.cancel-requested': 'pending-cancel',
    'order.canceled': 'canceled', 'order.expired': 'expired',
    'order.filled:partial': 'partially-filled', 'order.filled:full': 'filled',
  },
  'partially-filled': {
    'order.update-requested': 'pending-update', 'order.cancel-requested': 'pending-cancel',
    'order.canceled': 'canceled', 'order.expired': 'expired',
    'order.filled:partial': 'partially-filled', 'order.filled:full': 'filled',
  },
  'pending-update': {
    'order.updated': 'previous', 'order.update-rejected': 'previous',
    // Risk refused the amendment before it reached the venue: the order keeps working unchanged.
    'order.denied': 'previous',
    'order.cancel-requested': 'pending-cancel',
    'order.canceled': 'canceled', 'order.expired': 'expired',
    // A fill racing the amendment: still waiting for the venue's answer.
    'order.filled:partial': 'pending-update', 'order.filled:full': 'filled',
  },
  'pending-cancel': {
    'order.cancel-rejected': 'previous', 'order.canceled': 'canceled', 'order.expired': 'expired',
    // Answers to requests sent before the cancel, arriving while it is in flight.
    'order.accepted': 'pending-cancel', 'order.rejected': 'rejected',
    'order.updated': 'pending-cancel', 'order.update-rejected': 'pending-cancel',
    'order.filled:partial': 'pending-cancel', 'order.filled:full': 'filled',
  },
  // Cancel or amend racing the last fill: the venue answers "too late" after the fill.
  filled: { 'order.cancel-rejected': 'filled', 'order.update-rejected': 'filled' },
  denied: {},
  rejected: {},
  canceled: {},
  expired: {},
});

/** The target of `trigger` from `from`, or undefined when the table refuses it. */
export const transitionTarget = (from: OrderStatusOrNone, trigger: OrderTrigger): TransitionTarget | undefined => ORDER_TRANSITIONS[from][trigger];
