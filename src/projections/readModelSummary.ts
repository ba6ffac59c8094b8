/**
 * The run summary's order, fill, position and P&L figures computed from the read models (the rows
 * projectEvent produces), so a summary printed from MemoryReadModels — or checked against PostgreSQL —
 * comes from the same reducer as every other read of the log.
 *
 * Unrealized P&L and equity need market marks, which the run log does not hold: not here.
 */
import { Money, ZERO } from '../model/accounting/Money.ts';
import type { MemoryReadModels } from './MemoryReadModels.ts';

export interface ReadModelPnl {
  readonly currency: string;
  /** Σ over the strategy's instruments of the ledger's last cumulative figures (decimal strings). */
  readonly realizedPnl: string;
  readonly fees: string;
  readonly funding: string;
}

export interface ReadModelSummary {
  readonly runId: string;
  readonly decisions: number;
  readonly ordersRequested: number;
  readonly ordersDenied: number;
  /** Orders whose current status is canceled / rejected. */
  readonly cancels: number;
  readonly rejects: number;
  readonly fills: number;
  readonly filledLots: number;
  /** Net lots from the fills, keyed `strategyId|instrument` (as the backtest summary's positionsLots). */
  readonly positionsLots: Record<string, number>;
  /** Per strategy, one entry per settle currency, sorted by currency (as the backtest summary's byStrategy). */
  readonly byStrategy: Record<string, ReadModelPnl[]>;
}

export function readModelSummary(models: MemoryReadModels, runId: string): ReadModelSummary {
  let ordersRequested = 0, ordersDenied = 0, cancels = 0, rejects = 0;
  for (const o of models.rows('orders')) {
    if (o.run_id !== runId) continue;
    ordersRequested++;
    if (o.status === 'denied') ordersDenied++;
    else if (o.status === 'canceled') cancels++;
    else if (o.status === 'rejected') rejects++;
  }
  let decisions = 0;
  for (const d of models.rows('decisions')) if (d.run_id === runId) decisions++;
  let fills = 0, filledLots = 0;
  const positionsLots: Record<string, number> = {};
  for (const f of models.rows('fills')) {
    if (f.run_id !== runId) continue;
    fills++;
    const lots = f.size_lots as number;
    filledLots += lots;
    const key = `${f.strategy_id as string}|${f.instrument as string}`;
    positionsLots[key] = (positionsLots[key] ?? 0) + (f.side === 'buy' ? lots : -lots);
  }
  const sums = new Map<string, Map<string, { realized: Money; fees: Money; funding: Money }>>();
  for (const p of models.rows('positions')) {
    if (p.run_id !== runId) continue;
    let byCcy = sums.get(p.strategy_id as string);
    if (!byCcy) { byCcy = new Map(); sums.set(p.strategy_id as string, byCcy); }
    const t = byCcy.get(p.currency as string) ?? { realized: ZERO, fees: ZERO, funding: ZERO };
    byCcy.set(p.currency as string, {
      realized: t.realized.plus(new Money(p.realized_pnl as string)),
      fees: t.fees.plus(new Money(p.fees as string)),
      funding: t.funding.plus(new Money(p.funding as string)),
    });
  }
  const byStrategy: Record<string, ReadModelPnl[]> = {};
  for (const strategyId of [...sums.keys()].sort()) {
    byStrategy[strategyId] = [...sums.get(strategyId)!].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, t]) => ({
      currency, realizedPnl: t.realized.toString(), fees: t.fees.toString(), funding: t.funding.toString(),
    }));
  }
  return { runId, decisions, ordersRequested, ordersDenied, cancels, rejects, fills, filledLots, positionsLots, byStrategy };
}
