/**
 * Average fill price of an order, exact: the integer sum of priceTicks × sizeLots over its fills
 * divided by the lots filled, converted to a decimal price once.
 */
import { Money } from '../model/accounting/Money.ts';
import type { Instrument } from '../model/instrument.ts';
import type { Order } from '../model/orders.ts';

/** Average fill price as a decimal, undefined before the first fill. */
export function avgFillPrice(order: Order, inst: Instrument): Money | undefined {
  if (order.filledLots === 0) return undefined;
  return new Money(inst.tick.toDecimal(order.fillNotionalTicksLots)).div(order.filledLots);
}

/** Average fill price in (fractional) ticks, for display and integer comparisons. */
export const avgFillPriceTicks = (order: Order): number => (order.filledLots === 0 ? Number.NaN : order.fillNotionalTicksLots / order.filledLots);
