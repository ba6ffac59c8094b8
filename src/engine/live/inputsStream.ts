/**
 * The log of a session's sealed input pieces: stream `inputs-<runId>`, one `run.inputs-recorded` per
 * roll listing the files that roll sealed and the clock it cut at (`stopUs`). It is a stream of its
 * own so the run stream holds exactly what the kernel decided (parity compares it event by event).
 * After a crash (no `run.inputs-recorded` in the run stream) these pieces are what parity replays.
 */
import type { DatasetRef, EventData, EventEnvelope, NewEvent } from '../../model/events.ts';

export const inputsStreamId = (runId: string): string => `inputs-${runId}`;

/** The rolls of a session merged: every file sealed, and the last cut. Undefined when none. */
export function rolledInputs(events: readonly EventEnvelope[]): (EventData<'run.inputs-recorded'> & { readonly rolls: number }) | undefined {
  const rolls = events.filter((e) => e.type === 'run.inputs-recorded').map((e) => e.data as EventData<'run.inputs-recorded'>);
  const last = rolls[rolls.length - 1];
  if (!last) return undefined;
  const datasets: DatasetRef[] = rolls.flatMap((r) => r.datasets);
  return { tickStore: last.tickStore, datasets, stopUs: last.stopUs, rolls: rolls.length };
}

/** The inputs-stream record of an operator command the session carried out (Kernel.intervene). */
export function commandAppliedEvent(runId: string, n: number, command: EventData<'operator.command-applied'>['command'], afterRows: number, atUs: number): NewEvent {
  const id = `${inputsStreamId(runId)}-command-${n}`;
  return { id, type: 'operator.command-applied', version: 1, tsEvent: atUs, tsRecv: atUs, runId, correlationId: command.id, causationId: command.id, data: { command, afterRows, atUs } } as NewEvent;
}

/**
 * The operator commands a session carried out, in order. With `sealedOnly` (a session that did not
 * stop cleanly): only those logged before its last sealed roll — the ones inside the replayable cut.
 */
export function appliedCommands(events: readonly EventEnvelope[], sealedOnly: boolean): EventData<'operator.command-applied'>[] {
  const end = sealedOnly ? events.findLastIndex((e) => e.type === 'run.inputs-recorded') : events.length - 1;
  return events.slice(0, end + 1).filter((e) => e.type === 'operator.command-applied').map((e) => e.data as EventData<'operator.command-applied'>);
}
