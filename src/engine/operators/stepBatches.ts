/**
 * Runs a synchronous, stateful step over each input batch and emits its output batch when non-empty.
 * The step is the kernel (venue + reducers); this wrapper owns subscription, teardown and error
 * routing, so an exception thrown by the step becomes an error notification, never a lost batch.
 */
import { Observable, type OperatorFunction } from 'rxjs';

export function stepBatches<I, O>(step: (input: I) => readonly O[], flush?: () => readonly O[]): OperatorFunction<I, readonly O[]> {
  return (source) =>
    new Observable<readonly O[]>((subscriber) => {
      const sub = source.subscribe({
        next(input) {
          let out: readonly O[];
          try { out = step(input); } catch (err) { subscriber.error(err); return; }
          if (out.length > 0) subscriber.next(out);
        },
        error(err) { subscriber.error(err); },
        complete() {
          if (flush) {
            let out: readonly O[];
            try { out = flush(); } catch (err) { subscriber.error(err); return; }
            if (out.length > 0) subscriber.next(out);
          }
          subscriber.complete();
        },
      });
      return () => sub.unsubscribe();
    });
}
