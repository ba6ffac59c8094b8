/**
 * What the API reads: the projection's tables (projections/*.sql), per run. Two sources with the same
 * rows: in memory (MemoryReadModels folded from the log by this process) or PostgreSQL kept by
 * `hft project` (SqlRunReadModels).
 */
import type { Row } from '../../projections/RowBatch.ts';

export type { Row };

/** Order statuses after which nothing changes. */
export const TERMINAL_STATUSES: readonly string[] = ['denied', 'rejected', 'filled', 'canceled', 'expired'];

export interface OrderQuery {
  /** Only orders still working (not in a terminal status). */
  readonly open?: boolean;
  readonly status?: string;
  readonly limit: number;
}

export interface RunReadModels {
  readonly source: 'memory' | 'postgres';
  /** Global position of the last event folded into these rows (-1 = none). */
  position(): Promise<number>;
  runs(): Promise<Row[]>;
  run(runId: string): Promise<Row | undefined>;
  /** Newest first. */
  orders(runId: string, q: OrderQuery): Promise<Row[]>;
  /** The order's current row and its history in log order. */
  order(runId: string, clientOrderId: string): Promise<{ order: Row; events: Row[] } | undefined>;
  /** Newest first. */
  fills(runId: string, limit: number): Promise<Row[]>;
  positions(runId: string): Promise<Row[]>;
  pnl(runId: string): Promise<{ daily: Row[]; equity: Row[] }>;
  /** Newest first. */
  denials(runId: string, limit: number): Promise<Row[]>;
  riskStates(runId: string): Promise<Row[]>;
  close(): Promise<void>;
}
