/**
 * Pages are read as COPY (SELECT …) TO STDOUT text, one line per event cut at its tabs, that the client
 * checks for position order: characters
 * that need escaping (backslash, tab, newline, carriage return, other control characters, quotes,
 * unicode) come back as appended in stream ids, ids and data, across page boundaries, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/PostgresEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { NewEvent } from '../../src/model/events.ts';
import { dropSchema, horizonLock, PG_URL, postgresReachable, uniqueSchema } from './postgresTestDb.ts';

const reachable = await postgresReachable();
const NASTY = ['back\\slash', 'tab\there', 'new\nline', 'cr\rlf\r\n', 'bs\bff\fvt\v', '\\N', '\\\\t', 'quote"and\\"esc', 'unicode é 💹 \u0001'];

describe.skipIf(!reachable)('PostgreSQL store: page reads', () => {
  const schema = uniqueSchema('pageread');
  let store: PostgresEventStore;
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await horizonLock('shared');
    store = await PostgresEventStore.open(PG_URL, { schema, pageSize: 4 });
  });
  afterAll(async () => {
    await store.close();
    await dropSchema(schema);
    await release?.();
  });

  it('reads back escaped characters in every text field and in data, unchanged, page after page', async () => {
    const plain: NewEvent[] = Array.from({ length: 5 }, (_, i) => ({
      id: `plain-${i}`, type: 'market.trade', version: 1, tsEvent: 1_000 + i, tsRecv: 2_000 + i, runId: 'run', correlationId: 'c', causationId: 'c',
      data: { venueTradeId: String(i), price: '1.5', qty: '2', aggressor: 'buy' } as never,
    }));
    const nasty: NewEvent[] = NASTY.map((s, i) => ({
      id: `id-${s}`, type: 'market.trade', version: 1, tsEvent: 3_000 + i, tsRecv: 4_000 + i, runId: `run-${s}`, correlationId: `corr-${s}`, causationId: `cause-${s}`,
      data: { venueTradeId: s, price: '1.5', qty: '2', aggressor: 'sell', note: { nested: [s, `${s}${s}`] } } as never,
    }));
    await store.append('plain', plain, { expectedRevision: 'no_stream' });
    for (const [i, s] of NASTY.entries()) await store.append(`stream-${s}`, [nasty[i]!], { expectedRevision: 'no_stream' });
    await store.append('plain-after', plain, { expectedRevision: 'no_stream' });

    const pages = [];
    for await (const page of store.readAll()) pages.push(page);
    expect(pages.length).toBeGreaterThan(3); // pages of 4
    const read = pages.flat();
    const expected = [...plain.map((e) => ({ ...e, streamId: 'plain' })), ...nasty.map((e, i) => ({ ...e, streamId: `stream-${NASTY[i]}` })), ...plain.map((e) => ({ ...e, streamId: 'plain-after' }))];
    expect(read.map(({ position: _p, revision: _r, ...e }) => e)).toEqual(expected);
    for (let i = 1; i < read.length; i++) expect(read[i]!.position).toBeGreaterThan(read[i - 1]!.position);
    // The same events through readStream (plain rows, not a json_agg page): identical.
    for (const [i, s] of NASTY.entries()) expect(await collect(store.readStream(`stream-${s}`))).toEqual([read[plain.length + i]]);
  }, 60_000);

  it('reads one page ahead: maxCount and fromPosition are kept exactly, and a consumer that stops early leaves the store usable', async () => {
    const all = (await collect(store.readAll())).map((e) => e.position);
    expect(all.length).toBeGreaterThan(12);
    // maxCount across pages of 4, starting inside the log.
    const from = all[3]!;
    const some = [];
    for await (const page of store.readAll({ fromPosition: from, maxCount: 9 })) { expect(page.length).toBeLessThanOrEqual(4); some.push(...page.map((e) => e.position)); }
    expect(some).toEqual(all.slice(3, 12));
    // Break after the first page, while the second is being read ahead: the next reads still answer in full.
    for await (const page of store.readAll()) { expect(page.map((e) => e.position)).toEqual(all.slice(0, 4)); break; }
    expect((await collect(store.readAll())).map((e) => e.position)).toEqual(all);
    // A consumer that returns after one page and closes its store at once: close waits for the page read
    // ahead and nothing surfaces unhandled (vitest fails the run on an unhandled rejection).
    const other = await PostgresEventStore.open(PG_URL, { schema, pageSize: 4 });
    const it = other.readAll()[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    await it.return?.();
    await other.close();
  }, 60_000);
});
