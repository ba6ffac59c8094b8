/**
 * The log of a session's sealed input pieces: stream `inputs-<runId>`, one `run.inputs-recorded` per
 * roll listing the files that roll sealed and the clock it cut at (`stopUs`). It is a stream of its
 * own so the run stream holds exactly what the kernel decided (parity compares it event by event).
 * After a crash (no `run.inputs-recorded` in the run stream) these pieces are what parity replays.
 */
import type { DatasetRef, EventData, EventEnvelope } from '../../model/events.ts';

export const inputsStreamId = (runId: string): string => `inputs-${runId}`;

/** The rolls of a session merged: every file sealed, and the last cut. Undefined when none. */
export function rolledInputs(events: readonly EventEnvelope[]): (EventData<'run.inputs-recorded'> & { readonly rolls: number }) | undefined {
  const rolls = events.filter((e) => e.type === 'run.inputs-recorded').map((e) => e.data as EventData<'run.inputs-recorded'>);
  const last = rolls[rolls.length - 1];
  if (!last) return undefined;
  const datasets: DatasetRef[] = rolls.flatMap((r) => r.datasets);
  return { tickStore: last.tickStore, datasets, stopUs: last.stopUs, rolls: rolls.length };
}
