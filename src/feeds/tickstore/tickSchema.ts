/**
 * The Parquet layout of the market tier: one row per market event, the columns of MarketBatch
 * (src/model/market.ts) in snake_case. Integers in instrument units (price in ticks, size in lots)
 * are INT64; times are INT64 TIMESTAMP(MICROS, UTC) so DuckDB/pyarrow show them as times.
 * The instrument (venue, symbol, tick/lot size, multiplier) lives in the file's key-value metadata
 * (`hft.*` keys) and in the manifest, so a DuckDB user computes `price * tick_size` themselves.
 */
import type { InstrumentSpec } from '../../model/instrument.ts';
import { KindCode } from '../../model/market.ts';

/** Bump when a column is added, removed or changes meaning; readers refuse newer versions. */
export const TICK_SCHEMA_VERSION = 1;

export const TICK_COLUMNS = ['kind', 'ts_event', 'ts_recv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const;
export type TickColumn = (typeof TICK_COLUMNS)[number];

const ts = (name: string) => ({ name, type: 'INT64', repetition_type: 'REQUIRED', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } }) as const;
const i64 = (name: string) => ({ name, type: 'INT64', repetition_type: 'REQUIRED' }) as const;
const i32 = (name: string) => ({ name, type: 'INT32', repetition_type: 'REQUIRED' }) as const;

/** Parquet schema elements (thrift SchemaElement shape, as hyparquet-writer takes them). */
export const tickSchema = [
  { name: 'schema', num_children: TICK_COLUMNS.length },
  i32('kind'), ts('ts_event'), ts('ts_recv'), i32('side'), i64('price'), i64('size'), i64('price2'), i64('size2'), i64('id'), i32('flags'),
  { name: 'rate', type: 'DOUBLE', repetition_type: 'REQUIRED' },
] as const;

export const KV = {
  schemaVersion: 'hft.schema_version',
  instrument: 'hft.instrument',
  venue: 'hft.venue',
  symbol: 'hft.symbol',
  kind: 'hft.instrument_kind',
  tickSize: 'hft.tick_size',
  lotSize: 'hft.lot_size',
  contractMultiplier: 'hft.contract_multiplier',
  kindCodes: 'hft.kind_codes',
} as const;

/** Key-value metadata written into every tick file (strings, readable with `parquet_kv_metadata`). */
export function tickKvMetadata(spec: InstrumentSpec): { key: string; value: string }[] {
  return [
    { key: KV.schemaVersion, value: String(TICK_SCHEMA_VERSION) },
    { key: KV.instrument, value: JSON.stringify(spec) },
    { key: KV.venue, value: spec.venue },
    { key: KV.symbol, value: spec.symbol },
    { key: KV.kind, value: spec.kind },
    { key: KV.tickSize, value: spec.tickSize },
    { key: KV.lotSize, value: spec.lotSize },
    { key: KV.contractMultiplier, value: spec.contractMultiplier },
    { key: KV.kindCodes, value: JSON.stringify(KindCode) },
  ];
}
