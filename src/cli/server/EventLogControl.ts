/**
 * Operator control through the log (what `hft serve` uses): an action becomes one operator.* event
 * appended to the run's control stream (control-<runId>); the paper or live session, another process,
 * follows that stream and carries it out (engine/live/SessionControl.ts). The event names who asked
 * by role, never by token.
 *
 * A run is live when the read models have its run.started with mode paper or live and no
 * run.completed. A session that died without run.completed still looks live: its commands are
 * appended and nobody carries them out (the dashboard shows nothing change).
 */
import { ConcurrencyError, HftError } from '../../core/errors.ts';
import { controlStreamId, type OperatorEventType } from '../../engine/live/OperatorDesk.ts';
import type { EventData, NewEvent } from '../../model/events.ts';
import type { ControlWriter } from './controlStore.ts';
import type { OmsControl, OperatorAck, OperatorAction } from './OmsControl.ts';
import type { RunReadModels } from './RunReadModels.ts';

export interface EventLogControlOptions {
  readonly readModels: RunReadModels;
  readonly writer: ControlWriter;
  /** Wall clock, µs (the command's tsEvent and tsRecv). */
  readonly clockUs: () => number;
}

const TYPE_OF: Readonly<Record<OperatorAction['kind'], OperatorEventType>> = {
  'cancel-order': 'operator.cancel-requested', 'cancel-all': 'operator.cancel-all-requested', 'kill-switch': 'operator.kill-requested',
};

export class EventLogControl implements OmsControl {
  constructor(private readonly o: EventLogControlOptions) {}

  async isLive(runId: string): Promise<boolean> {
    const run = await this.o.readModels.run(runId);
    return run !== undefined && (run.mode === 'paper' || run.mode === 'live') && run.completed !== true;
  }

  async act(action: OperatorAction): Promise<OperatorAck> {
    const run = await this.o.readModels.run(action.runId);
    if (!(await this.isLive(action.runId))) {
      const why = run === undefined ? 'not in the read models' : run.mode !== 'paper' && run.mode !== 'live' ? `a ${String(run.mode)} run` : 'completed';
      throw new HftError('HFT_ERR_RUN_NOT_LIVE', `run '${action.runId}' is not live (${why}): ${action.kind} not sent`, { runId: action.runId });
    }
    const type = TYPE_OF[action.kind];
    const base = { runId: action.runId, by: action.actor, reason: action.reason };
    let data: EventData<OperatorEventType>;
    if (type === 'operator.cancel-requested') {
      if (action.clientOrderId === undefined) throw new HftError('HFT_ERR_USAGE', 'cancel-order needs a clientOrderId');
      data = { ...base, clientOrderId: action.clientOrderId };
    } else data = base;
    const streamId = controlStreamId(action.runId);
    return this.o.writer(async (store) => {
      // Ids follow the stream's revisions (deterministic); a concurrent appender (a second server on
      // the same PostgreSQL log) makes the expected revision miss: read it again and retry.
      for (let attempt = 0; ; attempt++) {
        const rev = await store.streamRevision(streamId);
        const id = `${streamId}-${rev + 1}`;
        const t = this.o.clockUs();
        const event = { id, type, version: 1, tsEvent: t, tsRecv: t, runId: action.runId, correlationId: id, causationId: id, data } as NewEvent;
        try {
          const r = await store.append(streamId, [event], { expectedRevision: rev === -1 ? 'no_stream' : rev });
          return { accepted: true as const, action, streamId, eventId: id, position: r.position };
        } catch (e) {
          if (!(e instanceof ConcurrencyError) || attempt >= 4) throw e;
        }
      }
    });
  }
}
