/**
 * The metrics a sweep ranks by, flattened from a run's `run.completed` summary: every top-level
 * number and decimal string (equity, maxDrawdown, fills, fillRatio, …) plus `netPnl` in the reporting
 * currency. Values are decimal strings so money ranks exactly.
 */
export function sweepMetrics(summary: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(summary)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'string' && DECIMAL.test(v)) out[k] = v;
  }
  const ccy = summary.reportingCurrency;
  const rows = summary.equityByCurrency;
  if (Array.isArray(rows)) {
    const row = rows.find((r) => (r as { currency?: unknown }).currency === ccy) as { netPnl?: unknown } | undefined;
    if (row && typeof row.netPnl === 'string' && DECIMAL.test(row.netPnl)) out.netPnl = row.netPnl;
  }
  return out;
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
