/**
 * EventStoreDB / KurrentDB event store over gRPC (@eventstore/db-client). Streams map one to one;
 * our global order is `$all` without system events, `position` = commit position (see esdbMapping).
 *
 * Differences from the reference store, as the contract suite's options say: positions increase but
 * are not contiguous; appends from one client to different streams are not ordered among themselves
 * until they resolve. An append over the server's size limit is split into chunks: the first carries
 * the caller's expected revision, each next one the revision the previous returned, so a concurrent
 * writer still gets (or causes) a ConcurrencyError. Chunks are not one transaction: a crash between
 * two leaves a prefix, and retrying the same append completes it because event ids are derived from
 * ours and ESDB skips ids it already holds at that place in the stream.
 */
import {
  END, EventStoreDBClient, excludeSystemEvents, eventTypeFilter, FORWARDS, BACKWARDS, jsonEvent, START, streamNameFilter,
  type AllStreamResolvedEvent, type ResolvedEvent,
} from '@eventstore/db-client';
import { HftError } from '../../core/errors.ts';
import type { EventEnvelope, NewEvent } from '../../model/events.ts';
import {
  expectedRevisionMatches,
  type AppendOptions, type AppendResult, type EventStore, type ReadAllOptions, type ReadStreamOptions, type SubscribeOptions,
} from '../port.ts';
import {
  chunkBySize, decodeEvent, encodeEvent, ESDB_MAX_APPEND_BYTES, fromEsdbRevision, isSystemEvent, positionFromCommit,
  readPositionFor, toEsdbExpectedRevision, translateEsdbError, type EsdbRecorded,
} from './esdbMapping.ts';

const BATCH = 512;

export interface EsdbEventStoreOptions {
  /** Bytes per append chunk; default the server's default MaxAppendSize (1 MiB). */
  readonly maxAppendBytes?: number;
  /**
   * Stored stream name = prefix + our stream id, and reads of `$all` see only those streams: several
   * logical stores on one server (the contract suite gives each test its own). Default none.
   */
  readonly streamPrefix?: string;
}

export class EsdbEventStore implements EventStore {
  private closed = false;
  private constructor(
    private readonly client: EventStoreDBClient, private readonly uri: string, private readonly maxAppendBytes: number, private readonly prefix: string,
  ) {}

  /** `esdb://host:2113?tls=false` or `esdb+discover://…` (cluster gossip), as the client parses them. */
  static async open(uri: string, opts: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    let client: EventStoreDBClient;
    try { client = EventStoreDBClient.connectionString(uri); } catch (e) {
      throw new HftError('HFT_ERR_STORE_URI', `store URI '${redact(uri)}': ${(e as Error).message}`, { uri: redact(uri) }, { cause: e });
    }
    const store = new EsdbEventStore(client, uri, opts.maxAppendBytes ?? ESDB_MAX_APPEND_BYTES, opts.streamPrefix ?? '');
    // Connect now, so a wrong URI fails at open with a clear message rather than at the first append.
    try { await store.headPosition(); } catch (e) {
      await client.dispose().catch(() => {});
      throw e;
    }
    return store;
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    if (streamId.startsWith('$')) throw new HftError('HFT_ERR_BAD_INPUT', `stream '${streamId}': names starting with '$' are EventStoreDB system streams`);
    const expected = options.expectedRevision ?? 'any';
    if (events.length === 0) {
      // ESDB has no empty write; the check is ours (an empty append changes nothing, so no race to lose).
      const current = await this.streamRevision(streamId);
      if (!expectedRevisionMatches(expected, current)) throw translateEsdbError({ type: 'wrong-expected-version', actualVersion: current === -1 ? 'no_stream' : BigInt(current) }, streamId, expected);
      return { revision: current, position: await this.headPosition() };
    }
    const chunks = chunkBySize(events.map(encodeEvent), this.maxAppendBytes);
    let next = toEsdbExpectedRevision(expected);
    let revision = -1;
    let position = -1;
    for (const chunk of chunks) {
      try {
        const r = await this.client.appendToStream(this.prefix + streamId, chunk.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: e.metadata as never })), { expectedRevision: next });
        next = r.nextExpectedRevision;
        revision = fromEsdbRevision(r.nextExpectedRevision);
        position = positionFromCommit(r.position?.commit, 'append position');
      } catch (e) { throw translateEsdbError(e, streamId, expected); }
    }
    return { revision, position };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    if (options.maxCount === 0) return;
    const read = this.client.readStream(this.prefix + streamId, {
      direction: FORWARDS, fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START,
      ...(options.maxCount !== undefined ? { maxCount: BigInt(options.maxCount) } : {}),
    });
    let batch: EventEnvelope[] = [];
    try {
      for await (const r of read as AsyncIterable<ResolvedEvent>) {
        if (!r.event) continue;
        batch.push(this.decode(r.event as unknown as EsdbRecorded, r.commitPosition));
        if (batch.length >= BATCH) { yield batch; batch = []; }
      }
    } catch (e) {
      if ((e as { type?: unknown }).type === 'stream-not-found') return;
      throw translateEsdbError(e, streamId, 'any');
    }
    if (batch.length > 0) yield batch;
  }

  /** `$all` in commit order without system events; `types` filtered here (the client's readAll has no server-side filter). */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    const types = options.types ? new Set(options.types) : undefined;
    let left = options.maxCount ?? Infinity;
    if (left <= 0) return;
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: readPositionFor(options.fromPosition) });
    let batch: EventEnvelope[] = [];
    try {
      for await (const r of read as AsyncIterable<AllStreamResolvedEvent>) {
        const ev = r.event;
        if (!ev || !this.ours(ev.type, ev.streamId) || (types && !types.has(ev.type))) continue;
        const env = this.decode(ev as unknown as EsdbRecorded, r.commitPosition ?? ev.position?.commit);
        if (options.fromPosition !== undefined && env.position < options.fromPosition) continue;
        batch.push(env);
        if (--left <= 0) break;
        if (batch.length >= BATCH) { yield batch; batch = []; }
      }
    } catch (e) { throw translateEsdbError(e, '$all', 'any'); } finally { await read.cancel().catch(() => {}); }
    if (batch.length > 0) yield batch;
  }

  /**
   * Catch-up from `$all` (inclusive `fromPosition`), then a live subscription from the last position
   * seen: ESDB subscriptions start *after* the position they are given, reads start *at* it.
   */
  async *subscribe(options: SubscribeOptions = {}): AsyncIterable<readonly EventEnvelope[]> {
    this.assertOpen();
    const signal = options.signal;
    const from = options.fromPosition ?? 0;
    let last = -1;
    const head = await this.headPosition();
    for await (const b of this.readAll({ fromPosition: from, ...(options.types ? { types: options.types } : {}) })) {
      if (signal?.aborted) return;
      last = b[b.length - 1]!.position;
      yield b;
    }
    // Nothing matched: everything after the head seen before the read is new.
    const after = Math.max(last, head);
    const types = options.types ? new Set(options.types) : undefined;
    const sub = this.client.subscribeToAll({
      fromPosition: after < 0 ? START : { commit: BigInt(after), prepare: BigInt(after) },
      // One server-side filter per subscription: by stream prefix when there is one (types then here), else by type.
      filter: this.prefix !== '' ? streamNameFilter({ prefixes: [this.prefix] })
        : types ? eventTypeFilter({ regex: `^(?:${[...types].map(escapeRegex).join('|')})$` }) : excludeSystemEvents(),
    });
    const stop = (): void => { void sub.unsubscribe().catch(() => {}); };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      if (signal?.aborted) return;
      for await (const r of sub as AsyncIterable<AllStreamResolvedEvent>) {
        if (signal?.aborted || this.closed) break;
        const ev = r.event;
        if (!ev || !this.ours(ev.type, ev.streamId) || (types && !types.has(ev.type))) continue;
        const env = this.decode(ev as unknown as EsdbRecorded, r.commitPosition ?? ev.position?.commit);
        if (env.position < from || env.position <= last) continue;
        yield [env];
      }
    } catch (e) {
      if (!signal?.aborted && !this.closed) throw translateEsdbError(e, '$all', 'any');
    } finally {
      signal?.removeEventListener('abort', stop);
      await sub.unsubscribe().catch(() => {});
    }
  }

  async streamRevision(streamId: string): Promise<number> {
    this.assertOpen();
    try {
      for await (const r of this.client.readStream(this.prefix + streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1n }) as AsyncIterable<ResolvedEvent>) {
        if (r.event) return fromEsdbRevision(r.event.revision);
      }
      return -1;
    } catch (e) {
      if ((e as { type?: unknown }).type === 'stream-not-found') return -1;
      throw translateEsdbError(e, streamId, 'any');
    }
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
    try {
      for await (const r of read as AsyncIterable<AllStreamResolvedEvent>) {
        const ev = r.event;
        if (ev && this.ours(ev.type, ev.streamId)) return positionFromCommit(r.commitPosition ?? ev.position?.commit);
      }
      return -1;
    } catch (e) { throw translateEsdbError(e, '$all', 'any'); } finally { await read.cancel().catch(() => {}); }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private ours(type: string, stream: string): boolean {
    return !isSystemEvent(type, stream) && stream.startsWith(this.prefix);
  }

  private decode(r: EsdbRecorded, commit: bigint | undefined): EventEnvelope {
    return decodeEvent(this.prefix === '' ? r : { ...r, streamId: r.streamId.slice(this.prefix.length) }, commit);
  }

  private assertOpen(): void {
    if (this.closed) throw new HftError('HFT_ERR_STORE_CLOSED', `EventStoreDB store ${redact(this.uri)} is closed`);
  }
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Connection strings may carry user:password. */
function redact(uri: string): string { return uri.replace(/\/\/[^@/]*@/, '//***@'); }
