/**
 * The event envelope and the closed, versioned catalogue of event types.
 *
 * Market events (book, trade, BBO, funding, mark) live in the Parquet tick store (market tier) and
 * are listed here so the merged "every tick, decision, order and fill" stream has one vocabulary;
 * the run tier (event store) holds the engine events and never duplicates ticks.
 */
import { HftError } from '../core/errors.ts';
import type { MarketEvent } from './market.ts';

/** Stored event: what every store returns. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** Deterministic id `<runId>-<seq>` (idempotency key for stores that support one). */
  readonly id: string;
  readonly type: T;
  readonly version: number;
  readonly streamId: string;
  /** 0-based revision within the stream. */
  readonly revision: number;
  /** 0-based global position in the store. */
  readonly position: number;
  /** Exchange time (or simulated venue time) in µs. */
  readonly tsEvent: number;
  /** Local receive / decision time in µs. */
  readonly tsRecv: number;
  readonly runId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: EventData<T>;
}

/** Event to append: the store assigns revision and position. */
export type NewEvent<T extends EventType = EventType> = Omit<EventEnvelope<T>, 'streamId' | 'revision' | 'position'>;

export type Liquidity = 'maker' | 'taker';
export type OrderSide = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'POST_ONLY';
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface DatasetRef { readonly path: string; readonly sha256: string; readonly rowFrom: number; readonly rowTo: number }

/** What an order is, as a strategy asks for it (PlaceIntent) and as the OMS records it (OrderIntentData). */
export interface OrderTerms {
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly reduceOnly: boolean;
}

export interface OrderIntentData extends OrderTerms {
  readonly clientOrderId: string;
  /** Strategy's own label for the order (may be empty). */
  readonly tag: string;
}

/** A position a derivatives venue reports holding (reconciliation), exact decimals as the venue wrote them. */
export interface VenuePosition {
  /** Our instrument id `<venue>:<symbol>`, e.g. `binance-usdm:BTCUSDT`. */
  readonly instrument: string;
  /** Signed size in the instrument's size unit (USDⓈ-M: base asset, COIN-M: contracts): > 0 long, < 0 short. */
  readonly quantity: string;
  /** Binance `positionSide`: 'BOTH' in one-way mode (the quantity's sign is the side), 'LONG' / 'SHORT' in hedge mode. */
  readonly positionSide: string;
  readonly entryPrice: string;
}

/** Data shape of each event type, current version. */
export interface EventDataMap {
  // market (tick store)
  'market.book': MarketEvent & { kind: 'book' };
  'market.trade': MarketEvent & { kind: 'trade' };
  'market.bbo': MarketEvent & { kind: 'bbo' };
  'market.funding': MarketEvent & { kind: 'funding' };
  'market.mark': MarketEvent & { kind: 'mark' };
  'market.gap': MarketEvent & { kind: 'gap' };
  // run lifecycle
  'run.started': {
    mode: 'backtest' | 'replay' | 'paper' | 'live';
    scenario: string; configHash: string; seed: number; codeVersion: string;
    datasets: readonly DatasetRef[]; config: unknown;
  };
  'run.completed': { summary: Record<string, unknown> };
  // engine
  'timer': { timerId: string; strategyId: string };
  'decision': { strategyId: string; trigger: string; inputs: Record<string, number | string | boolean>; intents: readonly Record<string, unknown>[] };
  'order.requested': OrderIntentData;
  'order.denied': { clientOrderId: string; rule: string; reason: string; values: Record<string, number | string> };
  'order.submitted': { clientOrderId: string };
  'order.accepted': { clientOrderId: string; venueOrderId: string };
  'order.rejected': { clientOrderId: string; reason: string };
  'order.update-requested': { clientOrderId: string; priceTicks: number; sizeLots: number };
  'order.updated': { clientOrderId: string; priceTicks: number; sizeLots: number };
  'order.update-rejected': { clientOrderId: string; reason: string };
  'order.cancel-requested': { clientOrderId: string; reason: string };
  'order.cancel-rejected': { clientOrderId: string; reason: string };
  'order.canceled': { clientOrderId: string; reason: string };
  'order.expired': { clientOrderId: string };
  'order.filled': {
    clientOrderId: string; strategyId: string; instrument: string; side: OrderSide; venueTradeId: string;
    priceTicks: number; sizeLots: number; leavesLots: number; liquidity: Liquidity;
    /** Exact decimal strings. */
    price: string; size: string; fee: string; feeCurrency: string;
  };
  /** `from` is the order status ('none' for an unknown order); `reason` says why it was refused. */
  'order.invalid-transition': { clientOrderId: string; from: string; event: string; reason: string };
  /** Per strategy and instrument (netting); money fields cumulative, in `currency` (the settle currency). */
  'position.changed': { instrument: string; strategyId: string; quantity: string; avgEntryPrice: string; realizedPnl: string; fees: string; funding: string; currency: string };
  /** amount > 0 received, < 0 paid. */
  'funding.settled': { instrument: string; strategyId: string; rate: string; position: string; markPrice: string; amount: string; currency: string };
  'balance.settled': { currency: string; balance: string; change: string; reason: string };
  'risk.state-changed': { from: TradingState; to: TradingState; reason: string; values: Record<string, number | string> };
  /**
   * A position the run starts holding, recorded after run.started and before any market event: a
   * recorded input (a replay seeds from it again). `source` 'venue': the venue's positionRisk at a live
   * start (`hft live --adopt-positions`); 'given': stated on the command line (`hft paper
   * --start-position`, a rehearsal of such a start). The ledger takes `quantity` (signed, the
   * instrument's size unit) at average entry `entryPrice`, exact as written; risk takes its lots.
   * Followed by the seeded `position.changed` and, when it exceeds a position limit, a
   * `risk.state-changed` to REDUCING.
   */
  'position.adopted': { instrument: string; strategyId: string; quantity: string; entryPrice: string; positionSide: string; source: 'venue' | 'given' };
  /**
   * Live: the venue's position in an instrument the run trades differs from the ledger's (the sum over
   * the run's strategies) by the same amount at two readings, fills on their way allowed for
   * (engine/live/PositionWatch.ts). `ledgerQuantity`: the ledger's position the venue's last answer is
   * compared with; `checks`: the readings that showed it; `firstSeenUs`: local time of the first.
   * Trading halts (risk.state-changed HALTED caused by this event, cancel all).
   */
  'position.drift-detected': { instrument: string; venueQuantity: string; ledgerQuantity: string; firstSeenUs: number; checks: number };
  // live and paper (wall-clock) runs
  /** Stop asked (Ctrl-C, SIGTERM, kill switch, end of session) at local time `atUs`: what follows is shutdown. */
  'run.stop-requested': { reason: string; atUs: number };
  /** The session's recorded market inputs (tick store files) and the last clock reading: what parity replays. */
  'run.inputs-recorded': { tickStore: string; datasets: readonly DatasetRef[]; stopUs: number };
  /** A paper run passed parity and may go live with this strategy + risk configuration. */
  'run.promoted': { paperRunId: string; strategyHash: string; configHash: string; compared: number; matchRate: number; riskLimits: Record<string, unknown> };
  /** One request to a real venue and its answer (µs): the recorded-latency row. venueUs 0 = not processed. */
  'order.request-acked': { action: string; clientOrderId: string; requestUs: number; venueUs: number; responseUs: number; outcome: string };
  /**
   * Start-of-run comparison of the venue's open orders, balances and positions with the log (v2 added
   * `positions`). `positions`: every non-zero position the venue reported, in any instrument; `[]` =
   * flat everywhere; `null` = the venue was not asked: spot has no positions (its holdings are the
   * balances), and a v1 event predates the question.
   */
  'reconciliation.completed': { venueOpenOrders: readonly string[]; unknownOrders: readonly string[]; missingOrders: readonly string[]; balances: Record<string, string>; canceledUnknown: number; positions: readonly VenuePosition[] | null };
  // operator commands (stream control-<runId>): appended by `hft serve`, carried out by the session
  /** `by`: who asked, as a role (never a token). */
  'operator.cancel-requested': { runId: string; clientOrderId: string; by: string; reason: string };
  'operator.cancel-all-requested': { runId: string; by: string; reason: string };
  /** Kill switch: trading state HALTED, then every open order of every strategy canceled. */
  'operator.kill-requested': { runId: string; by: string; reason: string };
  /**
   * Stream inputs-<runId>: an operator command as the session carried it out, after `afterRows`
   * market rows at local time `atUs` — a recorded input like the tick files: parity replays it there.
   */
  'operator.command-applied': { command: { id: string; type: string; streamId: string; position: number; data: Record<string, unknown> }; afterRows: number; atUs: number };
}

export type EventType = keyof EventDataMap;
export type EventData<T extends EventType> = EventDataMap[T];

/** The closed catalogue: every type and its current schema version. */
export const EVENT_CATALOGUE: Readonly<Record<EventType, number>> = Object.freeze({
  'market.book': 1, 'market.trade': 1, 'market.bbo': 1, 'market.funding': 1, 'market.mark': 1, 'market.gap': 1,
  'run.started': 1, 'run.completed': 1,
  'timer': 1, 'decision': 1,
  'order.requested': 1, 'order.denied': 1, 'order.submitted': 1, 'order.accepted': 1, 'order.rejected': 1,
  'order.update-requested': 1, 'order.updated': 1, 'order.update-rejected': 1,
  'order.cancel-requested': 1, 'order.cancel-rejected': 1, 'order.canceled': 1, 'order.expired': 1,
  'order.filled': 1, 'order.invalid-transition': 1,
  'position.changed': 1, 'funding.settled': 1, 'balance.settled': 1, 'risk.state-changed': 1,
  'position.adopted': 1, 'position.drift-detected': 1,
  'run.stop-requested': 1, 'run.inputs-recorded': 1, 'run.promoted': 1, 'order.request-acked': 1, 'reconciliation.completed': 2,
  'operator.cancel-requested': 1, 'operator.cancel-all-requested': 1, 'operator.kill-requested': 1, 'operator.command-applied': 1,
});

export const isEventType = (t: string): t is EventType => Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, t);

/** Upcaster: turns the data of `type` at `fromVersion` into `fromVersion + 1`. */
export type Upcaster = (data: unknown) => unknown;
const upcasters = new Map<string, Upcaster>();

/** Registers the step from `fromVersion` to `fromVersion + 1` of `type`. Stored events are never edited. */
export function registerUpcaster(type: EventType, fromVersion: number, up: Upcaster): void {
  upcasters.set(`${type}@${fromVersion}`, up);
}

// reconciliation.completed v1 -> v2: v1 did not ask the venue for positions (null: not asked, not "flat").
registerUpcaster('reconciliation.completed', 1, (d) => ({ ...(d as object), positions: null }));

/** Brings a stored event to the current version of its type (identity when already current). */
export function upcast<E extends { type: string; version: number; data: unknown }>(event: E): E {
  if (!isEventType(event.type)) throw new HftError('HFT_ERR_UNKNOWN_EVENT', `unknown event type '${event.type}'`, { type: event.type });
  const current = EVENT_CATALOGUE[event.type];
  if (event.version === current) return event;
  if (event.version > current) throw new HftError('HFT_ERR_UNKNOWN_EVENT', `event '${event.type}' version ${event.version} is newer than this build (${current})`, { type: event.type, version: event.version });
  let data = event.data;
  for (let v = event.version; v < current; v++) {
    const up = upcasters.get(`${event.type}@${v}`);
    if (!up) throw new HftError('HFT_ERR_UNKNOWN_EVENT', `no upcaster for '${event.type}' v${v} -> v${v + 1}`, { type: event.type, version: v });
    data = up(data);
  }
  return { ...event, version: current, data };
}

/**
 * Upcasts a batch read from a store: the same array when every event is current (the common case
 * costs one catalogue lookup per event), else a copy with the old ones brought up to date.
 */
export function upcastBatch<E extends { type: string; version: number; data: unknown }>(events: E[]): E[] {
  let out: E[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const current = isEventType(e.type) ? EVENT_CATALOGUE[e.type] : -1;
    if (e.version === current) { if (out) out.push(e); continue; }
    if (!out) out = events.slice(0, i);
    out.push(upcast(e));
  }
  return out ?? events;
}
