/** Read models folded in this process from the store's log, following its appends. */
import type { EventStore } from '../../eventstore/port.ts';
import { MemoryReadModels } from '../../projections/MemoryReadModels.ts';
import { TERMINAL_STATUSES, type OrderQuery, type Row, type RunReadModels } from './RunReadModels.ts';

export class MemoryRunReadModels implements RunReadModels {
  readonly source = 'memory' as const;
  private readonly models = new MemoryReadModels();
  private last = -1;
  private readonly abort = new AbortController();
  private readonly waiters: { position: number; resolve: () => void }[] = [];
  private failure: unknown;
  private loop: Promise<void> | undefined;

  private constructor(private readonly store: EventStore) {}

  /** Folds the whole log, then keeps following it; resolves once caught up with the head at start. */
  static async follow(store: EventStore): Promise<MemoryRunReadModels> {
    const m = new MemoryRunReadModels(store);
    const head = await store.headPosition();
    m.loop = m.fold();
    await m.waitFor(head);
    return m;
  }

  private async fold(): Promise<void> {
    try {
      for await (const batch of this.store.subscribe({ fromPosition: 0, signal: this.abort.signal })) {
        if (batch.length === 0) continue;
        this.models.apply(batch);
        this.last = batch[batch.length - 1]!.position;
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          if (this.waiters[i]!.position <= this.last) { this.waiters[i]!.resolve(); this.waiters.splice(i, 1); }
        }
      }
    } catch (e) {
      if (!this.abort.signal.aborted) { this.failure = e; for (const w of this.waiters.splice(0)) w.resolve(); }
    }
  }

  /** Resolves when the event at `position` has been folded (or the fold failed: the next read throws). */
  waitFor(position: number): Promise<void> {
    if (position <= this.last || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private rows(table: string, runId?: string): Row[] {
    if (this.failure) throw this.failure;
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

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
