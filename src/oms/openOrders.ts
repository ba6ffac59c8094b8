/**
 * Open-order queries (open = submitted, accepted, partially filled, pending update or cancel), in
 * request order, from the indexes the OMS keeps per instrument and per strategy.
 */
import type { Order } from '../model/orders.ts';
import type { OmsState } from './OmsState.ts';
import { strategyInstrumentKey } from './omsInternals.ts';

export interface OpenOrderFilter { readonly instrument?: string; readonly strategyId?: string }

const EMPTY: ReadonlySet<string> = new Set();

function idsFor(state: OmsState, filter: OpenOrderFilter): ReadonlySet<string> {
  if (filter.instrument !== undefined && filter.strategyId !== undefined) return state.openByStrategyInstrument.get(strategyInstrumentKey(filter.strategyId, filter.instrument)) ?? EMPTY;
  const byInst = filter.instrument === undefined ? undefined : state.openByInstrument.get(filter.instrument) ?? EMPTY;
  const byStrat = filter.strategyId === undefined ? undefined : state.openByStrategy.get(filter.strategyId) ?? EMPTY;
  return byInst ?? byStrat ?? state.open;
}

export function openOrders(state: OmsState, filter: OpenOrderFilter = {}): Order[] {
  const out: Order[] = [];
  for (const id of idsFor(state, filter)) { const o = state.orders.get(id); if (o) out.push(o); }
  return out;
}

export function openOrderCount(state: OmsState, filter: OpenOrderFilter = {}): number {
  return idsFor(state, filter).size;
}
