/**
 * The read-model rows one batch of events produces. Rows are keyed: an upsert of a key already in the
 * batch replaces it (an order touched five times in a batch is written once); inserts keep every row
 * and never overwrite an existing one (history, fills deduplicated by their unique key).
 */
export type Row = Record<string, unknown>;
export type WriteMode = 'upsert' | 'insert';

export interface TableRows { readonly mode: WriteMode; readonly rows: Map<string, Row> }

export class RowBatch {
  readonly tables = new Map<string, TableRows>();
  rowCount = 0;

  upsert(table: string, key: string, row: Row): void { this.put(table, 'upsert', key, row, true); }

  insert(table: string, key: string, row: Row): void { this.put(table, 'insert', key, row, false); }

  get isEmpty(): boolean { return this.rowCount === 0; }

  private put(table: string, mode: WriteMode, key: string, row: Row, replace: boolean): void {
    let t = this.tables.get(table);
    if (!t) { t = { mode, rows: new Map() }; this.tables.set(table, t); }
    if (!replace && t.rows.has(key)) return;
    if (!t.rows.has(key)) this.rowCount++;
    t.rows.set(key, row);
  }
}
