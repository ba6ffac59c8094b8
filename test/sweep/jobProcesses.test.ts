import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeJobProcesses, jobProcessExecArgv, planJobProcesses, SINGLE_THREADED_GC, WORKER_ENTRY, YOUNG_GEN_FLAG } from '../../src/cli/sweep/jobProcesses.ts';

describe('job processes of a worker host', () => {
  it('uses the young-generation size the hft launcher runs with', () => {
    const shebang = readFileSync(new URL('../../src/cli/hft.mjs', import.meta.url), 'utf8').split('\n')[0]!;
    expect(shebang.split(/\s+/)).toContain(YOUNG_GEN_FLAG);
  });

  it('keeps V8\'s parallel GC while a core is left over, runs it on the job\'s thread once the jobs fill every core', () => {
    expect(jobProcessExecArgv(1, 2, [YOUNG_GEN_FLAG])).toEqual([YOUNG_GEN_FLAG]);
    expect(jobProcessExecArgv(3, 4, [YOUNG_GEN_FLAG])).toEqual([YOUNG_GEN_FLAG]);
    expect(jobProcessExecArgv(2, 2, [YOUNG_GEN_FLAG])).toEqual([YOUNG_GEN_FLAG, SINGLE_THREADED_GC]);
    expect(jobProcessExecArgv(4, 2, [YOUNG_GEN_FLAG])).toEqual([YOUNG_GEN_FLAG, SINGLE_THREADED_GC]);
    expect(jobProcessExecArgv(2, 2, [YOUNG_GEN_FLAG], { parallelGc: true })).toEqual([YOUNG_GEN_FLAG]);
  });

  it('keeps the parent\'s own flags (loaders, a chosen young generation) and adds each flag once', () => {
    const loader = ['--import', 'file:///x/tsx/loader.mjs'];
    expect(jobProcessExecArgv(2, 2, [...loader, '--max-semi-space-size=32', SINGLE_THREADED_GC])).toEqual([...loader, '--max-semi-space-size=32', SINGLE_THREADED_GC]);
    // Started as `node hft.mjs` (no launcher flags): the job processes still get the backtest's young generation.
    expect(jobProcessExecArgv(1, 2, [])).toEqual([YOUNG_GEN_FLAG]);
    // The parent's single-threaded GC is not passed on when a core is left over.
    expect(jobProcessExecArgv(1, 4, [SINGLE_THREADED_GC])).toEqual([YOUNG_GEN_FLAG]);
  });

  it('describes the plan for the log, without loader arguments', () => {
    const p = planJobProcesses(2, {}, 2, ['--import', 'file:///x/tsx/loader.mjs', YOUNG_GEN_FLAG]);
    expect(describeJobProcesses(p)).toBe(`2 job process(es) on 2 core(s), node ${YOUNG_GEN_FLAG} ${SINGLE_THREADED_GC}`);
    expect(WORKER_ENTRY.endsWith('src/cli/sweep/workerEntry.mjs')).toBe(true);
  });
});
