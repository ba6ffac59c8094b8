/**
 * Read models in memory: the same rows as the PostgreSQL tables, keyed the same way, filled by the
 * same reducer. For in-process summaries and for tests that compare with PostgreSQL.
 */
import type { EventEnvelope } from '../model/events.ts';
import { createProjectionState, projectEvent, type ProjectionState } from './projectEvent.ts';
import { RowBatch, type Row } from './RowBatch.ts';

export class MemoryReadModels {
  readonly state: ProjectionState = createProjectionState();
  private readonly tables = new Map<string, Map<string, Row>>();

  /** Folds a batch of events and applies its rows (upserts replace, inserts keep the first row). */
  apply(events: readonly EventEnvelope[]): void {
    const batch = new RowBatch();
    for (const e of events) projectEvent(this.state, e, batch);
    for (const [name, t] of batch.tables) {
      let table = this.tables.get(name);
      if (!table) { table = new Map(); this.tables.set(name, table); }
      for (const [key, row] of t.rows) if (t.mode === 'upsert' || !table.has(key)) table.set(key, row);
    }
  }

  /** Rows of one table, in key insertion order. */
  rows(table: string): Row[] { return [...(this.tables.get(table)?.values() ?? [])]; }

  tableNames(): string[] { return [...this.tables.keys()]; }
}
