/** Several readers on one read-only file store follow another writer's appends without tripping over each other. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { EventEnvelope, NewEvent } from '../../src/model/events.ts';

const ev = (n: number): NewEvent => ({
  id: `r-${n}`, type: 'timer', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_000 + n,
  runId: 'r', correlationId: `r-${n}`, causationId: `r-${n}`, data: { timerId: `t${n}`, strategyId: 's' },
});

async function follow(store: FileEventStore, from: number, until: number, signal: AbortSignal): Promise<number[]> {
  const seen: number[] = [];
  for await (const batch of store.subscribe({ fromPosition: from, signal })) {
    for (const e of batch as EventEnvelope[]) seen.push(e.position);
    if (seen.at(-1)! >= until) break;
  }
  return seen;
}

describe('read-only file store with concurrent readers', () => {
  it('two subscriptions and a readAll see every appended event once, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hft-followers-'));
    const writer = await FileEventStore.open(dir, { fsync: 'never' });
    const reader = await FileEventStore.open(dir, { readOnly: true, pollIntervalMs: 5 });
    const ac = new AbortController();
    await writer.append('s', [0, 1, 2, 3, 4, 5, 6].map(ev));
    const first = follow(reader, 0, 11, ac.signal);
    await new Promise((r) => setTimeout(r, 20));
    const second = follow(reader, 3, 11, ac.signal);
    const all = collect(reader.readAll());
    await writer.append('s', [7, 8, 9, 10, 11].map(ev));
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(b).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect((await all).map((e) => e.position).slice(0, 7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    ac.abort();
    await reader.close();
    await writer.close();
  });
});
