/**
 * The accounting reducer (src/model/accounting) behind the kernel's Ledger port. Equity for risk and
 * the drawdown figure is read in one reporting currency (the scenario's, by default the settle
 * currency of the first instrument); other settle currencies are reported beside it, never converted.
 */
import type { EventData } from '../model/events.ts';
import type { Instrument } from '../model/instrument.ts';
import { equitySnapshot, strategyAttribution } from '../model/accounting/equity.ts';
import { createPortfolio, evolvePortfolio, markPrice, positionChanged, type PortfolioState } from '../model/accounting/Portfolio.ts';
import { settleFunding } from '../model/accounting/settleFunding.ts';
import type { Ledger } from './ports.ts';

export class PortfolioLedger implements Ledger {
  readonly portfolio: PortfolioState;
  constructor(instruments: readonly Instrument[], initialBalances: Readonly<Record<string, string>>, readonly reportingCurrency: string) {
    this.portfolio = createPortfolio({ instruments, initialBalances });
  }

  onFill(fill: EventData<'order.filled'>): EventData<'position.changed'> {
    evolvePortfolio(this.portfolio, { type: 'order.filled', data: fill });
    return positionChanged(this.portfolio, fill.instrument, fill.strategyId);
  }

  onFunding(instrument: string, rate: string, mark: string): { funding: EventData<'funding.settled'>; position: EventData<'position.changed'> }[] {
    return settleFunding(this.portfolio, instrument, rate, mark).map((e) => {
      evolvePortfolio(this.portfolio, e);
      return { funding: e.data, position: positionChanged(this.portfolio, instrument, e.data.strategyId) };
    });
  }

  mark(instrument: string, priceTicks: number): void { markPrice(this.portfolio, instrument, priceTicks); }

  equity(): string {
    const s = equitySnapshot(this.portfolio).find((x) => x.currency === this.reportingCurrency);
    return s ? s.equity : '0';
  }

  summary(): Record<string, unknown> {
    return { equity: equitySnapshot(this.portfolio), byStrategy: strategyAttribution(this.portfolio) };
  }
}
