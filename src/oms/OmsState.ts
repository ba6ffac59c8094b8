/**
 * The OMS state: every order of the run by client order id, plus open-order indexes per instrument
 * and per strategy.
 *
 * Ownership: `evolveOms` updates the state it is given in place and returns it (copying every map per
 * event would cost more than the rest of the kernel). Order records themselves are replaced, never
 * mutated, so a reader may keep an `Order` it was handed. `decideOms` never modifies the state.
 */
import { HftError } from '../core/errors.ts';
import type { Instrument } from '../model/instrument.ts';
import type { Order } from '../model/orders.ts';

export interface OmsState {
  readonly runId: string;
  readonly instruments: ReadonlyMap<string, Instrument>;
  /** Sequence of the next client order id (clientOrderId(runId, nextSeq)). */
  nextSeq: number;
  readonly orders: Map<string, Order>;
  /** Open client order ids in request order. */
  readonly open: Set<string>;
  readonly openByInstrument: Map<string, Set<string>>;
  readonly openByStrategy: Map<string, Set<string>>;
  /** Key `<strategyId>\u0000<instrument>`: the query a strategy makes on every decision. */
  readonly openByStrategyInstrument: Map<string, Set<string>>;
  /**
   * Closed orders kept for late venue messages (a cancel-rejected after the fill, a re-sent fill), oldest
   * first; beyond retainClosedOrders the oldest is forgotten so memory stays flat over any run length.
   */
  readonly closed: Set<string>;
  /**
   * The ids of `closed` in the same order, from index closedHead: the oldest is found without iterating
   * the set (a set that always loses its first entry keeps the holes at its front until it is rehashed,
   * and its first value is found by walking over them: thousands of entries per closed order).
   */
  readonly closedQueue: string[];
  closedHead: number;
  readonly retainClosedOrders: number;
  /** Invalid transitions recorded so far (each is also an `order.invalid-transition` event). */
  invalidTransitions: number;
  /** Bumped by every event that changes an order: a reader may reuse what it derived at the same version. */
  version: number;
}

export interface OmsConfig {
  readonly runId: string;
  readonly instruments: readonly Instrument[];
  /** First client order id sequence (default 0). */
  readonly firstSeq?: number;
  /** Closed orders remembered for late venue messages (default 10,000). A message for a forgotten order is refused as unknown. */
  readonly retainClosedOrders?: number;
}

export function createOmsState(config: OmsConfig): OmsState {
  if (typeof config.runId !== 'string' || config.runId === '') throw new HftError('HFT_ERR_CONFIG', 'oms.runId: must be a non-empty string');
  const instruments = new Map<string, Instrument>();
  for (const inst of config.instruments) {
    if (instruments.has(inst.id)) throw new HftError('HFT_ERR_CONFIG', `oms.instruments: '${inst.id}' listed twice`);
    instruments.set(inst.id, inst);
  }
  const firstSeq = config.firstSeq ?? 0;
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 0) throw new HftError('HFT_ERR_CONFIG', `oms.firstSeq: must be a non-negative integer, got ${firstSeq}`);
  const retainClosedOrders = config.retainClosedOrders ?? 10_000;
  if (!Number.isSafeInteger(retainClosedOrders) || retainClosedOrders < 0) throw new HftError('HFT_ERR_CONFIG', `oms.retainClosedOrders: must be a non-negative integer, got ${retainClosedOrders}`);
  return {
    runId: config.runId, instruments, nextSeq: firstSeq,
    orders: new Map(), open: new Set(), openByInstrument: new Map(), openByStrategy: new Map(), openByStrategyInstrument: new Map(), closed: new Set(), closedQueue: [], closedHead: 0, retainClosedOrders, invalidTransitions: 0, version: 0,
  };
}
