/**
 * The EventStoreDB adapter's mapping layer, without a server: revisions, positions, event ids, the
 * 1 MiB append split and the translation of the client's own error classes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, isConcurrencyError, isHftError } from '../../src/core/errors.ts';
import {
  chunkBySize, decodeEvent, encodeEvent, ESDB_MAX_APPEND_BYTES, esdbEventId, fromEsdbRevision, HFT_EVENT_ID_NAMESPACE, isSystemEvent,
  positionFromCommit, readPositionFor, toEsdbExpectedRevision, translateEsdbError,
} from '../../src/eventstore/esdb/esdbMapping.ts';
import type { NewEvent } from '../../src/model/events.ts';
import { timerEvent } from '../contract/eventstore.ts';

/** Real Binance spot BTCUSDT trades from the shared capture, as the contract suite stores them. */
function realTradeEvents(): NewEvent[] {
  const text = gunzipSync(readFileSync(new URL('../../../shared/data/binance-capture/spot/btcusdt_20240808.gz', import.meta.url))).toString('utf8');
  const out: NewEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"btcusdt@trade"')) continue;
    const sp = line.indexOf(' ');
    const d = (JSON.parse(line.slice(sp + 1)) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
    const i = out.length;
    out.push({
      id: `run-t-${i}`, type: 'market.trade', version: 1, tsEvent: d.T * 1000, tsRecv: Number(BigInt(line.slice(0, sp)) / 1000n),
      runId: 'run-t', correlationId: 'run-t-0', causationId: 'run-t-0',
      data: { venueTradeId: String(d.t), price: d.p, qty: d.q, aggressor: d.m ? 'sell' : 'buy' } as never,
    });
  }
  return out;
}

describe('revisions and positions', () => {
  it('maps each expected revision to the client vocabulary, -1 meaning no stream', () => {
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(toEsdbExpectedRevision(-1)).toBe('no_stream');
    expect(() => toEsdbExpectedRevision(1.5)).toThrow(/expected revision 1.5 is not a revision/);
    expect(() => toEsdbExpectedRevision(-2)).toThrow(/not a revision/);
  });

  it('reads current revisions back as 0-based numbers, no stream (constant or -1) as -1', () => {
    expect(fromEsdbRevision('no_stream')).toBe(-1);
    expect(fromEsdbRevision(-1n)).toBe(-1);
    expect(fromEsdbRevision(0n)).toBe(0);
    expect(fromEsdbRevision(9756n)).toBe(9756);
    expect(() => fromEsdbRevision(2n ** 53n)).toThrow(/does not fit a JS number/);
  });

  it('uses commit positions as global positions and reads $all from {P, P}', () => {
    expect(positionFromCommit(1_048_576_123n)).toBe(1_048_576_123);
    expect(() => positionFromCommit(undefined)).toThrow(/without a commit position/);
    expect(() => positionFromCommit(18446744073709551615n)).toThrow(/does not report positions on stream reads/);
    expect(readPositionFor(undefined)).toBe('start');
    expect(readPositionFor(0)).toBe('start');
    expect(readPositionFor(4242)).toEqual({ commit: 4242n, prepare: 4242n });
  });

  it('treats $-types and $-streams as system events', () => {
    expect(isSystemEvent('$statsCollected', '$stats-127.0.0.1:2113')).toBe(true);
    expect(isSystemEvent('$metadata', '$$run-a')).toBe(true);
    expect(isSystemEvent('order.filled', 'run-a')).toBe(false);
  });
});

describe('event ids', () => {
  it('is RFC 4122 version 5: matches Python uuid.uuid5 on its documented example and on ours', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') (the example in the uuid module docs).
    expect(esdbEventId('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    // Python: uuid.uuid5(uuid.UUID(HFT_EVENT_ID_NAMESPACE), name), computed outside this code.
    expect(HFT_EVENT_ID_NAMESPACE).toBe('6f1c2b0e-3d4a-4f5e-9a7b-8c9d0e1f2a3b');
    expect(esdbEventId('r625c572a8456-17')).toBe('ac3c4748-ff94-551d-af1f-656e0738062e');
    expect(esdbEventId('run-流-🚀-0')).toBe('058b03e9-1657-5da5-b204-32d3b1ed2534');
  });

  it('gives a retried event the same id and different events different ids', () => {
    const a = encodeEvent(timerEvent(7));
    const b = encodeEvent(timerEvent(7));
    expect(a.id).toBe(b.id);
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => encodeEvent(timerEvent(i)).id));
    expect(ids.size).toBe(10_000);
  });
});

describe('appends over the 1 MiB limit', () => {
  const sized = (sizes: number[]) => sizes.map((bytes, i) => ({ bytes, metadata: { id: `e${i}` } }));

  it('fills a chunk up to exactly the limit and starts the next one past it', () => {
    expect(chunkBySize(sized([400, 400, 200]), 1000).map((c) => c.map((e) => e.metadata.id))).toEqual([['e0', 'e1', 'e2']]);
    expect(chunkBySize(sized([400, 400, 201]), 1000).map((c) => c.map((e) => e.metadata.id))).toEqual([['e0', 'e1'], ['e2']]);
    expect(chunkBySize(sized([1000, 1, 1000]), 1000).map((c) => c.length)).toEqual([1, 1, 1]);
    expect(chunkBySize([], 1000)).toEqual([]);
  });

  it('refuses an event that alone is over the limit, naming it', () => {
    let err: unknown;
    try { chunkBySize(sized([10, 1001]), 1000); } catch (e) { err = e; }
    expect(isHftError(err, 'HFT_ERR_BAD_INPUT')).toBe(true);
    expect((err as Error).message).toContain("event 'e1' is 1001 bytes, over the EventStoreDB append limit of 1000 bytes");
  });

  it('splits 9,757 real trades into ordered chunks each under 1 MiB of UTF-8 JSON', () => {
    const events = realTradeEvents();
    expect(events).toHaveLength(9757);
    const encoded = events.map(encodeEvent);
    // Bytes are counted as sent: JSON of data and metadata in UTF-8, plus the per-event allowance.
    const e0 = encoded[0]!;
    expect(e0.bytes).toBe(Buffer.byteLength(JSON.stringify(events[0]!.data)) + Buffer.byteLength(JSON.stringify(e0.metadata)) + 'market.trade'.length + 128);
    const chunks = chunkBySize(encoded);
    const total = encoded.reduce((s, e) => s + e.bytes, 0);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(total / ESDB_MAX_APPEND_BYTES));
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(ESDB_MAX_APPEND_BYTES);
    expect(chunks.flat().map((e) => e.metadata.id)).toEqual(events.map((e) => e.id));
    // Each chunk is as full as it can be: the next chunk's first event would not have fitted.
    for (let i = 0; i + 1 < chunks.length; i++) {
      expect(chunks[i]!.reduce((s, e) => s + e.bytes, 0) + chunks[i + 1]![0]!.bytes).toBeGreaterThan(ESDB_MAX_APPEND_BYTES);
    }
  });

  it('counts multi-byte characters as bytes, not UTF-16 units', () => {
    const e = { ...timerEvent(1), id: 'x', data: { timerId: 'ビ'.repeat(100), strategyId: 'mm' } } as NewEvent;
    const plain = { ...timerEvent(1), id: 'x', data: { timerId: 'b'.repeat(100), strategyId: 'mm' } } as NewEvent;
    expect(encodeEvent(e).bytes - encodeEvent(plain).bytes).toBe(200); // 3 bytes each instead of 1
  });
});

describe('what goes to the server and comes back', () => {
  it('round-trips every envelope field through data + metadata', () => {
    const e = timerEvent(3);
    const enc = encodeEvent(e);
    expect(enc.metadata).toMatchObject({ id: 'run-c-3', version: 1, runId: 'run-c', $correlationId: 'run-c-0', $causationId: 'run-c-2' });
    const back = decodeEvent({ streamId: 'run-a', revision: 2n, type: enc.type, data: JSON.parse(JSON.stringify(enc.data)), metadata: JSON.parse(JSON.stringify(enc.metadata)), position: { commit: 777n, prepare: 777n } });
    expect(back).toEqual({ ...e, streamId: 'run-a', revision: 2, position: 777 });
  });

  it('refuses a foreign event (no hft metadata) naming stream and revision', () => {
    expect(() => decodeEvent({ streamId: 'orders', revision: 5n, type: 'OrderPlaced', data: {}, metadata: undefined, position: { commit: 1n, prepare: 1n } }))
      .toThrow(/orders@5 \(OrderPlaced\) has no hft metadata/);
  });
});

describe('client errors translated at the edge', () => {
  it('turns the client\'s WrongExpectedVersionError into our ConcurrencyError with normalised revisions', () => {
    const wrong = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 3n });
    const t = translateEsdbError(wrong, 's', 0);
    expect(t).toBeInstanceOf(ConcurrencyError);
    expect(isHftError(t, 'HFT_ERR_CONCURRENCY')).toBe(true);
    expect((t as ConcurrencyError).actual).toBe(3);
    expect((t as ConcurrencyError).expected).toBe('0');
    const none = translateEsdbError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'stream_exists', current: 'no_stream' }), 's', 'stream_exists');
    expect(isConcurrencyError(none) && none.actual).toBe(-1);
    expect((none as ConcurrencyError).message).toContain("stream 's': expected revision stream_exists, actual no stream");
  });

  it('reports an unreachable server as HFT_ERR_STORE_UNREACHABLE and passes anything else through', () => {
    const u = translateEsdbError(new UnavailableError(undefined as never), 's', 'any');
    expect(isHftError(u, 'HFT_ERR_STORE_UNREACHABLE')).toBe(true);
    const other = new TypeError('boom');
    expect(translateEsdbError(other, 's', 'any')).toBe(other);
  });
});
