/**
 * Operator actions on a run's orders. A live or paper runner registers its control for its run id;
 * a run nobody registered (a finished backtest, a replay) cannot be acted on: 409 run not live.
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

export interface OperatorAck { readonly accepted: true; readonly action: OperatorAction; readonly detail?: Record<string, unknown> }

/** What a runner implements to accept operator actions for its run. */
export interface RunControl { act(action: OperatorAction): Promise<OperatorAck> }

export class OmsControlRegistry {
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
