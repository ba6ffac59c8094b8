/** Marble tests for the kernel's custom operators: values, source error, callback error, empty, never, unsubscription. */
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { rebatch } from '../../src/engine/operators/rebatch.ts';
import { stepBatches } from '../../src/engine/operators/stepBatches.ts';

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('rebatch', () => {
  it('re-slices batches into fixed sizes and flushes the rest on completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', { a: [1, 2, 3], b: [4], c: [5, 6, 7, 8] });
      expectObservable(src.pipe(rebatch(3))).toBe('a---b(c|)', { a: [1, 2, 3], b: [4, 5, 6], c: [7, 8] });
    });
  });
  it('forwards a source error and drops the partial batch', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-#', { a: [1] }, new Error('boom'));
      expectObservable(src.pipe(rebatch(2))).toBe('--#', undefined, new Error('boom'));
    });
  });
  it('completes empty on an empty source', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number[]>('|').pipe(rebatch(2))).toBe('|');
    });
  });
  it('never emits on a never source', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number[]>('-').pipe(rebatch(2))).toBe('-');
    });
  });
  it('unsubscribes from the source when the subscriber does', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-c-d|', { a: [1], b: [2], c: [3], d: [4] });
      expectObservable(src.pipe(rebatch(2)), '^--!').toBe('--a', { a: [1, 2] });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });
  it('refuses a non-positive size', () => {
    expect(() => rebatch(0)).toThrow(/positive integer/);
  });
});

describe('stepBatches', () => {
  it('emits each non-empty output and the flush on completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', { a: 1, b: 0, c: 2 });
      const step = (n: number): string[] => Array.from({ length: n }, (_, i) => `x${i}`);
      expectObservable(src.pipe(stepBatches(step, () => ['end']))).toBe('a---c(f|)', { a: ['x0'], c: ['x0', 'x1'], f: ['end'] });
    });
  });
  it('routes an error thrown by the step to the subscriber', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b|', { a: 1, b: 2 });
      const step = (n: number): number[] => { if (n === 2) throw new Error('bad step'); return [n]; };
      expectObservable(src.pipe(stepBatches(step))).toBe('a-#', { a: [1] }, new Error('bad step'));
    });
  });
  it('routes an error thrown by the flush', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold<number>('|');
      expectObservable(src.pipe(stepBatches((n: number) => [n], () => { throw new Error('bad flush'); }))).toBe('#', undefined, new Error('bad flush'));
    });
  });
  it('forwards a source error', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number>('#', undefined, new Error('src')).pipe(stepBatches((n: number) => [n]))).toBe('#', undefined, new Error('src'));
    });
  });
  it('never emits on a never source, and unsubscribes upstream', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<number>('-');
      expectObservable(src.pipe(stepBatches((n: number) => [n])), '^-!').toBe('-');
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
