/**
 * Shared order vocabulary: what strategies emit (intents), what risk checks and what the OMS tracks.
 * Strategy, risk and OMS are peers that never import each other, so the types they exchange live here.
 *
 * Prices are integer ticks and sizes integer lots (see model/instrument.ts); a market order carries
 * priceTicks 0 (ignored).
 */
import type { EventData, EventType, Liquidity, OrderIntentData, OrderSide, OrderTerms, OrderType, TimeInForce } from './events.ts';

export type { Liquidity, OrderSide, OrderType, TimeInForce, TradingState } from './events.ts';

/** A new order. `tag` is free text the strategy uses to recognise its own orders (e.g. "bid-L1"). */
export interface PlaceIntent extends OrderTerms {
  readonly kind: 'place';
  readonly tag?: string;
}

export interface CancelIntent {
  readonly kind: 'cancel';
  readonly strategyId: string;
  readonly clientOrderId: string;
}

/** Amend price and/or total size (not leaves) of a working order. */
export interface ModifyIntent {
  readonly kind: 'modify';
  readonly strategyId: string;
  readonly clientOrderId: string;
  readonly priceTicks: number;
  readonly sizeLots: number;
}

/** strategyId of a cancel-all that covers every strategy (the risk kill switch). */
export const ALL_STRATEGIES = '*';

/** Cancels every open order of the strategy (or of all, ALL_STRATEGIES), optionally on one instrument. */
export interface CancelAllIntent {
  readonly kind: 'cancel-all';
  readonly strategyId: string;
  readonly instrument?: string;
  readonly reason?: string;
}

export type Intent = PlaceIntent | CancelIntent | ModifyIntent | CancelAllIntent;

/**
 * Order lifecycle states. The allowed moves between them are the explicit table in
 * src/oms/transitions.ts (ORDER_TRANSITIONS), also printed in README "OMS, risk and accounting".
 */
export const ORDER_STATUSES = [
  'initialized', 'denied', 'submitted', 'accepted', 'rejected', 'pending-update', 'pending-cancel',
  'partially-filled', 'filled', 'canceled', 'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** States from which no transition leads anywhere else (the order is closed). */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['denied', 'rejected', 'filled', 'canceled', 'expired']);
/** States in which the order may rest at (or be in flight to) the venue: counted as open orders. */
export const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['submitted', 'accepted', 'pending-update', 'pending-cancel', 'partially-filled']);

/**
 * The OMS's record of one order: the requested order (`sizeLots` = total size after the last accepted
 * modify) plus its lifecycle. Immutable: each transition makes a new record.
 */
export interface Order extends OrderIntentData {
  readonly status: OrderStatus;
  /** The working status to return to when a pending update/cancel is answered "no". */
  readonly previousStatus: OrderStatus | undefined;
  readonly venueOrderId: string;
  readonly filledLots: number;
  /** sizeLots - filledLots. */
  readonly leavesLots: number;
  /** Sum of priceTicks × sizeLots over fills: exact integer (below 2^53), for the average fill price. */
  readonly fillNotionalTicksLots: number;
  /** Venue trade ids already applied: a repeated fill report is dropped (idempotency). */
  readonly venueTradeIds: ReadonlySet<string>;
  /** Requested change awaiting the venue's answer. */
  readonly pendingPriceTicks: number;
  readonly pendingSizeLots: number;
}

/**
 * What a venue (simulated or real) reports about an order, before the OMS checks it against the
 * order's state. A fill's `fee` is an exact decimal string in `feeCurrency` when the venue states it;
 * without it the OMS charges the instrument's maker/taker rate.
 */
export type VenueReport =
  | { readonly kind: 'accepted'; readonly clientOrderId: string; readonly venueOrderId: string }
  | { readonly kind: 'rejected'; readonly clientOrderId: string; readonly reason: string }
  | { readonly kind: 'updated'; readonly clientOrderId: string; readonly priceTicks: number; readonly sizeLots: number }
  | { readonly kind: 'update-rejected'; readonly clientOrderId: string; readonly reason: string }
  | { readonly kind: 'canceled'; readonly clientOrderId: string; readonly reason: string }
  | { readonly kind: 'cancel-rejected'; readonly clientOrderId: string; readonly reason: string }
  | { readonly kind: 'expired'; readonly clientOrderId: string }
  | {
    readonly kind: 'fill'; readonly clientOrderId: string; readonly venueTradeId: string;
    readonly priceTicks: number; readonly sizeLots: number; readonly liquidity: Liquidity;
    readonly fee?: string; readonly feeCurrency?: string;
  };

/** An event as a reducer emits it: the kernel wraps it in the envelope (ids, times, causation). */
export type DomainEvent<T extends EventType = EventType> = { [K in T]: { readonly type: K; readonly data: EventData<K> } }[T];

export const isPlace = (i: Intent): i is PlaceIntent => i.kind === 'place';
