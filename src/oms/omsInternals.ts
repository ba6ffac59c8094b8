/**
 * Shared by decideOms and evolveOms: which table trigger an event is, and where it leads.
 */
import type { EventType } from '../model/events.ts';
import { OPEN_STATUSES, type DomainEvent, type Order, type OrderStatus } from '../model/orders.ts';
import { transitionTarget, type OrderStatusOrNone, type OrderTrigger } from './transitions.ts';

export const ORDER_EVENT_TYPES = [
  'order.requested', 'order.denied', 'order.submitted', 'order.accepted', 'order.rejected',
  'order.update-requested', 'order.updated', 'order.update-rejected',
  'order.cancel-requested', 'order.cancel-rejected', 'order.canceled', 'order.expired', 'order.filled',
] as const satisfies readonly EventType[];
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
export type OrderEvent = DomainEvent<OrderEventType>;

const ORDER_EVENT_SET: ReadonlySet<string> = new Set(ORDER_EVENT_TYPES);
export const isOrderEvent = (e: { type: string }): e is OrderEvent => ORDER_EVENT_SET.has(e.type);

/** The table trigger of an order event (a fill is partial or full by the leaves it leaves). */
export function triggerOf(event: OrderEvent): OrderTrigger {
  if (event.type === 'order.filled') return event.data.leavesLots > 0 ? 'order.filled:partial' : 'order.filled:full';
  return event.type;
}

/** Status the order moves to, or undefined when the table refuses the move. */
export function resolveTarget(order: Order | undefined, trigger: OrderTrigger): OrderStatus | undefined {
  const from: OrderStatusOrNone = order ? order.status : 'none';
  const t = transitionTarget(from, trigger);
  if (t !== 'previous') return t;
  // 'previous' only appears in the pending rows: an amendment is only allowed on a working order, so
  // its fallback follows from the fills; a cancel saved the status it was requested from.
  return order!.status === 'pending-update' ? workingStatus(order!) : order!.previousStatus;
}

/** The working status of an accepted order: partially filled once anything filled. */
export const workingStatus = (order: Order): OrderStatus => (order.filledLots > 0 ? 'partially-filled' : 'accepted');

export const isOpen = (s: OrderStatus): boolean => OPEN_STATUSES.has(s);

// The open-order index key of a strategy on an instrument, built on every open and close: the last
// one is reused (a run usually has one strategy per instrument), sparing a concatenation and a hash.
let lastStrategy = ''; let lastInstrument = ''; let lastKey = '\u0000';
export function strategyInstrumentKey(strategyId: string, instrument: string): string {
  if (strategyId !== lastStrategy || instrument !== lastInstrument) {
    lastStrategy = strategyId; lastInstrument = instrument; lastKey = `${strategyId}\u0000${instrument}`;
  }
  return lastKey;
}
