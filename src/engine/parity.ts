/**
 * Event-by-event comparison of a recorded run with its replay: the parity check behind
 * `hft replay` and paper-to-live promotion. Store-assigned global positions differ between stores
 * and are not compared; everything the kernel decides (ids, types, times, causation, data, stream
 * revision) is.
 */
import { canonicalJson } from '../core/ids.ts';
import type { EventEnvelope, NewEvent } from '../model/events.ts';

export interface ParityResult {
  readonly ok: boolean;
  readonly compared: number;
  /** First divergence: index in the run stream, and both events (undefined when one side ended). */
  readonly divergence?: { readonly index: number; readonly expected: unknown; readonly actual: unknown };
}

const comparable = (e: EventEnvelope | NewEvent, revision: number): string => canonicalJson({
  id: e.id, type: e.type, version: e.version, revision, tsEvent: e.tsEvent, tsRecv: e.tsRecv,
  runId: e.runId, correlationId: e.correlationId, causationId: e.causationId, data: e.data,
});

export function compareRuns(expected: readonly EventEnvelope[], actual: readonly (EventEnvelope | NewEvent)[], ignore: (e: { type: string }) => boolean = () => false): ParityResult {
  const n = Math.max(expected.length, actual.length);
  let compared = 0;
  for (let i = 0; i < n; i++) {
    const a = expected[i]; const b = actual[i];
    if (a && b && ignore(a) && ignore(b)) continue;
    if (!a || !b || comparable(a, i) !== comparable(b, i)) {
      return { ok: false, compared, divergence: { index: i, expected: a, actual: b } };
    }
    compared++;
  }
  return { ok: true, compared };
}
