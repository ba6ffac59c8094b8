/**
 * Unit conversions the multi-leg strategies share (cross-market arb, cash-and-carry, pair trading,
 * triangles). Signals are floats (a basis in bps, a z-score); orders stay integer ticks and lots, so
 * every size a strategy sends goes through `lotsForBase`, which rounds DOWN to the order increment.
 *
 * Inverse contracts (COIN-M) are worth `contractMultiplier` quote units each, so their base exposure
 * depends on the price: base = contracts × multiplier / price.
 */
import type { Instrument } from '../../model/instrument.ts';
import type { Intent, Order, OrderSide } from '../../model/orders.ts';
import type { StrategyContext } from '../Strategy.ts';

export interface Touch { readonly bidTicks: number; readonly bidLots: number; readonly askTicks: number; readonly askLots: number }

/** A usable top of book: both sides present and not crossed. */
export function touchOf(ctx: StrategyContext, id: string): Touch | undefined {
  const t = ctx.bbo(id);
  if (!Number.isFinite(t.bidTicks) || !Number.isFinite(t.askTicks) || t.bidTicks >= t.askTicks || t.bidLots <= 0 || t.askLots <= 0) return undefined;
  return t;
}

export const priceOf = (inst: Instrument, ticks: number): number => inst.tick.toNumber(ticks);

const isInverse = (inst: Instrument): boolean => inst.kind === 'inverse_perp' || inst.kind === 'inverse_future';

/** Base-currency amount of `lots` at `priceTicks` (signed lots give a signed amount). */
export function baseOf(inst: Instrument, lots: number, priceTicks: number): number {
  const mult = Number(inst.contractMultiplier);
  if (isInverse(inst)) return (inst.lot.toNumber(lots) * mult) / priceOf(inst, priceTicks);
  return inst.lot.toNumber(lots) * mult;
}

/** Lots of the order increment that buy/sell at most `base` units at `priceTicks` (rounded down, >= 0). */
export function lotsForBase(inst: Instrument, base: number, priceTicks: number): number {
  if (!(base > 0)) return 0;
  const perLot = baseOf(inst, 1, priceTicks);
  const step = orderLotStep(inst);
  // 1e-9 absorbs float noise in base/perLot for amounts that are exact multiples of the lot
  const raw = Math.floor(base / perLot + 1e-9);
  return raw - (raw % step);
}

/** The order size increment in feed lots (Binance spot feeds carry finer quantities than LOT_SIZE). */
export function orderLotStep(inst: Instrument): number {
  return inst.orderLotSize ? inst.lot.toUnits(inst.orderLotSize) : 1;
}

/** The order price increment in feed ticks. */
export function orderTickStep(inst: Instrument): number {
  return inst.orderTickSize ? inst.tick.toUnits(inst.orderTickSize) : 1;
}

/** A limit IOC that crosses the touch by `slippageTicks` (rounded onto the order tick grid). */
export function iocAtTouch(strategyId: string, inst: Instrument, side: OrderSide, touch: Touch, sizeLots: number, slippageTicks: number, tag: string): Intent {
  const step = orderTickStep(inst);
  const raw = side === 'buy' ? touch.askTicks + slippageTicks : touch.bidTicks - slippageTicks;
  const priceTicks = side === 'buy' ? Math.ceil(raw / step) * step : Math.floor(raw / step) * step;
  return { kind: 'place', strategyId, instrument: inst.id, side, type: 'limit', timeInForce: 'IOC', priceTicks, sizeLots, reduceOnly: false, tag };
}

export const hasWorking = (orders: readonly Order[]): boolean => orders.length > 0;

export const round6 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : 0);

export const feeRate = (inst: Instrument, liquidity: 'taker' | 'maker'): number => Number(liquidity === 'taker' ? inst.takerFeeRate : inst.makerFeeRate);
