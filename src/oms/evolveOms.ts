/**
 * evolve(state, event) -> state for orders. Applies events the OMS (or risk, or the venue through
 * decideOms) already validated; a log that contains a move the transition table refuses is corrupt
 * and throws HFT_ERR_INVALID_TRANSITION, naming the order, its status and the event.
 * Events that are not order events leave the state unchanged.
 */
import { HftError } from '../core/errors.ts';
import type { DomainEvent, Order, OrderStatus } from '../model/orders.ts';
import type { OmsState } from './OmsState.ts';
import { isOpen, isOrderEvent, resolveTarget, triggerOf, workingStatus, type OrderEvent } from './omsInternals.ts';

export function evolveOms(state: OmsState, event: DomainEvent | { readonly type: string; readonly data: unknown }): OmsState {
  if (event.type === 'order.invalid-transition') { state.invalidTransitions++; return state; }
  if (!isOrderEvent(event)) return state;
  const id = event.data.clientOrderId;
  const order = state.orders.get(id);
  const trigger = triggerOf(event);
  const to = resolveTarget(order, trigger);
  if (to === undefined) {
    throw new HftError('HFT_ERR_INVALID_TRANSITION', `order '${id}': ${event.type} not allowed from ${order ? order.status : 'none'}`, { clientOrderId: id, from: order?.status ?? 'none', event: trigger });
  }
  const next = apply(state, order, event, to);
  put(state, order, next);
  return state;
}

function apply(state: OmsState, order: Order | undefined, event: OrderEvent, to: OrderStatus): Order {
  if (event.type === 'order.requested') {
    const d = event.data;
    state.nextSeq++;
    return {
      clientOrderId: d.clientOrderId, strategyId: d.strategyId, instrument: d.instrument, side: d.side, type: d.type,
      timeInForce: d.timeInForce, priceTicks: d.priceTicks, sizeLots: d.sizeLots, reduceOnly: d.reduceOnly, tag: d.tag,
      status: to, previousStatus: undefined, venueOrderId: '', filledLots: 0, leavesLots: d.sizeLots,
      fillNotionalTicksLots: 0, venueTradeIds: new Set(), pendingPriceTicks: 0, pendingSizeLots: 0,
    };
  }
  const o = order!; // resolveTarget refuses every other event for an unknown order
  switch (event.type) {
    case 'order.accepted':
      return { ...o, status: to, venueOrderId: event.data.venueOrderId, previousStatus: o.status === 'pending-cancel' ? 'accepted' : o.previousStatus };
    case 'order.update-requested':
      return { ...o, status: to, pendingPriceTicks: event.data.priceTicks, pendingSizeLots: event.data.sizeLots };
    case 'order.cancel-requested':
      return { ...o, status: to, previousStatus: o.status };
    case 'order.updated': {
      const { priceTicks, sizeLots } = event.data;
      const u = { ...o, priceTicks, sizeLots, leavesLots: sizeLots - o.filledLots, pendingPriceTicks: 0, pendingSizeLots: 0 };
      return { ...u, status: to, previousStatus: amendmentAnswered(u) };
    }
    case 'order.update-rejected':
    case 'order.denied': {
      const u = { ...o, pendingPriceTicks: 0, pendingSizeLots: 0 };
      return { ...u, status: to, previousStatus: amendmentAnswered(u) };
    }
    case 'order.cancel-rejected':
      return { ...o, status: to, previousStatus: undefined };
    case 'order.filled': {
      const d = event.data;
      if (o.venueTradeIds.has(d.venueTradeId)) {
        throw new HftError('HFT_ERR_INVALID_TRANSITION', `order '${o.clientOrderId}': fill with venue trade id '${d.venueTradeId}' applied twice`, { clientOrderId: o.clientOrderId, venueTradeId: d.venueTradeId });
      }
      if (d.sizeLots > o.leavesLots || o.leavesLots - d.sizeLots !== d.leavesLots) {
        throw new HftError('HFT_ERR_INVALID_TRANSITION', `order '${o.clientOrderId}': fill of ${d.sizeLots} lots leaving ${d.leavesLots} does not match ${o.leavesLots} lots left`, { clientOrderId: o.clientOrderId });
      }
      (o.venueTradeIds as Set<string>).add(d.venueTradeId);
      // A cancel requested before anything filled now falls back to partially filled (an amendment
      // still in flight stays the fallback).
      const previousStatus = o.status === 'pending-cancel' && (o.previousStatus === 'accepted' || o.previousStatus === 'submitted') ? 'partially-filled' : o.previousStatus;
      return {
        ...o, status: to, previousStatus, filledLots: o.filledLots + d.sizeLots, leavesLots: d.leavesLots,
        fillNotionalTicksLots: o.fillNotionalTicksLots + d.priceTicks * d.sizeLots,
      };
    }
    default:
      return { ...o, status: to };
  }
}

/** Once an amendment is answered while a cancel is in flight, a refused cancel returns to the working status. */
const amendmentAnswered = (o: Order): Order['previousStatus'] =>
  o.status === 'pending-cancel' && o.previousStatus === 'pending-update' ? workingStatus(o) : o.status === 'pending-cancel' ? o.previousStatus : undefined;

function put(state: OmsState, before: Order | undefined, after: Order): void {
  state.orders.set(after.clientOrderId, after);
  const wasOpen = before !== undefined && isOpen(before.status);
  const nowOpen = isOpen(after.status);
  if (wasOpen === nowOpen) return;
  const id = after.clientOrderId;
  if (nowOpen) {
    state.open.add(id);
    indexAdd(state.openByInstrument, after.instrument, id);
    indexAdd(state.openByStrategy, after.strategyId, id);
    indexAdd(state.openByStrategyInstrument, `${after.strategyId}\u0000${after.instrument}`, id);
  } else {
    state.open.delete(id);
    indexDelete(state.openByInstrument, after.instrument, id);
    indexDelete(state.openByStrategy, after.strategyId, id);
    indexDelete(state.openByStrategyInstrument, `${after.strategyId}\u0000${after.instrument}`, id);
  }
}

function indexAdd(index: Map<string, Set<string>>, key: string, id: string): void {
  let s = index.get(key);
  if (!s) { s = new Set(); index.set(key, s); }
  s.add(id);
}

function indexDelete(index: Map<string, Set<string>>, key: string, id: string): void {
  const s = index.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) index.delete(key);
}
