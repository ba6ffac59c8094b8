/**
 * The pure half of the EventStoreDB adapter: everything that can be checked without a server.
 *
 * - Revisions: ESDB numbers a stream's events from 0 like we do, as bigint; a stream with no events
 *   is the NO_STREAM constant there (ExpectedVersion -1 in the old TCP API). We speak JS numbers and
 *   -1 / 'no_stream'.
 * - Positions: an event's global `position` is its ESDB commit position (a byte offset in the
 *   transaction log): it increases along `$all` but skips values. This adapter never writes explicit
 *   transactions, so commit = prepare position for its events and reading from P means {P, P}.
 * - Event ids: ESDB deduplicates an append whose event ids it already holds at that place in the
 *   stream. Ids are UUIDs derived from our deterministic event id (name-based, RFC 4122 version 5),
 *   so a retried append (timeout, lost reply) is idempotent instead of doubling the events.
 * - Size: the server refuses an append over its MaxAppendSize (1 MiB by default) as a whole; bigger
 *   appends are split in chunks, each under the limit.
 */
import { createHash } from 'node:crypto';
import { ConcurrencyError, HftError } from '../../core/errors.ts';
import type { EventEnvelope, EventType, NewEvent } from '../../model/events.ts';
import type { ExpectedRevision } from '../port.ts';

/** ESDB's default MaxAppendSize (bytes of event data + metadata in one append). */
export const ESDB_MAX_APPEND_BYTES = 1_048_576;
/** Per-event bytes counted beside data and metadata (UUID, type, content type, framing); generous on purpose. */
export const ESDB_EVENT_OVERHEAD_BYTES = 128;

/** The client's expected-revision vocabulary (constants of @eventstore/db-client: 'any', 'no_stream', 'stream_exists', bigint). */
export type EsdbExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;
export type EsdbCurrentRevision = 'no_stream' | bigint;

export function toEsdbExpectedRevision(expected: ExpectedRevision): EsdbExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (!Number.isSafeInteger(expected) || expected < -1) throw new HftError('HFT_ERR_BAD_INPUT', `expected revision ${expected} is not a revision (an integer >= 0, or 'any', 'no_stream', 'stream_exists')`);
  // -1 is how some callers spell "no stream" (ESDB's old ExpectedVersion.NoStream): same meaning.
  return expected === -1 ? 'no_stream' : BigInt(expected);
}

/** ESDB's current revision of a stream as ours: -1 when there is no stream. */
export function fromEsdbRevision(current: EsdbCurrentRevision): number {
  if (current === 'no_stream') return -1;
  return toSafeNumber(current, 'stream revision');
}

/** Our global position from an ESDB commit position. */
export function positionFromCommit(commit: bigint | undefined, what = 'commit position'): number {
  // Servers that read a stream from its index, not the log, send "no position" (absent, or 2^64-1 in
  // some clients): github.com/kurrent-io/EventStore-Client-Go/issues/88. Our envelope needs one.
  if (commit === undefined || commit === NO_POSITION) throw new HftError('HFT_ERR_BAD_INPUT', `EventStoreDB returned an event without a ${what} (a server that does not report positions on stream reads; read $all instead)`);
  return toSafeNumber(commit, what);
}

const NO_POSITION = 2n ** 64n - 1n;

/** The ESDB position to read `$all` from, for our inclusive `fromPosition`. */
export function readPositionFor(fromPosition: number | undefined): 'start' | { commit: bigint; prepare: bigint } {
  if (fromPosition === undefined || fromPosition <= 0) return 'start';
  const p = BigInt(fromPosition);
  return { commit: p, prepare: p };
}

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -1n) throw new HftError('HFT_ERR_BAD_INPUT', `EventStoreDB ${what} ${v} does not fit a JS number`);
  return Number(v);
}

/** Fixed namespace of this project's event ids (a random UUID chosen once; never change it). */
export const HFT_EVENT_ID_NAMESPACE = '6f1c2b0e-3d4a-4f5e-9a7b-8c9d0e1f2a3b';

/** Name-based UUID (RFC 4122 §4.3, SHA-1, version 5) of our event id in the project namespace. */
export function esdbEventId(eventId: string, namespace: string = HFT_EVENT_ID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new HftError('HFT_ERR_CONFIG', `namespace '${namespace}' is not a UUID`);
  const h = createHash('sha1').update(ns).update(eventId, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Envelope fields that are not ESDB's own (id, type, data) travel in the event metadata. */
export interface EsdbMetadata {
  readonly id: string;
  readonly version: number;
  readonly tsEvent: number;
  readonly tsRecv: number;
  readonly runId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** ESDB's conventional keys, so its own projections and UI can follow the causal chain. */
  readonly $correlationId: string;
  readonly $causationId: string;
}

export interface EncodedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EsdbMetadata;
  /** UTF-8 bytes of data + metadata as the client sends them (JSON), plus the per-event overhead. */
  readonly bytes: number;
}

export function encodeEvent(e: NewEvent): EncodedEvent {
  const metadata: EsdbMetadata = {
    id: e.id, version: e.version, tsEvent: e.tsEvent, tsRecv: e.tsRecv, runId: e.runId,
    correlationId: e.correlationId, causationId: e.causationId, $correlationId: e.correlationId, $causationId: e.causationId,
  };
  const bytes = Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(metadata)) + Buffer.byteLength(e.type) + ESDB_EVENT_OVERHEAD_BYTES;
  return { id: esdbEventId(e.id), type: e.type, data: e.data, metadata, bytes };
}

/** The recorded-event shape the adapter reads back (a subset of the client's RecordedEvent). */
export interface EsdbRecorded {
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: { readonly commit: bigint; readonly prepare: bigint } | undefined;
}

export function decodeEvent(r: EsdbRecorded, commitPosition?: bigint): EventEnvelope {
  const m = r.metadata as Partial<EsdbMetadata> | undefined;
  if (!m || typeof m !== 'object' || typeof m.id !== 'string' || typeof m.version !== 'number') {
    throw new HftError('HFT_ERR_BAD_INPUT', `EventStoreDB event ${r.streamId}@${r.revision} (${r.type}) has no hft metadata: not written by this adapter`);
  }
  return {
    id: m.id, type: r.type as EventType, version: m.version, streamId: r.streamId,
    revision: toSafeNumber(r.revision, 'stream revision'), position: positionFromCommit(commitPosition ?? r.position?.commit),
    tsEvent: m.tsEvent!, tsRecv: m.tsRecv!, runId: m.runId!, correlationId: m.correlationId!, causationId: m.causationId!,
    data: r.data as never,
  } as EventEnvelope;
}

/** System events (`$`-prefixed types or streams: stats, metadata, projections) are not ours. */
export const isSystemEvent = (type: string, streamId: string): boolean => type.startsWith('$') || streamId.startsWith('$');

/**
 * Splits encoded events into consecutive chunks of at most `maxBytes` each, in order. An event that
 * alone exceeds the limit cannot be stored at all: that is an error naming it, not a silent drop.
 */
export function chunkBySize<E extends { readonly bytes: number; readonly metadata: { readonly id: string } }>(events: readonly E[], maxBytes: number = ESDB_MAX_APPEND_BYTES): E[][] {
  const chunks: E[][] = [];
  let cur: E[] = [];
  let size = 0;
  for (const e of events) {
    if (e.bytes > maxBytes) throw new HftError('HFT_ERR_BAD_INPUT', `event '${e.metadata.id}' is ${e.bytes} bytes, over the EventStoreDB append limit of ${maxBytes} bytes`, { id: e.metadata.id, bytes: e.bytes, maxBytes });
    if (size + e.bytes > maxBytes && cur.length > 0) { chunks.push(cur); cur = []; size = 0; }
    cur.push(e);
    size += e.bytes;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

/** The client error fields this adapter looks at (its CommandError classes carry a string `type`). */
interface EsdbErrorLike { readonly type?: unknown; readonly streamName?: unknown; readonly actualVersion?: unknown; readonly expectedVersion?: unknown; readonly message?: unknown }

/**
 * Vendor errors stop at the adapter edge: a wrong expected version becomes our ConcurrencyError with
 * the normalised revisions; an unreachable server HFT_ERR_STORE_UNREACHABLE; the rest pass through
 * unchanged (they are bugs or states we have no code for, and hiding them would hide the cause).
 */
export function translateEsdbError(e: unknown, streamId: string, expected: ExpectedRevision): unknown {
  const x = e as EsdbErrorLike | null;
  if (!x || typeof x !== 'object') return e;
  switch (x.type) {
    case 'wrong-expected-version': {
      const actual = x.actualVersion === 'no_stream' ? -1 : typeof x.actualVersion === 'bigint' ? fromEsdbRevision(x.actualVersion) : -1;
      return new ConcurrencyError(streamId, String(expected), actual);
    }
    case 'unavailable': case 'deadline-exceeded': case 'timeout': case 'not-leader':
      return new HftError('HFT_ERR_STORE_UNREACHABLE', `EventStoreDB: ${String(x.message ?? x.type)}`, { streamId }, { cause: e });
    case 'maximum-append-size-exceeded':
      return new HftError('HFT_ERR_BAD_INPUT', `EventStoreDB refused an append to '${streamId}' as too large (${String(x.message)}); the server's MaxAppendSize is below this adapter's maxAppendBytes`, { streamId }, { cause: e });
    default:
      return e;
  }
}
