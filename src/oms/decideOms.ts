/**
 * decide(state, command) -> events for orders. Pure: reads the state, never changes it; the kernel
 * appends the events and folds them back with evolveOms before the next command.
 *
 * - A place intent becomes `order.requested` with the next deterministic client order id
 *   (clientOrderId(runId, seq), the idempotency key towards venues). Risk then answers with
 *   `order.submitted` or `order.denied`.
 * - Cancel / modify / cancel-all intents become `order.cancel-requested` / `order.update-requested`.
 * - Venue reports become the matching order event.
 * Anything the transition table refuses becomes `order.invalid-transition` (never a silent ignore).
 * The one thing dropped on purpose is a fill whose venue trade id the order already has: venues
 * re-send fills (reconnects, REST reconciliation) and applying one twice would double the position.
 */
import { HftError } from '../core/errors.ts';
import { clientOrderId } from '../core/ids.ts';
import { fillFee, priceOf, qtyOf } from '../model/accounting/contractMath.ts';
import type { Instrument } from '../model/instrument.ts';
import { ALL_STRATEGIES, type DomainEvent, type Intent, type Order, type VenueReport } from '../model/orders.ts';
import type { OmsState } from './OmsState.ts';
import { isOpen, resolveTarget, triggerOf, type OrderEvent } from './omsInternals.ts';
import type { OrderTrigger } from './transitions.ts';

export type OmsCommand = Intent | { readonly kind: 'venue'; readonly report: VenueReport };
export type OmsOutput = DomainEvent<OrderEvent['type'] | 'order.invalid-transition'>;

export function decideOms(state: OmsState, command: OmsCommand): OmsOutput[] {
  switch (command.kind) {
    case 'place': {
      instrumentOf(state, command.instrument, `strategy '${command.strategyId}' place intent`);
      const { strategyId, instrument, side, type, timeInForce, priceTicks, sizeLots, reduceOnly } = command;
      return [{ type: 'order.requested', data: {
        clientOrderId: clientOrderId(state.runId, state.nextSeq), strategyId, instrument, side, type, timeInForce,
        priceTicks, sizeLots, reduceOnly, tag: command.tag ?? '',
      } }];
    }
    case 'cancel': {
      const o = state.orders.get(command.clientOrderId);
      const refused = ownership(o, command.clientOrderId, command.strategyId, 'order.cancel-requested');
      if (refused) return [refused];
      return [checked(o, { type: 'order.cancel-requested', data: { clientOrderId: command.clientOrderId, reason: 'strategy' } })];
    }
    case 'modify': {
      const o = state.orders.get(command.clientOrderId);
      const refused = ownership(o, command.clientOrderId, command.strategyId, 'order.update-requested');
      if (refused) return [refused];
      if (o && isOpen(o.status) && command.sizeLots <= o.filledLots) {
        return [invalid(command.clientOrderId, o.status, 'order.update-requested', `new size ${command.sizeLots} lots not above the ${o.filledLots} lots already filled`)];
      }
      return [checked(o, { type: 'order.update-requested', data: { clientOrderId: command.clientOrderId, priceTicks: command.priceTicks, sizeLots: command.sizeLots } })];
    }
    case 'cancel-all': {
      const out: OmsOutput[] = [];
      const ids = command.strategyId === ALL_STRATEGIES ? state.open : state.openByStrategy.get(command.strategyId) ?? [];
      for (const id of ids) {
        const o = state.orders.get(id)!;
        if (command.instrument !== undefined && o.instrument !== command.instrument) continue;
        // Already being canceled: cancel-all asks for an outcome, not for a second request.
        if (resolveTarget(o, 'order.cancel-requested') === undefined) continue;
        out.push({ type: 'order.cancel-requested', data: { clientOrderId: id, reason: command.reason ?? 'cancel-all' } });
      }
      return out;
    }
    case 'venue':
      return decideVenue(state, command.report);
  }
}

function decideVenue(state: OmsState, r: VenueReport): OmsOutput[] {
  const o = state.orders.get(r.clientOrderId);
  switch (r.kind) {
    case 'accepted': return [checked(o, { type: 'order.accepted', data: { clientOrderId: r.clientOrderId, venueOrderId: r.venueOrderId } })];
    case 'rejected': return [checked(o, { type: 'order.rejected', data: { clientOrderId: r.clientOrderId, reason: r.reason } })];
    case 'updated': return [checked(o, { type: 'order.updated', data: { clientOrderId: r.clientOrderId, priceTicks: r.priceTicks, sizeLots: r.sizeLots } })];
    case 'update-rejected': return [checked(o, { type: 'order.update-rejected', data: { clientOrderId: r.clientOrderId, reason: r.reason } })];
    case 'canceled': return [checked(o, { type: 'order.canceled', data: { clientOrderId: r.clientOrderId, reason: r.reason } })];
    case 'cancel-rejected': return [checked(o, { type: 'order.cancel-rejected', data: { clientOrderId: r.clientOrderId, reason: r.reason } })];
    case 'expired': return [checked(o, { type: 'order.expired', data: { clientOrderId: r.clientOrderId } })];
    case 'fill': {
      if (!Number.isSafeInteger(r.priceTicks) || r.priceTicks <= 0) throw new HftError('HFT_ERR_BAD_INPUT', `fill '${r.venueTradeId}' of order '${r.clientOrderId}': priceTicks must be a positive integer, got ${r.priceTicks}`);
      if (!Number.isSafeInteger(r.sizeLots) || r.sizeLots <= 0) throw new HftError('HFT_ERR_BAD_INPUT', `fill '${r.venueTradeId}' of order '${r.clientOrderId}': sizeLots must be a positive integer, got ${r.sizeLots}`);
      if (!o) return [invalid(r.clientOrderId, 'none', 'order.filled', 'unknown client order id')];
      if (o.venueTradeIds.has(r.venueTradeId)) return [];
      if (r.sizeLots > o.leavesLots) {
        return [invalid(r.clientOrderId, o.status, 'order.filled', `overfill: ${r.sizeLots} lots filled with ${o.leavesLots} lots left (trade '${r.venueTradeId}')`)];
      }
      const inst = instrumentOf(state, o.instrument, `order '${o.clientOrderId}'`);
      const price = priceOf(inst, r.priceTicks);
      const qty = qtyOf(inst, r.sizeLots);
      const fee = r.fee ?? fillFee(inst, price, qty, r.liquidity).toString();
      return [checked(o, { type: 'order.filled', data: {
        clientOrderId: o.clientOrderId, strategyId: o.strategyId, instrument: o.instrument, side: o.side, venueTradeId: r.venueTradeId,
        priceTicks: r.priceTicks, sizeLots: r.sizeLots, leavesLots: o.leavesLots - r.sizeLots, liquidity: r.liquidity,
        price: price.toString(), size: qty.toString(), fee, feeCurrency: r.feeCurrency ?? inst.settle,
      } })];
    }
  }
}

/** The event itself when the table allows it from the order's status, else the refusal. */
function checked(o: Order | undefined, e: OrderEvent): OmsOutput {
  const trigger = triggerOf(e);
  if (resolveTarget(o, trigger) !== undefined) return e;
  return invalid(e.data.clientOrderId, o ? o.status : 'none', trigger, o ? `not allowed from ${o.status}` : 'unknown client order id');
}

function ownership(o: Order | undefined, id: string, strategyId: string, trigger: OrderTrigger): OmsOutput | undefined {
  if (o && o.strategyId !== strategyId) return invalid(id, o.status, trigger, `order belongs to strategy '${o.strategyId}', not '${strategyId}'`);
  return undefined;
}

const invalid = (clientOrderId: string, from: string, event: OrderTrigger | 'order.filled', reason: string): OmsOutput =>
  ({ type: 'order.invalid-transition', data: { clientOrderId, from, event, reason } });

function instrumentOf(state: OmsState, id: string, who: string): Instrument {
  const inst = state.instruments.get(id);
  if (!inst) throw new HftError('HFT_ERR_CONFIG', `${who}: instrument '${id}' is not configured (known: ${[...state.instruments.keys()].join(', ') || 'none'})`);
  return inst;
}
