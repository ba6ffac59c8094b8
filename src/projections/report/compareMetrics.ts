/** The metrics row of each run in a comparison: every figure from the full reports, none from drawn points. */
import { Money } from '../../model/accounting/Money.ts';
import type { RunReport } from './RunReport.ts';

export interface MetricColumn { readonly key: string; readonly label: string; readonly num: boolean }

export const COMPARE_COLUMNS: readonly MetricColumn[] = [
  { key: 'runId', label: 'run', num: false }, { key: 'scenario', label: 'scenario', num: false }, { key: 'seed', label: 'seed', num: true },
  { key: 'net', label: 'net P&L', num: true }, { key: 'returnPct', label: 'return %', num: true }, { key: 'maxDrawdown', label: 'max drawdown', num: true },
  { key: 'spreadCapture', label: 'spread capture', num: true }, { key: 'fees', label: 'fees', num: true }, { key: 'funding', label: 'funding', num: true },
  { key: 'markToMarket', label: 'mark-to-market', num: true }, { key: 'orders', label: 'orders', num: true }, { key: 'fills', label: 'fills', num: true },
  { key: 'fillRatio', label: 'fills / order', num: true }, { key: 'denials', label: 'denials', num: true }, { key: 'fillP50Ms', label: 'fill latency p50 (ms)', num: true },
  { key: 'events', label: 'events', num: true }, { key: 'codeVersion', label: 'code', num: false }, { key: 'configHash', label: 'config hash', num: false },
];

const round = (s: string, dp: number): string => new Money(s).toDecimalPlaces(dp).toFixed(dp);

export function compareMetrics(r: RunReport): Record<string, string | number> {
  const initial = new Money(r.initialBalance);
  return {
    runId: r.runId, scenario: r.scenario, seed: r.seed,
    net: round(r.pnl.net, 6), returnPct: initial.isZero() ? '–' : round(new Money(r.pnl.net).div(initial).mul(100).toString(), 4),
    maxDrawdown: round(r.maxDrawdown, 6), spreadCapture: round(r.pnl.spreadCapture, 6), fees: round(r.pnl.fees, 6), funding: round(r.pnl.funding, 6),
    markToMarket: round(r.pnl.markToMarket, 6), orders: r.counts.orders, fills: r.counts.fills,
    fillRatio: r.counts.orders === 0 ? 0 : Number((r.counts.fills / r.counts.orders).toFixed(4)), denials: r.counts.denials,
    fillP50Ms: r.latency.fill.p50Us === null ? '–' : Number((r.latency.fill.p50Us / 1000).toFixed(3)),
    events: r.events, codeVersion: r.codeVersion, configHash: r.configHash.slice(0, 12),
  };
}
