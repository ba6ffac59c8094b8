/**
 * Equity and P&L read from the portfolio, per settle currency (USDⓈ-M settles in USDT, COIN-M in
 * the coin: they are never added together here). Each read converts marks once; not for every tick.
 */
import { Money, ZERO } from './Money.ts';
import { priceOf } from './contractMath.ts';
import { instrumentOf, type PortfolioState } from './Portfolio.ts';
import { unrealizedPnl, type Position } from './Position.ts';

export interface PnlSummary {
  readonly currency: string;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly fees: string;
  readonly funding: string;
  /** realized + unrealized − fees + funding. */
  readonly netPnl: string;
}

export interface EquitySnapshot extends PnlSummary {
  readonly initialBalance: string;
  /** initialBalance + netPnl. */
  readonly equity: string;
}

function sum(state: PortfolioState, positions: Iterable<[string, Position]>): Map<string, { r: Money; u: Money; f: Money; fu: Money }> {
  const out = new Map<string, { r: Money; u: Money; f: Money; fu: Money }>();
  for (const [id, p] of positions) {
    const inst = instrumentOf(state, id);
    const t = out.get(inst.settle) ?? { r: ZERO, u: ZERO, f: ZERO, fu: ZERO };
    const mark = state.markTicks.get(id);
    out.set(inst.settle, {
      r: t.r.plus(p.realizedPnl), f: t.f.plus(p.fees), fu: t.fu.plus(p.funding),
      u: mark === undefined ? t.u : t.u.plus(unrealizedPnl(p, inst, priceOf(inst, mark))),
    });
  }
  return out;
}

const summary = (currency: string, t: { r: Money; u: Money; f: Money; fu: Money }): PnlSummary => ({
  currency, realizedPnl: t.r.toString(), unrealizedPnl: t.u.toString(), fees: t.f.toString(), funding: t.fu.toString(),
  netPnl: t.r.plus(t.u).minus(t.f).plus(t.fu).toString(),
});

/** Account equity per settle currency (every currency with a balance or a position), sorted by currency. */
export function equitySnapshot(state: PortfolioState): EquitySnapshot[] {
  const totals = sum(state, state.account);
  const currencies = [...new Set([...state.initialBalances.keys(), ...totals.keys()])].sort();
  return currencies.map((ccy) => {
    const s = summary(ccy, totals.get(ccy) ?? { r: ZERO, u: ZERO, f: ZERO, fu: ZERO });
    const initial = state.initialBalances.get(ccy) ?? ZERO;
    return { ...s, initialBalance: initial.toString(), equity: initial.plus(s.netPnl).toString() };
  });
}

/** Per-strategy P&L attribution per settle currency. */
export function strategyAttribution(state: PortfolioState): Record<string, PnlSummary[]> {
  const out: Record<string, PnlSummary[]> = {};
  for (const [strategyId, book] of [...state.byStrategy].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[strategyId] = [...sum(state, book)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ccy, t]) => summary(ccy, t));
  }
  return out;
}
