/**
 * The operator's seat in a paper or live session: operator commands (`operator.*` events of the run's
 * control stream, appended by `hft serve`) become kernel interventions.
 *
 * The desk is one more strategy in the session's kernel (id `operator`, no instruments, no timer, no
 * orders of its own) so its decisions settle like any strategy's. A command is carried out at once, at
 * the local time it arrives (`Kernel.intervene`): the log reads operator event -> decision of
 * `operator` (its inputs name the command: id and position in the control stream, the role that
 * asked, the reason, the outcome) -> order.cancel-requested (caused by the decision) -> order.canceled
 * (caused by the request), the chain a strategy's own cancel leaves. A kill switch first records the
 * trading state HALTED, so the risk gate denies every new order from that moment, then cancels all.
 * A command that finds nothing to do is still a decision, with no intents and the reason in `outcome`.
 *
 * The session records each command it carried out, with the market-row count and time it did so, as
 * `operator.command-applied` in stream inputs-<runId>; parity schedules the same interventions there
 * (`Kernel.schedule`), so a session an operator acted on replays to the identical event stream.
 */
import { HftError } from '../../core/errors.ts';
import type { EventData, EventEnvelope } from '../../model/events.ts';
import { ALL_STRATEGIES, OPEN_STATUSES, type Intent } from '../../model/orders.ts';
import type { Decision, Strategy } from '../../strategy/Strategy.ts';
import type { Intervention, InterventionApi } from '../Kernel.ts';

export const OPERATOR_STRATEGY_ID = 'operator';
export const OPERATOR_EVENT_TYPES = ['operator.cancel-requested', 'operator.cancel-all-requested', 'operator.kill-requested'] as const;
export type OperatorEventType = (typeof OPERATOR_EVENT_TYPES)[number];
export type OperatorCommand = EventEnvelope<OperatorEventType>;
/** What the desk needs of a command: also what `operator.command-applied` records of it. */
export type OperatorCommandRef = EventData<'operator.command-applied'>['command'];

/** The stream `hft serve` appends a run's operator commands to. */
export const controlStreamId = (runId: string): string => `control-${runId}`;

export const commandRef = (c: OperatorCommand): OperatorCommandRef => ({ id: c.id, type: c.type, streamId: c.streamId, position: c.position, data: c.data as unknown as Record<string, unknown> });

export class OperatorDesk implements Strategy {
  readonly id = OPERATOR_STRATEGY_ID;
  readonly timerIntervalUs = 0;
  /** No market data: the desk acts only through interventions. */
  readonly instruments: readonly string[] = [];

  onMarket(): undefined { return undefined; }
  onTimer(): undefined { return undefined; }
  onOrder(): undefined { return undefined; }

  /** The kernel intervention that carries out one command (a recorded one included). */
  intervention(c: OperatorCommandRef): Intervention {
    if (!(OPERATOR_EVENT_TYPES as readonly string[]).includes(c.type)) {
      throw new HftError('HFT_ERR_BAD_INPUT', `operator command ${c.id} (${c.streamId}@${c.position}): type '${c.type}' is not one of ${OPERATOR_EVENT_TYPES.join(', ')}`);
    }
    const by = field(c, 'by'); const reason = field(c, 'reason');
    const clientOrderId = c.type === 'operator.cancel-requested' ? field(c, 'clientOrderId') : '';
    return (api: InterventionApi) => {
      if (c.type === 'operator.kill-requested' && api.tradingState !== 'HALTED') {
        api.record('risk.state-changed', { from: api.tradingState, to: 'HALTED', reason: `operator kill switch (${by}): ${reason}`, values: { commandId: c.id, commandPosition: c.position } });
      }
      api.decide(this.id, this.decide(c, by, reason, clientOrderId, api));
    };
  }

  private decide(c: OperatorCommandRef, by: string, reason: string, id: string, api: InterventionApi): Decision {
    const inputs = { command: c.type, commandId: c.id, commandStream: c.streamId, commandPosition: c.position, by, reason };
    if (c.type === 'operator.cancel-requested') {
      const o = api.orders.get(id);
      const outcome = o === undefined ? 'unknown order' : !OPEN_STATUSES.has(o.status) ? `order is ${o.status}` : o.status === 'pending-cancel' ? 'cancel already requested' : 'cancel';
      // The order's own strategy in the intent: the OMS refuses a cancel of another strategy's order.
      const intents: Intent[] = outcome === 'cancel' ? [{ kind: 'cancel', strategyId: o!.strategyId, clientOrderId: id }] : [];
      return { trigger: 'operator', inputs: { ...inputs, clientOrderId: id, outcome }, intents };
    }
    const kill = c.type === 'operator.kill-requested';
    const why = `operator ${kill ? 'kill switch' : 'cancel-all'} (${by}): ${reason}`;
    return { trigger: 'operator', inputs: { ...inputs, outcome: 'cancel-all' }, intents: [{ kind: 'cancel-all', strategyId: ALL_STRATEGIES, reason: why }] };
  }
}

function field(c: OperatorCommandRef, name: string): string {
  const v = c.data[name];
  if (typeof v !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `operator command ${c.id} (${c.streamId}@${c.position}): field 'data.${name}' must be a string, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}
