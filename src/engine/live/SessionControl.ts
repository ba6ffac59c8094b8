/**
 * Operator control of a running paper or live session: follows the run's control stream
 * (`control-<runId>`, appended by `hft serve`) and carries each command out at once through the
 * session's kernel (`LiveSession.intervene`, see OperatorDesk.ts): a cancel or cancel-all is a decision
 * of the desk; a kill switch records the trading state HALTED first, so the risk gate denies every new
 * order from that moment, then cancels everything. Each command carried out is logged as
 * `operator.command-applied` in stream inputs-<runId>: parity replays it at the same point.
 *
 * Wiring (runSession): `SessionControl.prepare` before the LiveSession is built (its `kernel` is the
 * run's config with the desk added; the control store's head then is where this run's commands
 * begin: the server accepts none before it sees run.started); `start(session)` after
 * `session.start()`; `stop()` before `session.stop()` (the stop cancels what is open anyway).
 */
import type { EventStore } from '../../eventstore/port.ts';
import type { KernelConfig } from '../Kernel.ts';
import { commandAppliedEvent } from './inputsStream.ts';
import type { LiveSession } from './LiveSession.ts';
import { commandRef, controlStreamId, OPERATOR_EVENT_TYPES, OperatorDesk, type OperatorCommand } from './OperatorDesk.ts';

/** The kernel config with the operator's desk added as the last strategy (live session and its replay alike). */
export function withOperatorDesk(kernel: KernelConfig): { kernel: KernelConfig; desk: OperatorDesk } {
  const desk = new OperatorDesk();
  return { kernel: { ...kernel, strategies: [...kernel.strategies, desk] }, desk };
}

export interface SessionControlOptions {
  /** The run's kernel config (createLiveRun's). */
  readonly kernel: KernelConfig;
  /** The store holding the control stream: the run's own store, or a file store's control store. */
  readonly control: EventStore;
  /** A failure to follow the control stream (the session should stop: nobody can halt it any more). */
  readonly onError?: (e: unknown) => void;
  /** Each command once carried out. */
  readonly onCommand?: (command: OperatorCommand) => void;
}

export class SessionControl {
  private readonly abort = new AbortController();
  private following: Promise<void> = Promise.resolve();
  private session: LiveSession | undefined;
  private stopped = false;
  /** Commands received so far. */
  received = 0;

  /** The kernel config the session must run: the run's, with the operator's desk. */
  readonly kernel: KernelConfig;
  private readonly desk: OperatorDesk;

  private constructor(private readonly o: SessionControlOptions, private readonly fromPosition: number) {
    ({ kernel: this.kernel, desk: this.desk } = withOperatorDesk(o.kernel));
  }

  static async prepare(o: SessionControlOptions): Promise<SessionControl> {
    return new SessionControl(o, (await o.control.headPosition()) + 1);
  }

  start(session: LiveSession): void {
    this.session = session;
    this.following = this.follow();
  }

  private async follow(): Promise<void> {
    const stream = controlStreamId(this.kernel.runId);
    try {
      for await (const batch of this.o.control.subscribe({ fromPosition: this.fromPosition, types: OPERATOR_EVENT_TYPES, signal: this.abort.signal })) {
        for (const e of batch) if (e.streamId === stream) this.command(e as OperatorCommand);
      }
    } catch (e) {
      if (!this.abort.signal.aborted) this.o.onError?.(e);
    }
  }

  /** Carries out one command now (also callable directly, e.g. by an in-process runner). */
  command(c: OperatorCommand): void {
    const session = this.session;
    if (this.stopped || !session) return;
    const n = this.received++;
    const ref = commandRef(c);
    session.intervene(this.desk.intervention(ref), (afterRows, atUs) => commandAppliedEvent(this.kernel.runId, n, ref, afterRows, atUs));
    this.o.onCommand?.(c);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.following;
  }
}
