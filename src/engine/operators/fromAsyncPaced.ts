/**
 * An Observable over an async iterable that does not read ahead of its consumers: before pulling
 * the next item it awaits `pace()`, which a downstream async stage (the store append) resolves when
 * it has room. This keeps memory flat whatever the length of the replay: RxJS's own `from()` would
 * drain the source as fast as it can and let appends queue up without bound.
 */
import { Observable } from 'rxjs';

export function fromAsyncPaced<T>(source: AsyncIterable<T>, pace: () => Promise<void> | void): Observable<T> {
  return new Observable<T>((subscriber) => {
    let stopped = false;
    const it = source[Symbol.asyncIterator]();
    (async () => {
      try {
        for (;;) {
          await pace();
          if (stopped) break;
          const r = await it.next();
          if (stopped || r.done) break;
          subscriber.next(r.value);
        }
        if (!stopped) subscriber.complete();
      } catch (err) {
        if (!stopped) subscriber.error(err);
      }
    })();
    return () => {
      stopped = true;
      void it.return?.();
    };
  });
}

/** A counter of in-flight async work with a promise that resolves when it drops below a limit. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  get size(): number { return this.count; }
  start(): void { this.count++; }
  done(): void {
    this.count--;
    if (this.count < this.limit) { const w = this.waiters; this.waiters = []; for (const f of w) f(); }
  }
  /** Resolves at once when below the limit, else when work finishes. */
  room(): Promise<void> | void {
    if (this.count < this.limit) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
