/** Stored events are never edited: an old schema version is upcast as it is read, by every adapter. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { collect, type EventStore } from '../../src/eventstore/port.ts';
import { registerUpcaster, upcast, type NewEvent } from '../../src/model/events.ts';
import { isHftError } from '../../src/core/errors.ts';

// A hypothetical v0 of `timer` named its field `id`; v1 calls it `timerId` and adds `strategyId`.
registerUpcaster('timer', 0, (d) => {
  const old = d as { id: string };
  return { timerId: old.id, strategyId: 'unknown' };
});

const v0 = (n: number): NewEvent => ({
  id: `r-${n}`, type: 'timer', version: 0, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_000 + n,
  runId: 'r', correlationId: `r-${n}`, causationId: `r-${n}`, data: { id: `t${n}` } as never,
});

async function roundTrip(store: EventStore): Promise<void> {
  await store.append('run-r', [v0(0), v0(1)]);
  const events = await collect(store.readStream('run-r'));
  expect(events.map((e) => [e.version, e.data])).toEqual([[1, { timerId: 't0', strategyId: 'unknown' }], [1, { timerId: 't1', strategyId: 'unknown' }]]);
  const all = await collect(store.readAll());
  expect(all.map((e) => e.version)).toEqual([1, 1]);
  await store.close();
}

describe('upcasting on read', () => {
  it('the memory store returns v0 events as v1', async () => { await roundTrip(new MemoryEventStore()); });
  it('the file store returns v0 events as v1, and the bytes on disk stay v0 (the hash chain still verifies)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hft-upcast-'));
    await roundTrip(await FileEventStore.open(dir, { fsync: 'never' }));
  });
  it('refuses a version newer than this build and an unknown type, naming them', () => {
    expect(() => upcast({ type: 'timer', version: 9, data: {} })).toThrow(/version 9 is newer/);
    try { upcast({ type: 'no.such', version: 1, data: {} }); expect.unreachable(); } catch (e) { expect(isHftError(e, 'HFT_ERR_UNKNOWN_EVENT')).toBe(true); }
  });
});
