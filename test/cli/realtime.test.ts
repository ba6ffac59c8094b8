/** `--rt-priority`: a real thread under SCHED_FIFO through chrt, read back from /proc; refusals name the flag. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRtPriority, setRealtimePriority } from '../../src/cli/realtime.ts';
import { isHftError } from '../../src/core/errors.ts';
import { main } from '../../src/cli/main.ts';

/** Policy and real-time priority of a thread from /proc/<pid>/stat (fields 41 policy, 40 rt_priority). */
function schedOf(pid: number): { policy: number; rtPriority: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 on
  return { rtPriority: Number(fields[40 - 3]), policy: Number(fields[41 - 3]) };
}

describe('real-time priority of the hot thread', () => {
  it('puts a running process under SCHED_FIFO at the priority asked (or names the missing privilege)', async () => {
    const child = spawn('sleep', ['30']);
    try {
      await new Promise((r) => child.once('spawn', r));
      expect(schedOf(child.pid!).policy).toBe(0); // SCHED_OTHER
      let result; let error: unknown;
      try { result = setRealtimePriority(7, child.pid!); } catch (e) { error = e; }
      if (process.getuid?.() === 0) {
        expect(error).toBeUndefined();
        expect(result).toEqual({ pid: child.pid, policy: 'SCHED_FIFO|SCHED_RESET_ON_FORK', priority: 7 });
        expect(schedOf(child.pid!)).toEqual({ policy: 1, rtPriority: 7 }); // SCHED_FIFO = 1 (the reset-on-fork flag is not in /proc stat)
      } else {
        // Without root the kernel may refuse (no CAP_SYS_NICE, no rtprio limit): the error says why.
        if (error !== undefined) {
          expect(isHftError(error, 'HFT_ERR_CONFIG')).toBe(true);
          expect((error as Error).message).toMatch(/CAP_SYS_NICE/);
        } else expect(schedOf(child.pid!).policy).toBe(1);
      }
    } finally { child.kill('SIGKILL'); }
  });

  it('refuses a priority outside 1..99 and a failing chrt, naming the flag', () => {
    for (const bad of ['0', '100', '-1', 'high', '5.5']) expect(() => parseRtPriority(bad)).toThrow(/--rt-priority/);
    expect(parseRtPriority('50')).toBe(50);
    const fake = () => ({ status: 1, stdout: '', stderr: 'chrt: failed to set pid 1\'s policy: Operation not permitted' });
    let e: unknown;
    try { setRealtimePriority(50, 1, fake); } catch (x) { e = x; }
    expect(isHftError(e, 'HFT_ERR_CONFIG')).toBe(true);
    expect((e as Error).message).toContain('Operation not permitted');
    const missing = () => ({ status: null, stdout: '', stderr: '', error: new Error('spawnSync chrt ENOENT') });
    expect(() => setRealtimePriority(50, 1, missing)).toThrow(/cannot run chrt/);
  });

  it('hft live refuses a bad --rt-priority before anything starts, and documents the flag', async () => {
    const err: string[] = []; const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, cwd: process.cwd(), isTTY: false };
    expect(await main(['live', 'scenarios/demo-mm-btcusdt.json', '--confirm-live', '--rt-priority', '0'], io)).not.toBe(0);
    expect(err.join('\n')).toContain("--rt-priority: expected a SCHED_FIFO priority from 1 to 99, got '0'");
    expect(await main(['live', '--help'], io)).toBe(0);
    expect(out.join('\n')).toContain('--rt-priority N');
  });
});
