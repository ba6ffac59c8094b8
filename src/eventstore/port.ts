/**
 * The event store port. Every adapter (memory, file, postgres, esdb) implements it and passes the
 * one contract suite in test/contract/eventstore.ts.
 *
 * Reads yield BATCHES (arrays of events, in order): pipelines carry batches, not single events.
 */
import type { EventEnvelope, NewEvent } from '../model/events.ts';

/**
 * `any`: no check. `no_stream`: the stream must not exist. `stream_exists`: it must exist.
 * A number: the stream's last revision must equal it (0-based; a stream with one event is at 0).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions { readonly expectedRevision?: ExpectedRevision }

export interface AppendResult {
  /** Revision of the last event appended to the stream. */
  readonly revision: number;
  /** Global position of the last event appended. */
  readonly position: number;
}

export interface ReadStreamOptions { readonly fromRevision?: number; readonly maxCount?: number }
export interface ReadAllOptions {
  /** First global position to return (inclusive); default 0. */
  readonly fromPosition?: number;
  readonly maxCount?: number;
  /** Only these event types. */
  readonly types?: readonly string[];
}
export interface SubscribeOptions extends ReadAllOptions {
  /** Aborting ends the subscription's iteration cleanly. */
  readonly signal?: AbortSignal;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<readonly EventEnvelope[]>;
  readAll(options?: ReadAllOptions): AsyncIterable<readonly EventEnvelope[]>;
  /** Catches up from `fromPosition`, then follows new appends until the signal aborts. */
  subscribe(options?: SubscribeOptions): AsyncIterable<readonly EventEnvelope[]>;
  /** Last revision of a stream, -1 when it does not exist. */
  streamRevision(streamId: string): Promise<number>;
  /** Position of the last event in the store, -1 when empty. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/** Shared check of an expected revision against the stream's current one (-1 = no stream). */
export function expectedRevisionMatches(expected: ExpectedRevision, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  if (expected === 'stream_exists') return current >= 0;
  return expected === current;
}

/** Collects every event of an async batch iterable (tests and small reads). */
export async function collect(batches: AsyncIterable<readonly EventEnvelope[]>): Promise<EventEnvelope[]> {
  const out: EventEnvelope[] = [];
  for await (const b of batches) for (const e of b) out.push(e);
  return out;
}
