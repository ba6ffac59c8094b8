/** Read models in PostgreSQL (or PGlite), as `hft project` keeps them. */
import { HftError } from '../../core/errors.ts';
import type { SqlConn } from '../../projections/SqlConn.ts';
import { TERMINAL_STATUSES, type OrderQuery, type Row, type RunReadModels } from './RunReadModels.ts';

/** int8 columns come back from `pg` as strings; the API answers numbers as the memory models do. */
const NUMERIC_COLUMNS = /(_us|_ticks|_lots|^position|^last_position|^seed|^events|^decisions|^orders|^fills|^denials)$/;

function normalize(rows: Row[]): Row[] {
  for (const r of rows) for (const k of Object.keys(r)) if (typeof r[k] === 'string' && NUMERIC_COLUMNS.test(k)) r[k] = Number(r[k]);
  return rows;
}

export class SqlRunReadModels implements RunReadModels {
  readonly source = 'postgres' as const;
  private readonly s: string;

  constructor(private readonly conn: SqlConn, schema: string, private readonly projection = 'read-models', private readonly onClose: () => Promise<void> = async () => {}) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new HftError('HFT_ERR_CONFIG', `read model schema '${schema}' must match [a-z_][a-z0-9_]*`);
    this.s = `"${schema}"`;
  }

  private async q(sql: string, params: unknown[] = []): Promise<Row[]> { return normalize(await this.conn.query<Row>(sql, params)); }

  async position(): Promise<number> {
    const r = await this.q(`SELECT position FROM ${this.s}.projection_checkpoints WHERE name = $1`, [this.projection]);
    return r.length ? (r[0]!.position as number) : -1;
  }
  async runs(): Promise<Row[]> { return this.q(`SELECT * FROM ${this.s}.runs ORDER BY first_ts_us`); }
  async run(runId: string): Promise<Row | undefined> { return (await this.q(`SELECT * FROM ${this.s}.runs WHERE run_id = $1`, [runId]))[0]; }

  async orders(runId: string, q: OrderQuery): Promise<Row[]> {
    const where = ['run_id = $1'];
    const params: unknown[] = [runId];
    if (q.open) { params.push(TERMINAL_STATUSES); where.push(`NOT (status = ANY($${params.length}))`); }
    if (q.status !== undefined) { params.push(q.status); where.push(`status = $${params.length}`); }
    params.push(q.limit);
    return this.q(`SELECT * FROM ${this.s}.orders WHERE ${where.join(' AND ')} ORDER BY requested_ts_us DESC, last_position DESC LIMIT $${params.length}`, params);
  }

  async order(runId: string, clientOrderId: string): Promise<{ order: Row; events: Row[] } | undefined> {
    const order = (await this.q(`SELECT * FROM ${this.s}.orders WHERE run_id = $1 AND client_order_id = $2`, [runId, clientOrderId]))[0];
    if (!order) return undefined;
    return { order, events: await this.q(`SELECT * FROM ${this.s}.order_events WHERE run_id = $1 AND client_order_id = $2 ORDER BY position`, [runId, clientOrderId]) };
  }

  async fills(runId: string, limit: number): Promise<Row[]> { return this.q(`SELECT * FROM ${this.s}.fills WHERE run_id = $1 ORDER BY position DESC LIMIT $2`, [runId, limit]); }
  async positions(runId: string): Promise<Row[]> { return this.q(`SELECT * FROM ${this.s}.positions WHERE run_id = $1 ORDER BY strategy_id, instrument`, [runId]); }
  async pnl(runId: string): Promise<{ daily: Row[]; equity: Row[] }> {
    return {
      daily: await this.q(`SELECT run_id, strategy_id, instrument, to_char(day, 'YYYY-MM-DD') AS day, currency, realized_pnl, fees, funding, fills, volume FROM ${this.s}.pnl_daily WHERE run_id = $1 ORDER BY day, strategy_id, instrument`, [runId]),
      equity: await this.q(`SELECT * FROM ${this.s}.equity_curve WHERE run_id = $1 ORDER BY position`, [runId]),
    };
  }
  async denials(runId: string, limit: number): Promise<Row[]> { return this.q(`SELECT * FROM ${this.s}.risk_denials WHERE run_id = $1 ORDER BY position DESC LIMIT $2`, [runId, limit]); }
  async riskStates(runId: string): Promise<Row[]> { return this.q(`SELECT * FROM ${this.s}.risk_states WHERE run_id = $1 ORDER BY position`, [runId]); }
  async close(): Promise<void> { await this.onClose(); }
}
