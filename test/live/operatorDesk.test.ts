/**
 * The operator's desk turns recorded commands into kernel interventions: a command read back from
 * the inputs stream that is not one the desk knows, or lacks a field, is refused with the command's
 * id, stream position and the field named (never carried out with a default).
 */
import { describe, expect, it } from 'vitest';
import { OperatorDesk, type OperatorCommandRef } from '../../src/engine/live/OperatorDesk.ts';

const ref = (type: string, data: Record<string, unknown>): OperatorCommandRef => ({ id: 'control-r1-3', type, streamId: 'control-r1', position: 41, data });

describe('OperatorDesk', () => {
  it('refuses a command type it does not know, naming the command', () => {
    expect(() => new OperatorDesk().intervention(ref('operator.flatten-requested', { runId: 'r1', by: 'trader', reason: 'x' })))
      .toThrow(/control-r1-3 \(control-r1@41\): type 'operator\.flatten-requested' is not one of operator\.cancel-requested/);
  });

  it('refuses a command without its role or reason, naming the field', () => {
    expect(() => new OperatorDesk().intervention(ref('operator.kill-requested', { runId: 'r1', reason: 'x' }))).toThrow(/field 'data\.by' must be a string, got undefined/);
    expect(() => new OperatorDesk().intervention(ref('operator.cancel-all-requested', { runId: 'r1', by: 'trader', reason: 7 }))).toThrow(/field 'data\.reason' must be a string, got 7/);
  });

  it('takes no market data: it acts only through interventions', () => {
    const d = new OperatorDesk();
    expect([d.id, d.instruments, d.timerIntervalUs]).toEqual(['operator', [], 0]);
  });
});
