/**
 * The data of a run report: everything the HTML page draws and prints, computed from the run's events
 * and the market rows it traded on. Series are DRAWING data (downsampled to a point budget, keeping
 * each bucket's extremes); every figure (P&L, drawdown, counts, histograms, percentiles) is computed
 * from all events and all samples.
 *
 * Times are µs since the epoch; prices in ticks and sizes in lots of the series' instrument; money as
 * exact decimal strings in `currency`.
 */
import type { DatasetRef, TradingState } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';

/** A drawn series: `t` ascending; `total` = points before downsampling. */
export interface Series { readonly t: number[]; readonly v: (number | null)[]; readonly total: number }

export interface PriceSeries {
  readonly instrument: string;
  /** Best bid / ask at each BBO change (ticks), downsampled. */
  readonly t: number[]; readonly bid: number[]; readonly ask: number[];
  readonly total: number;
  /** Our best working buy / sell price (ticks; null = none working), at each change. */
  readonly quotes: { readonly t: number[]; readonly bid: (number | null)[]; readonly ask: (number | null)[]; readonly total: number };
  /** Fills, drawn as markers: side +1 buy, -1 sell. */
  readonly fills: { readonly t: number[]; readonly priceTicks: number[]; readonly sizeLots: number[]; readonly side: number[]; readonly total: number };
}

export interface Histogram {
  /** Bucket upper edges in µs (the last bucket is open: > the last edge). */
  readonly edgesUs: number[];
  readonly counts: number[];
  readonly n: number;
  readonly p50Us: number | null; readonly p90Us: number | null; readonly p99Us: number | null; readonly maxUs: number | null;
}

export interface PnlBreakdown {
  readonly currency: string;
  /** Σ over fills of (mid at the fill − fill price) × qty for buys, (price − mid) × qty for sells. */
  readonly spreadCapture: string;
  /** Paid (positive = cost). */
  readonly fees: string;
  /** Received (negative = paid). */
  readonly funding: string;
  /** What inventory made or lost as prices moved: net − spread capture + fees − funding. */
  readonly markToMarket: string;
  readonly realized: string;
  readonly unrealized: string;
  readonly net: string;
}

export interface OrderOutcomes {
  readonly requested: number;
  readonly filled: number;
  readonly partiallyFilledThenCanceled: number;
  readonly canceled: number;
  readonly expired: number;
  readonly open: number;
  readonly rejected: Record<string, number>;
  /** Risk denials by rule. */
  readonly denied: Record<string, number>;
}

export interface RiskChange { readonly tUs: number; readonly from: TradingState; readonly to: TradingState; readonly reason: string }

export interface RunReport {
  readonly runId: string;
  readonly streamId: string;
  readonly scenario: string;
  readonly mode: string;
  readonly seed: number;
  readonly codeVersion: string;
  readonly configHash: string;
  readonly config: unknown;
  readonly datasets: readonly DatasetRef[];
  readonly instruments: readonly InstrumentSpec[];
  readonly startUs: number;
  readonly endUs: number;
  readonly completed: boolean;
  readonly events: number;
  readonly marketRows: number;
  readonly currency: string;
  readonly initialBalance: string;
  readonly finalEquity: string;
  /** Largest peak-to-trough fall of the equity samples (all of them, not the drawn ones). */
  readonly maxDrawdown: string;
  readonly equitySamples: number;
  readonly equityIntervalUs: number;
  readonly equity: Series;
  readonly drawdown: Series;
  readonly pnl: PnlBreakdown;
  readonly prices: readonly PriceSeries[];
  /** Per `<strategy>|<instrument>`: signed quantity in lots after each change. */
  readonly inventory: readonly { readonly key: string; readonly instrument: string; readonly t: number[]; readonly lots: number[]; readonly total: number }[];
  readonly outcomes: OrderOutcomes;
  readonly latency: { readonly ack: Histogram; readonly fill: Histogram; readonly queueWait: Histogram };
  readonly risk: readonly RiskChange[];
  readonly initialTradingState: string;
  readonly counts: { readonly decisions: number; readonly orders: number; readonly fills: number; readonly cancels: number; readonly rejects: number; readonly denials: number };
  /** run.completed summary as the kernel wrote it (absent while a run is still going). */
  readonly summary: Record<string, unknown> | null;
}
