/** Read models folded in this process from the log, following its appends through the server's hub. */
import { HftError } from '../../core/errors.ts';
import { MemoryReadModels } from '../../projections/MemoryReadModels.ts';
import type { EventHub } from './EventHub.ts';
import { TERMINAL_STATUSES, type OrderQuery, type Row, type RunReadModels } from './RunReadModels.ts';

export class MemoryRunReadModels implements RunReadModels {
  readonly source = 'memory' as const;
  private readonly models = new MemoryReadModels();
  private last = -1;
  private readonly unlisten: () => void;

  private constructor(private readonly hub: EventHub) {
    this.unlisten = hub.listen((batch) => { this.models.apply(batch); this.last = batch[batch.length - 1]!.position; });
  }

  /** Folds the whole log (the hub must start at position 0); resolves once caught up with the head at start. */
  static async follow(hub: EventHub): Promise<MemoryRunReadModels> {
    if (hub.fromPosition !== 0) throw new HftError('HFT_ERR_CONFIG', `in-memory read models fold the whole log: the event hub starts at ${hub.fromPosition}, not 0`);
    const m = new MemoryRunReadModels(hub);
    await hub.waitFor(await hub.store.headPosition());
    return m;
  }

  /** Resolves when the event at `position` has been folded. */
  waitFor(position: number): Promise<void> { return this.hub.waitFor(position); }

  private rows(table: string, runId?: string): Row[] {
    if (this.hub.error) throw this.hub.error;
    const all = this.models.rows(table);
    return runId === undefined ? all : all.filter((r) => r.run_id === runId);
  }

  async position(): Promise<number> { return this.last; }
  async runs(): Promise<Row[]> { return this.rows('runs'); }
  async run(runId: string): Promise<Row | undefined> { return this.rows('runs').find((r) => r.run_id === runId); }

  async orders(runId: string, q: OrderQuery): Promise<Row[]> {
    let rows = this.rows('orders', runId);
    if (q.open) rows = rows.filter((r) => !TERMINAL_STATUSES.includes(r.status as string));
    if (q.status !== undefined) rows = rows.filter((r) => r.status === q.status);
    return rows.slice(-q.limit).reverse();
  }

  async order(runId: string, clientOrderId: string): Promise<{ order: Row; events: Row[] } | undefined> {
    const order = this.rows('orders', runId).find((r) => r.client_order_id === clientOrderId);
    if (!order) return undefined;
    return { order, events: this.rows('order_events', runId).filter((r) => r.client_order_id === clientOrderId) };
  }

  async fills(runId: string, limit: number): Promise<Row[]> { return this.rows('fills', runId).slice(-limit).reverse(); }
  async positions(runId: string): Promise<Row[]> { return this.rows('positions', runId); }
  async pnl(runId: string): Promise<{ daily: Row[]; equity: Row[] }> { return { daily: this.rows('pnl_daily', runId), equity: this.rows('equity_curve', runId) }; }
  async denials(runId: string, limit: number): Promise<Row[]> { return this.rows('risk_denials', runId).slice(-limit).reverse(); }
  async riskStates(runId: string): Promise<Row[]> { return this.rows('risk_states', runId); }

  async close(): Promise<void> { this.unlisten(); }
}
