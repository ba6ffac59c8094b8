/**
 * The accounting reducer: netting positions per instrument for the account and per strategy and
 * instrument for P&L attribution, folded from `order.filled` and `funding.settled`.
 *
 * Fill sizes and prices are converted from ticks/lots to decimals once per fill via the instrument's
 * increments; marks are kept as integer ticks (cheap to update on every BBO) and converted only when
 * equity is read. A fill also marks its instrument at the fill price until a newer mark arrives.
 *
 * The account and each strategy net separately: two strategies holding +1 and −1 leave the account
 * flat (no account P&L on later moves) while each strategy shows its own.
 *
 * A run may start holding a position (`position.adopted`, folded onto a flat position only).
 *
 * Ownership as in the OMS: evolvePortfolio updates the state in place and returns it.
 */
import { HftError } from '../../core/errors.ts';
import type { DomainEvent } from '../orders.ts';
import type { EventData } from '../events.ts';
import type { Instrument } from '../instrument.ts';
import { priceOf, qtyOf } from './contractMath.ts';
import { Money, ZERO } from './Money.ts';
import { FLAT, applyFill, applyFunding, type Position } from './Position.ts';

export interface PortfolioState {
  readonly instruments: ReadonlyMap<string, Instrument>;
  /** Starting balance per settle currency. */
  readonly initialBalances: ReadonlyMap<string, Money>;
  /** Account positions by instrument. */
  readonly account: Map<string, Position>;
  /** Attribution: strategyId → instrument → position. */
  readonly byStrategy: Map<string, Map<string, Position>>;
  /** Last mark per instrument in ticks. */
  readonly markTicks: Map<string, number>;
  fills: number;
  /** funding.settled events folded (with `fills`, tells a reader whether anything but marks changed). */
  fundingEvents: number;
  /** position.adopted events folded (a change of the positions beside `fills`). */
  adoptions: number;
}

export interface PortfolioConfig {
  readonly instruments: readonly Instrument[];
  /** e.g. { "USDT": "10000", "BTC": "0.5" }; currencies not listed start at 0. */
  readonly initialBalances?: Readonly<Record<string, string>>;
}

export function createPortfolio(config: PortfolioConfig): PortfolioState {
  const balances = new Map<string, Money>();
  for (const [ccy, v] of Object.entries(config.initialBalances ?? {})) {
    let m: Money;
    try { m = new Money(v); } catch { throw new HftError('HFT_ERR_CONFIG', `accounting.initialBalances.${ccy}: expected a decimal number, got '${v}'`); }
    balances.set(ccy, m);
  }
  return {
    instruments: new Map(config.instruments.map((i) => [i.id, i] as const)), initialBalances: balances,
    account: new Map(), byStrategy: new Map(), markTicks: new Map(), fills: 0, fundingEvents: 0, adoptions: 0,
  };
}

export function instrumentOf(state: PortfolioState, id: string): Instrument {
  const inst = state.instruments.get(id);
  if (!inst) throw new HftError('HFT_ERR_CONFIG', `accounting: instrument '${id}' is not configured (known: ${[...state.instruments.keys()].join(', ')})`);
  return inst;
}

function strategyBook(state: PortfolioState, strategyId: string): Map<string, Position> {
  let b = state.byStrategy.get(strategyId);
  if (!b) { b = new Map(); state.byStrategy.set(strategyId, b); }
  return b;
}

export function evolvePortfolio(state: PortfolioState, event: DomainEvent | { readonly type: string; readonly data: unknown }): PortfolioState {
  if (event.type === 'order.filled') applyFillEvent(state, (event as DomainEvent<'order.filled'>).data);
  else if (event.type === 'funding.settled') applyFundingEvent(state, (event as DomainEvent<'funding.settled'>).data);
  else if (event.type === 'position.adopted') applyAdoptedEvent(state, event.data as EventData<'position.adopted'>);
  return state;
}

/**
 * A position the run starts holding (`position.adopted`): the account's and the strategy's position
 * become `quantity` at average entry `entryPrice`, exact as the venue wrote them, with no realized
 * P&L, fees or funding (those count from here on). Only onto a flat position: adoption is a start
 * state, never a fill. No mark is set (the entry price need not lie on the tick grid).
 */
function applyAdoptedEvent(state: PortfolioState, a: EventData<'position.adopted'>): void {
  const inst = instrumentOf(state, a.instrument);
  const where = `position.adopted ${a.instrument} (strategy ${a.strategyId})`;
  let qty: Money; let entry: Money;
  try { qty = new Money(a.quantity); } catch { throw new HftError('HFT_ERR_BAD_INPUT', `${where}: quantity '${a.quantity}' is not a decimal`, { field: 'quantity' }); }
  try { entry = new Money(a.entryPrice); } catch { throw new HftError('HFT_ERR_BAD_INPUT', `${where}: entryPrice '${a.entryPrice}' is not a decimal`, { field: 'entryPrice' }); }
  if (qty.isZero()) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: quantity is zero (a flat position is not adopted)`, { field: 'quantity' });
  if (!entry.gt(0)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: entryPrice must be > 0, got '${a.entryPrice}'`, { field: 'entryPrice' });
  const book = strategyBook(state, a.strategyId);
  if (!(state.account.get(inst.id) ?? FLAT).qty.isZero() || !(book.get(inst.id) ?? FLAT).qty.isZero()) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: the ledger already holds a position in ${inst.id}: a position is adopted only at the start, onto a flat ledger`);
  }
  const pos = { qty, avgEntryPrice: entry, realizedPnl: ZERO, fees: ZERO, funding: ZERO };
  state.account.set(inst.id, pos);
  book.set(inst.id, pos);
  state.adoptions++;
}

function applyFillEvent(state: PortfolioState, f: EventData<'order.filled'>): void {
  const inst = instrumentOf(state, f.instrument);
  if (f.feeCurrency !== inst.settle) {
    throw new HftError('HFT_ERR_BAD_INPUT', `fill '${f.venueTradeId}' of order '${f.clientOrderId}': feeCurrency '${f.feeCurrency}' is not the settle currency '${inst.settle}' of ${inst.id}`, { field: 'feeCurrency' });
  }
  const qty = qtyOf(inst, f.sizeLots);
  const signed = f.side === 'buy' ? qty : qty.neg();
  const price = priceOf(inst, f.priceTicks);
  const fee = new Money(f.fee);
  state.account.set(inst.id, applyFill(state.account.get(inst.id) ?? FLAT, inst, signed, price, fee));
  const book = strategyBook(state, f.strategyId);
  book.set(inst.id, applyFill(book.get(inst.id) ?? FLAT, inst, signed, price, fee));
  state.markTicks.set(inst.id, f.priceTicks);
  state.fills++;
}

function applyFundingEvent(state: PortfolioState, f: EventData<'funding.settled'>): void {
  const inst = instrumentOf(state, f.instrument);
  const amount = new Money(f.amount);
  state.fundingEvents++;
  state.account.set(inst.id, applyFunding(state.account.get(inst.id) ?? FLAT, amount));
  const book = strategyBook(state, f.strategyId);
  book.set(inst.id, applyFunding(book.get(inst.id) ?? FLAT, amount));
}

/** Marks an instrument (mid, mark price or last trade) for unrealized P&L: integer only, hot-path safe. */
export function markPrice(state: PortfolioState, instrument: string, priceTicks: number): void {
  state.markTicks.set(instrument, priceTicks);
}

/** The `position.changed` data of a strategy's position on an instrument (after its last fold). */
export function positionChanged(state: PortfolioState, instrument: string, strategyId: string): EventData<'position.changed'> {
  const inst = instrumentOf(state, instrument);
  const p = state.byStrategy.get(strategyId)?.get(instrument) ?? FLAT;
  return {
    instrument, strategyId, quantity: p.qty.toString(), avgEntryPrice: p.avgEntryPrice.toString(),
    realizedPnl: p.realizedPnl.toString(), fees: p.fees.toString(), funding: p.funding.toString(), currency: inst.settle,
  };
}
