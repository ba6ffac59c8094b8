/**
 * The one contract every EventStore adapter passes (memory and file now; postgres and esdb later).
 * Real differences between adapters are options, not copies of this file.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, isConcurrencyError, isHftError } from '../../src/core/errors.ts';
import type { EventEnvelope, NewEvent } from '../../src/model/events.ts';
import { collect, type EventStore } from '../../src/eventstore/port.ts';

export interface StoreUnderTest {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
  /** Closes the store and opens the same data again (adapters that persist). */
  readonly reopen?: () => Promise<EventStore>;
}

export interface ContractOptions {
  /**
   * Global positions are 0, 1, 2, ... with no gaps (memory, file). Stores whose positions are commit
   * offsets (EventStoreDB) or may skip values (PostgreSQL sequences) set false: positions then only
   * have to increase.
   */
  readonly contiguousPositions?: boolean;
  /** Events in the "large batch" test; default 10,000. */
  readonly largeBatch?: number;
  /**
   * Appends issued without awaiting each other are applied in issue order (one writer queue: memory,
   * file). Pooled stores (PostgreSQL) run them on several connections in any order; for them the
   * pipelined-append test is not part of the contract.
   */
  readonly appendsInIssueOrder?: boolean;
  /** Per-test timeout for slow servers, ms. */
  readonly timeoutMs?: number;
}

/** Real Binance spot BTCUSDT trades from the shared capture (9,757 in the first file). */
function realTrades(): { t: number; p: string; q: string; T: number; m: boolean; tsRecvNs: string }[] {
  const text = gunzipSync(readFileSync(new URL('../../../shared/data/binance-capture/spot/btcusdt_20240808.gz', import.meta.url))).toString('utf8');
  const out: { t: number; p: string; q: string; T: number; m: boolean; tsRecvNs: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"btcusdt@trade"')) continue;
    const sp = line.indexOf(' ');
    const d = (JSON.parse(line.slice(sp + 1)) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
    out.push({ t: d.t, p: d.p, q: d.q, T: d.T, m: d.m, tsRecvNs: line.slice(0, sp) });
  }
  return out;
}

/** A catalogue event with deterministic ids; `n` makes each one distinguishable. */
export function timerEvent(n: number, runId = 'run-c'): NewEvent<'timer'> {
  return {
    id: `${runId}-${n}`, type: 'timer', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_250 + n,
    runId, correlationId: `${runId}-0`, causationId: `${runId}-${Math.max(0, n - 1)}`, data: { timerId: `t${n}`, strategyId: 'mm' },
  };
}

function deniedEvent(n: number, reason: string): NewEvent<'order.denied'> {
  return {
    id: `run-c-d${n}`, type: 'order.denied', version: 1, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_000 + n,
    runId: 'run-c', correlationId: 'run-c-0', causationId: 'run-c-0', data: { clientOrderId: `c${n}`, rule: 'maxPosition', reason, values: { limit: 5, reason } },
  };
}

/** What the store must give back: the appended event plus where it landed. */
const stored = (e: NewEvent, streamId: string, revision: number, position: number): EventEnvelope =>
  ({ ...e, streamId, revision, position }) as EventEnvelope;

export function eventStoreContract(name: string, factory: () => Promise<StoreUnderTest>, options: ContractOptions = {}): void {
  const contiguous = options.contiguousPositions ?? true;
  const large = options.largeBatch ?? 10_000;
  const timeout = options.timeoutMs ?? 20_000;
  const itInIssueOrder = options.appendsInIssueOrder ? it : it.skipIf(true);

  const withStore = (fn: (sut: StoreUnderTest) => Promise<void>) => async () => {
    const sut = await factory();
    try { await fn(sut); } finally { await sut.cleanup(); }
  };

  const expectPositions = (events: readonly EventEnvelope[], first: number): void => {
    for (let i = 1; i < events.length; i++) expect(events[i]!.position).toBeGreaterThan(events[i - 1]!.position);
    if (contiguous) expect(events.map((e) => e.position)).toEqual(events.map((_, i) => first + i));
  };

  describe(`EventStore contract: ${name}`, () => {
    it('an empty store has no head, no streams and reads nothing', withStore(async ({ store }) => {
      expect(await store.headPosition()).toBe(-1);
      expect(await store.streamRevision('nope')).toBe(-1);
      expect(await collect(store.readAll())).toEqual([]);
      expect(await collect(store.readStream('nope'))).toEqual([]);
    }), timeout);

    it('assigns revisions from 0 per stream and global positions in append order, returning every field as appended', withStore(async ({ store }) => {
      const a = [timerEvent(1), timerEvent(2), timerEvent(3)];
      const r1 = await store.append('run-a', a);
      expect(r1.revision).toBe(2);
      if (contiguous) expect(r1.position).toBe(2);
      const b = [timerEvent(4)];
      const r2 = await store.append('run-b', b);
      expect(r2.revision).toBe(0);
      expect(r2.position).toBeGreaterThan(r1.position);
      const r3 = await store.append('run-a', [timerEvent(5)]);
      expect(r3.revision).toBe(3);

      const streamA = await collect(store.readStream('run-a'));
      expect(streamA.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(streamA.map((e) => e.id)).toEqual(['run-c-1', 'run-c-2', 'run-c-3', 'run-c-5']);
      const all = await collect(store.readAll());
      expect(all.map((e) => `${e.streamId}@${e.revision}`)).toEqual(['run-a@0', 'run-a@1', 'run-a@2', 'run-b@0', 'run-a@3']);
      expectPositions(all, 0);
      expect(all[3]).toEqual(stored(b[0]!, 'run-b', 0, all[3]!.position));
      expect(all[0]).toEqual(stored(a[0]!, 'run-a', 0, all[0]!.position));
      expect(await store.streamRevision('run-a')).toBe(3);
      expect(await store.headPosition()).toBe(all[4]!.position);
    }), timeout);

    it('readStream honours fromRevision and maxCount; readAll honours fromPosition, maxCount and types', withStore(async ({ store }) => {
      for (let i = 0; i < 10; i++) await store.append(i % 2 === 0 ? 'even' : 'odd', [timerEvent(i), deniedEvent(i, 'limit')]);
      expect((await collect(store.readStream('even', { fromRevision: 3, maxCount: 4 }))).map((e) => e.revision)).toEqual([3, 4, 5, 6]);
      expect((await collect(store.readStream('odd', { fromRevision: 8 }))).map((e) => e.revision)).toEqual([8, 9]);
      expect(await collect(store.readStream('odd', { fromRevision: 10 }))).toEqual([]);
      const all = await collect(store.readAll());
      expect(all).toHaveLength(20);
      const from = all[7]!.position;
      expect((await collect(store.readAll({ fromPosition: from, maxCount: 3 }))).map((e) => e.id)).toEqual(all.slice(7, 10).map((e) => e.id));
      const denied = await collect(store.readAll({ types: ['order.denied'] }));
      expect(denied.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => `run-c-d${i}`));
      // Position 7 is the second event of the 4th append (i = 3): its denial.
      expect((await collect(store.readAll({ types: ['order.denied'], fromPosition: from, maxCount: 2 }))).map((e) => e.id)).toEqual(['run-c-d3', 'run-c-d4']);
      expect(await collect(store.readAll({ types: ['order.filled'] }))).toEqual([]);
      expect(await collect(store.readAll({ maxCount: 0 }))).toEqual([]);
    }), timeout);

    it('checks every form of expected revision and rejects a mismatch with a typed conflict, appending nothing', withStore(async ({ store }) => {
      await expect(store.append('s', [timerEvent(1)], { expectedRevision: 'stream_exists' })).rejects.toSatisfy(isConcurrencyError);
      expect(await store.streamRevision('s')).toBe(-1);
      await expect(store.append('s', [timerEvent(1)], { expectedRevision: 0 })).rejects.toSatisfy(isConcurrencyError);
      expect((await store.append('s', [timerEvent(1)], { expectedRevision: 'no_stream' })).revision).toBe(0);
      const conflict = await store.append('s', [timerEvent(2)], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
      expect(isConcurrencyError(conflict)).toBe(true);
      expect(isHftError(conflict, 'HFT_ERR_CONCURRENCY')).toBe(true);
      expect(conflict).toBeInstanceOf(ConcurrencyError);
      expect((conflict as ConcurrencyError).streamId).toBe('s');
      expect((conflict as ConcurrencyError).expected).toBe('no_stream');
      expect((conflict as ConcurrencyError).actual).toBe(0);
      expect((await store.append('s', [timerEvent(2)], { expectedRevision: 'stream_exists' })).revision).toBe(1);
      expect((await store.append('s', [timerEvent(3), timerEvent(4)], { expectedRevision: 1 })).revision).toBe(3);
      const stale = await store.append('s', [timerEvent(5)], { expectedRevision: 1 }).catch((e: unknown) => e);
      expect(isConcurrencyError(stale) && stale.actual).toBe(3);
      expect((await store.append('s', [timerEvent(5)], { expectedRevision: 'any' })).revision).toBe(4);
      expect((await store.append('t', [timerEvent(6)], { expectedRevision: 'any' })).revision).toBe(0);
      expect((await collect(store.readStream('s'))).map((e) => e.id)).toEqual(['run-c-1', 'run-c-2', 'run-c-3', 'run-c-4', 'run-c-5']);
      expect(isConcurrencyError(new Error('x'))).toBe(false);
    }), timeout);

    it('an empty append still checks the expected revision and creates no stream', withStore(async ({ store }) => {
      expect((await store.append('e', [], { expectedRevision: 'no_stream' })).revision).toBe(-1);
      expect(await store.streamRevision('e')).toBe(-1);
      expect(await store.headPosition()).toBe(-1);
      await expect(store.append('e', [], { expectedRevision: 'stream_exists' })).rejects.toSatisfy(isConcurrencyError);
    }), timeout);

    it('of two concurrent appends with the same expected revision exactly one wins, the other gets the conflict', withStore(async ({ store }) => {
      await store.append('race', [timerEvent(0)]);
      const results = await Promise.allSettled([
        store.append('race', [timerEvent(1, 'A')], { expectedRevision: 0 }),
        store.append('race', [timerEvent(1, 'B')], { expectedRevision: 0 }),
        store.append('race', [timerEvent(1, 'C')], { expectedRevision: 0 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const l of lost) expect(isConcurrencyError(l.reason)).toBe(true);
      const events = await collect(store.readStream('race'));
      expect(events).toHaveLength(2);
      expect(['A', 'B', 'C']).toContain(events[1]!.runId);
    }), timeout);

    itInIssueOrder('appends issued without waiting for each other land in issue order, expected revisions included', withStore(async ({ store }) => {
      const pending = [];
      for (let i = 0; i < 40; i++) {
        pending.push(store.append(i % 4 === 0 ? 'pipe' : `side-${i % 3}`, [timerEvent(i), timerEvent(i + 100)], i % 4 === 0 ? { expectedRevision: i === 0 ? 'no_stream' : (i / 4) * 2 - 1 } : {}));
      }
      const results = await Promise.all(pending);
      expect(results.filter((_, i) => i % 4 === 0).map((r) => r.revision)).toEqual(Array.from({ length: 10 }, (_, k) => 2 * k + 1));
      const all = await collect(store.readAll());
      expect(all.map((e) => e.id)).toEqual(Array.from({ length: 40 }, (_, i) => [`run-c-${i}`, `run-c-${i + 100}`]).flat());
      expectPositions(all, 0);
      expect(await store.streamRevision('pipe')).toBe(19);
    }), timeout);

    it('subscribe catches up from a position, then delivers live appends in order until aborted', withStore(async ({ store }) => {
      await store.append('sub', [timerEvent(0), timerEvent(1), timerEvent(2)]);
      await store.append('other', [deniedEvent(0, 'x')]);
      const ac = new AbortController();
      const seen: EventEnvelope[] = [];
      const deniedSeen: EventEnvelope[] = [];
      const all = await collect(store.readAll());
      const consumer = (async () => {
        for await (const batch of store.subscribe({ fromPosition: all[1]!.position, signal: ac.signal })) {
          seen.push(...batch);
          if (seen.length >= 6) ac.abort();
        }
      })();
      const ac2 = new AbortController();
      const filtered = (async () => {
        for await (const batch of store.subscribe({ types: ['order.denied'], signal: ac2.signal })) {
          deniedSeen.push(...batch);
          if (deniedSeen.length >= 2) ac2.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 30));
      await store.append('sub', [timerEvent(3)]);
      await store.append('other', [deniedEvent(1, 'y'), timerEvent(4)]);
      await Promise.race([Promise.all([consumer, filtered]), new Promise((_, rej) => setTimeout(() => rej(new Error('subscription did not deliver the live appends')), 5_000))]);
      expect(seen.map((e) => e.id)).toEqual(['run-c-1', 'run-c-2', 'run-c-d0', 'run-c-3', 'run-c-d1', 'run-c-4']);
      expectPositions(seen, all[1]!.position);
      expect(deniedSeen.map((e) => e.id)).toEqual(['run-c-d0', 'run-c-d1']);
    }), timeout);

    it('an aborted subscription ends even while waiting for appends', withStore(async ({ store }) => {
      const ac = new AbortController();
      const it = store.subscribe({ signal: ac.signal });
      const done = (async () => { for await (const _ of it) { /* nothing appended */ } return 'ended'; })();
      setTimeout(() => ac.abort(), 20);
      expect(await done).toBe('ended');
    }), timeout);

    it(`stores a batch of ${large} real trades in one append and reads every one back unchanged, in order`, withStore(async ({ store }) => {
      const trades = realTrades();
      const n = Math.min(large, trades.length);
      expect(n).toBeGreaterThan(9_000);
      const events: NewEvent[] = trades.slice(0, n).map((t, i) => ({
        id: `run-t-${i}`, type: 'market.trade', version: 1, tsEvent: t.T * 1000, tsRecv: Number(BigInt(t.tsRecvNs) / 1000n),
        runId: 'run-t', correlationId: 'run-t-0', causationId: 'run-t-0',
        data: { venueTradeId: String(t.t), price: t.p, qty: t.q, aggressor: t.m ? 'sell' : 'buy' } as never,
      }));
      const res = await store.append('trades', events, { expectedRevision: 'no_stream' });
      expect(res.revision).toBe(n - 1);
      const back = await collect(store.readStream('trades'));
      expect(back).toHaveLength(n);
      expectPositions(back, back[0]!.position);
      for (let i = 0; i < n; i++) {
        if (back[i]!.id !== events[i]!.id) throw new Error(`event ${i}: id ${back[i]!.id} != ${events[i]!.id}`);
      }
      expect(back.map((e) => e.data)).toEqual(events.map((e) => e.data));
      // First trade of the capture, as recorded: t=3735683259 p=61837.63000000 q=0.02000000 m=true.
      expect(back[0]!.data).toEqual({ venueTradeId: '3735683259', price: '61837.63000000', qty: '0.02000000', aggressor: 'sell' });
      expect(back[0]!.tsEvent).toBe(1_723_161_255_342_000);
      expect(back[0]!.tsRecv).toBe(1_723_161_254_087_896);
      expect((await collect(store.readAll({ fromPosition: back[n - 5]!.position }))).map((e) => e.revision)).toEqual([n - 5, n - 4, n - 3, n - 2, n - 1]);
    }), timeout);

    it('many small appends read back in one ordered pass', withStore(async ({ store }) => {
      for (let i = 0; i < 500; i++) await store.append(`s${i % 7}`, [timerEvent(i)]);
      const all = await collect(store.readAll());
      expect(all.map((e) => e.id)).toEqual(Array.from({ length: 500 }, (_, i) => `run-c-${i}`));
      expectPositions(all, 0);
      expect(await store.streamRevision('s3')).toBe(70); // 3, 10, ..., 493: 71 events
    }), timeout);

    it('keeps unicode payloads and stream ids byte for byte: emoji, CJK, right-to-left, combining marks', withStore(async ({ store }) => {
      const texts = ['🚀📈 to the moon 🌕', 'ビットコイン価格 比特币', 'שלום עולם مرحبا', 'e\u0301 ñ Ω ß', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', 'quote " backslash \\ nl \n tab \t'];
      const events = texts.map((t, i) => deniedEvent(i, t));
      await store.append('流-🚀-שלום', events);
      const back = await collect(store.readStream('流-🚀-שלום'));
      expect(back.map((e) => (e.data as { reason: string }).reason)).toEqual(texts);
      expect(back[0]!.streamId).toBe('流-🚀-שלום');
      expect(await store.streamRevision('流-🚀-שלום')).toBe(texts.length - 1);
    }), timeout);

    it('refuses to work after close', withStore(async ({ store }) => {
      await store.append('c', [timerEvent(0)]);
      await store.close();
      await expect(store.append('c', [timerEvent(1)])).rejects.toSatisfy((e: unknown) => isHftError(e, 'HFT_ERR_STORE_CLOSED'));
      await expect(collect(store.readAll())).rejects.toSatisfy((e: unknown) => isHftError(e, 'HFT_ERR_STORE_CLOSED'));
    }), timeout);

    it('after reopening, a persistent store holds the same events, revisions and head', withStore(async (sut) => {
      if (!sut.reopen) {
        expect(sut.reopen).toBeUndefined(); // in-process store: nothing persists by design
        return;
      }
      await sut.store.append('p', [timerEvent(0), timerEvent(1)]);
      await sut.store.append('q', [deniedEvent(0, 'ok')]);
      const before = await collect(sut.store.readAll());
      const again = await sut.reopen();
      expect(await collect(again.readAll())).toEqual(before);
      expect(await again.streamRevision('p')).toBe(1);
      expect(await again.headPosition()).toBe(before[2]!.position);
      expect((await again.append('p', [timerEvent(2)], { expectedRevision: 1 })).revision).toBe(2);
    }), timeout);
  });
}
