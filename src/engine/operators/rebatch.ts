/**
 * Re-slices a stream of batches into batches of exactly `size` items (the last one may be smaller,
 * emitted on completion). The kernel emits many small batches of run events; the store wants large
 * ones (one frame + one fsync per append).
 */
import { Observable, type OperatorFunction } from 'rxjs';

export function rebatch<T>(size: number): OperatorFunction<readonly T[], T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`rebatch size must be a positive integer, got ${size}`);
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let buf: T[] = [];
      const sub = source.subscribe({
        next(batch) {
          for (const item of batch) {
            buf.push(item);
            if (buf.length === size) {
              const out = buf;
              buf = [];
              subscriber.next(out);
            }
          }
        },
        error(err) { buf = []; subscriber.error(err); },
        complete() {
          if (buf.length > 0) subscriber.next(buf);
          buf = [];
          subscriber.complete();
        },
      });
      return () => { buf = []; sub.unsubscribe(); };
    });
}
