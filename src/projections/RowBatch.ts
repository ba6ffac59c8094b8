/**
 * The read-model rows one batch of events produces. Rows are keyed: an upsert of a key already in the
 * batch replaces it (an order touched five times in a batch is written once); inserts keep every row
 * and never overwrite an existing one (history, fills deduplicated by their unique key).
 */
export type Row = Record<string, unknown>;
export type WriteMode = 'upsert' | 'insert';

export interface TableRows {
  readonly mode: WriteMode;
  readonly rows: Map<string, Row>;
  /**
   * Upserted keys whose row this batch created (first put with `created`): the table cannot hold them
   * yet, so a writer may insert them without a conflict check (and must still cope if one is there).
   */
  created?: Set<string>;
}

export class RowBatch {
  readonly tables = new Map<string, TableRows>();
  rowCount = 0;

  /** `created`: this event creates the row (no earlier batch can have written its key). */
  upsert(table: string, key: string, row: Row, created = false): void { this.put(table, 'upsert', key, row, true, created); }

  insert(table: string, key: string, row: Row): void { this.put(table, 'insert', key, row, false, false); }

  get isEmpty(): boolean { return this.rowCount === 0; }

  /**
   * Moves the insert-only tables' rows to a batch of their own: they never change once made, so a
   * writer may encode them at once while the upserted rows (live state) keep collecting.
   */
  takeInserts(): RowBatch {
    const out = new RowBatch();
    for (const [name, t] of this.tables) {
      if (t.mode !== 'insert') continue;
      out.tables.set(name, t);
      out.rowCount += t.rows.size;
      this.rowCount -= t.rows.size;
      this.tables.delete(name);
    }
    return out;
  }

  private put(table: string, mode: WriteMode, key: string, row: Row, replace: boolean, created: boolean): void {
    let t = this.tables.get(table);
    if (!t) { t = { mode, rows: new Map() }; this.tables.set(table, t); }
    const before = t.rows.size;
    if (replace) {
      // One hash lookup: most upserts (the run's row on every event, an order on each of its events)
      // replace a row already in the batch; a new key shows as a grown map.
      t.rows.set(key, row);
      if (t.rows.size === before) return;
    } else {
      if (t.rows.has(key)) return;
      t.rows.set(key, row);
    }
    this.rowCount++;
    if (created) (t.created ??= new Set()).add(key);
  }
}
