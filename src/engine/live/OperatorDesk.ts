/**
 * The operator's seat in a paper or live session: operator commands (`operator.*` events of the run's
 * control stream, appended by `hft serve`) become the kernel's own intents.
 *
 * It sits in the session's kernel as one more strategy (id `operator`, no orders of its own, no
 * timer), because the kernel has no other entry for intents: a command queued here goes out as a
 * `decision` of `operator` on the next market row, whose inputs name the command (its id and
 * position in the control stream, the role that asked, the reason) — so the log reads operator event
 * -> decision -> order.cancel-requested (caused by the decision) -> order.canceled (caused by the
 * request), the same chain a strategy's own cancel leaves. A command that finds nothing to do is still
 * a decision, with no intents and the reason in `outcome`.
 *
 * Without a command it returns nothing, so a session nobody acts on records exactly what it did
 * before (parity unchanged). A queued command waits for the next market row of any instrument.
 */
import type { EventEnvelope } from '../../model/events.ts';
import { ALL_STRATEGIES, OPEN_STATUSES, type Intent, type Order } from '../../model/orders.ts';
import type { Decision, Strategy } from '../../strategy/Strategy.ts';

export const OPERATOR_STRATEGY_ID = 'operator';
export const OPERATOR_EVENT_TYPES = ['operator.cancel-requested', 'operator.cancel-all-requested', 'operator.kill-requested'] as const;
export type OperatorEventType = (typeof OPERATOR_EVENT_TYPES)[number];
export type OperatorCommand = EventEnvelope<OperatorEventType>;

/** The stream `hft serve` appends a run's operator commands to. */
export const controlStreamId = (runId: string): string => `control-${runId}`;

export class OperatorDesk implements Strategy {
  readonly id = OPERATOR_STRATEGY_ID;
  readonly timerIntervalUs = 0;
  private readonly queue: OperatorCommand[] = [];
  private orders: () => ReadonlyMap<string, Order> = () => new Map();

  constructor(readonly instruments: readonly string[]) {}

  /** The OMS the desk looks orders up in: the kernel it sits in (built after the desk). */
  watch(kernel: { readonly oms: { readonly orders: ReadonlyMap<string, Order> } }): void { this.orders = () => kernel.oms.orders; }

  enqueue(command: OperatorCommand): void { this.queue.push(command); }
  get pending(): number { return this.queue.length; }

  onMarket(): Decision | undefined { return this.queue.length === 0 ? undefined : this.decide(this.queue.shift()!); }
  onTimer(): undefined { return undefined; }
  onOrder(): undefined { return undefined; }

  private decide(c: OperatorCommand): Decision {
    const inputs = { command: c.type, commandId: c.id, commandStream: c.streamId, commandPosition: c.position, by: c.data.by, reason: c.data.reason };
    if (c.type === 'operator.cancel-requested') {
      const id = (c as EventEnvelope<'operator.cancel-requested'>).data.clientOrderId;
      const o = this.orders().get(id);
      const outcome = o === undefined ? 'unknown order' : !OPEN_STATUSES.has(o.status) ? `order is ${o.status}` : o.status === 'pending-cancel' ? 'cancel already requested' : 'cancel';
      // The order's own strategy in the intent: the OMS refuses a cancel of another strategy's order.
      const intents: Intent[] = outcome === 'cancel' ? [{ kind: 'cancel', strategyId: o!.strategyId, clientOrderId: id }] : [];
      return { trigger: 'operator', inputs: { ...inputs, clientOrderId: id, outcome }, intents };
    }
    const kill = c.type === 'operator.kill-requested';
    const reason = `operator ${kill ? 'kill switch' : 'cancel-all'} (${c.data.by}): ${c.data.reason}`;
    return { trigger: 'operator', inputs: { ...inputs, outcome: 'cancel-all' }, intents: [{ kind: 'cancel-all', strategyId: ALL_STRATEGIES, reason }] };
  }
}
