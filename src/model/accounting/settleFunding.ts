/**
 * Funding settlement of a perpetual: one `funding.settled` per strategy holding a position on the
 * instrument, amount = −position notional at mark × rate (longs pay when the rate is positive).
 * Binance: https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031
 */
import type { DomainEvent } from '../orders.ts';
import { fundingAmount } from './contractMath.ts';
import { Money } from './Money.ts';
import { instrumentOf, type PortfolioState } from './Portfolio.ts';

export function settleFunding(state: PortfolioState, instrument: string, rate: string, markPrice: string): DomainEvent<'funding.settled'>[] {
  const inst = instrumentOf(state, instrument);
  const r = new Money(rate); const mark = new Money(markPrice);
  const out: DomainEvent<'funding.settled'>[] = [];
  for (const [strategyId, book] of state.byStrategy) {
    const p = book.get(instrument);
    if (!p || p.qty.isZero()) continue;
    out.push({ type: 'funding.settled', data: {
      instrument, strategyId, rate, position: p.qty.toString(), markPrice, amount: fundingAmount(inst, p.qty, mark, r).toString(), currency: inst.settle,
    } });
  }
  return out;
}
