/** The paced source and the read-ahead: order kept, errors routed, consumers never outrun. */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAsyncPaced, InFlight } from '../../src/engine/operators/fromAsyncPaced.ts';
import { readAhead } from '../../src/engine/operators/readAhead.ts';

async function* numbers(n: number, log?: number[]): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) { log?.push(i); yield i; }
}

describe('readAhead', () => {
  it('yields every item in order and requests at most depth items ahead', async () => {
    const pulled: number[] = [];
    const out: number[] = [];
    for await (const x of readAhead(numbers(10, pulled), 2)) {
      out.push(x);
      expect(pulled.length - out.length).toBeLessThanOrEqual(2);
    }
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('passes a source error through', async () => {
    async function* bad(): AsyncGenerator<number> { yield 1; throw new Error('disk gone'); }
    const out: number[] = [];
    await expect((async () => { for await (const x of readAhead(bad(), 2)) out.push(x); })()).rejects.toThrow('disk gone');
    expect(out).toEqual([1]);
  });
  it('ends on an empty source', async () => {
    const out: number[] = [];
    for await (const x of readAhead(numbers(0))) out.push(x);
    expect(out).toEqual([]);
  });
});

describe('fromAsyncPaced', () => {
  it('emits every item and waits for room before pulling the next', async () => {
    const gate = new InFlight(1);
    const pulled: number[] = [];
    const seen: number[] = [];
    // Work in flight before the first pull: the source must not be read until it finishes.
    gate.start();
    const done = lastValueFrom(fromAsyncPaced(numbers(5, pulled), () => gate.room()).pipe(toArray()));
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled.length).toBe(0);
    gate.done();
    const all = await done;
    seen.push(...all);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
  it('routes a source error to the subscriber', async () => {
    async function* bad(): AsyncGenerator<number> { yield 1; throw new Error('bad row'); }
    await expect(lastValueFrom(fromAsyncPaced(bad(), () => undefined).pipe(toArray()))).rejects.toThrow('bad row');
  });
  it('stops pulling when unsubscribed', async () => {
    const pulled: number[] = [];
    const sub = fromAsyncPaced(numbers(1000, pulled), () => new Promise<void>((r) => setTimeout(r, 1))).subscribe();
    await new Promise((r) => setTimeout(r, 15));
    sub.unsubscribe();
    const at = pulled.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled.length).toBeLessThanOrEqual(at + 1);
    expect(at).toBeLessThan(1000);
  });
});
