/**
 * The accounting reducer (src/model/accounting) behind the kernel's Ledger port. Equity for risk and
 * the drawdown figure is read in one reporting currency (the scenario's, by default the settle
 * currency of the first instrument); other settle currencies are reported beside it, never converted.
 */
import type { EventData } from '../model/events.ts';
import type { Instrument } from '../model/instrument.ts';
import { equitySnapshot, strategyAttribution } from '../model/accounting/equity.ts';
import { createPortfolio, evolvePortfolio, instrumentOf, markPrice, positionChanged, type PortfolioState } from '../model/accounting/Portfolio.ts';
import { priceOf } from '../model/accounting/contractMath.ts';
import { ZERO, type Money } from '../model/accounting/Money.ts';
import { unrealizedPnl } from '../model/accounting/Position.ts';
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

  adopt(position: EventData<'position.adopted'>): EventData<'position.changed'> {
    evolvePortfolio(this.portfolio, { type: 'position.adopted', data: position });
    return positionChanged(this.portfolio, position.instrument, position.strategyId);
  }

  mark(instrument: string, priceTicks: number): void { markPrice(this.portfolio, instrument, priceTicks); }

  /**
   * Equity in the reporting currency. Read on every equity sample (once a second of event time by
   * default, 86,400 times a simulated day): computed from the positions of that currency only, with
   * the decimal mark reused while its tick price is unchanged, and the whole answer reused while no
   * fill or mark changed. Same arithmetic as equitySnapshot (a test holds them equal).
   */
  equity(): string {
    const pf = this.portfolio;
    let changed = pf.fills !== this.memoFills || pf.fundingEvents !== this.memoFunding || pf.adoptions !== this.memoAdoptions;
    for (const [id, ticks] of pf.markTicks) if (this.memoMarks.get(id) !== ticks) { changed = true; this.memoMarks.set(id, ticks); }
    if (!changed) return this.memoEquity;
    // Summed in equitySnapshot's order (realized, unrealized, fees, funding apart, then netted), so the
    // 40-digit rounding of inexact quotients lands on the same digits.
    let r = ZERO; let u = ZERO; let f = ZERO; let fu = ZERO;
    for (const [id, p] of pf.account) {
      const inst = instrumentOf(pf, id);
      if (inst.settle !== this.reportingCurrency) continue;
      r = r.plus(p.realizedPnl); f = f.plus(p.fees); fu = fu.plus(p.funding);
      const ticks = pf.markTicks.get(id);
      if (ticks !== undefined) u = u.plus(unrealizedPnl(p, inst, this.markMoney(inst, ticks)));
    }
    const initial = pf.initialBalances.get(this.reportingCurrency) ?? ZERO;
    this.memoFills = pf.fills; this.memoFunding = pf.fundingEvents; this.memoAdoptions = pf.adoptions;
    this.memoEquity = initial.plus(r.plus(u).minus(f).plus(fu).toString()).toString();
    return this.memoEquity;
  }

  private memoFills = -1;
  private memoFunding = -1;
  private memoAdoptions = -1;
  private memoEquity = '0';
  private readonly memoMarks = new Map<string, number>();
  private readonly marks = new Map<string, { ticks: number; money: Money }>();
  private markMoney(inst: Instrument, ticks: number): Money {
    const m = this.marks.get(inst.id);
    if (m && m.ticks === ticks) return m.money;
    const money = priceOf(inst, ticks);
    this.marks.set(inst.id, { ticks, money });
    return money;
  }

  summary(): Record<string, unknown> {
    return { equity: equitySnapshot(this.portfolio), byStrategy: strategyAttribution(this.portfolio) };
  }
}
