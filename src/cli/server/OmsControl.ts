/**
 * Operator actions on a run's orders. Two implementations of OmsControl: EventLogControl (what
 * `hft serve` uses: the action becomes an operator.* event in the run's control stream, which the
 * session process follows) and this in-process registry (a runner in the server's own process
 * registers its control for its run id). A run that is not live (a finished backtest, a replay)
 * cannot be acted on: 409 run not live.
 * Actions are requests: their effect arrives in the log as order.cancel-requested / canceled and
 * risk.state-changed events, appended by the runner that owns the run (the one writer of its stream).
 */
import { HftError } from '../../core/errors.ts';

export interface OperatorAction {
  readonly kind: 'cancel-order' | 'cancel-all' | 'kill-switch';
  readonly runId: string;
  readonly clientOrderId?: string;
  readonly reason: string;
  /** Who asked (the token's role and a label, never the token). */
  readonly actor: string;
}

export interface OperatorAck {
  readonly accepted: true;
  readonly action: OperatorAction;
  /** Where the command was appended (EventLogControl): its stream, event id and global position. */
  readonly streamId?: string;
  readonly eventId?: string;
  readonly position?: number;
  readonly detail?: Record<string, unknown>;
}

/** What the server asks of operator control. */
export interface OmsControl {
  isLive(runId: string): boolean | Promise<boolean>;
  act(action: OperatorAction): Promise<OperatorAck>;
}

/** What a runner implements to accept operator actions for its run. */
export interface RunControl { act(action: OperatorAction): Promise<OperatorAck> }

export class OmsControlRegistry implements OmsControl {
  private readonly controls = new Map<string, RunControl>();

  /** A runner calls this when its run goes live; the returned function unregisters it. */
  register(runId: string, control: RunControl): () => void {
    if (this.controls.has(runId)) throw new HftError('HFT_ERR_CONFIG', `run '${runId}' already has a registered control`);
    this.controls.set(runId, control);
    return () => { if (this.controls.get(runId) === control) this.controls.delete(runId); };
  }

  isLive(runId: string): boolean { return this.controls.has(runId); }

  async act(action: OperatorAction): Promise<OperatorAck> {
    const c = this.controls.get(action.runId);
    if (!c) throw new HftError('HFT_ERR_RUN_NOT_LIVE', `run '${action.runId}' is not live (no runner accepts operator actions for it): ${action.kind} not sent`, { runId: action.runId });
    return c.act(action);
  }
}
