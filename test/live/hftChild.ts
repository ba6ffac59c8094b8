/** Runs `hft` as a real child process for CLI-level tests; every child is SIGKILLed after the file's tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

const HFT = join(resolve(import.meta.dirname, '../..'), 'src/cli/hft.mjs');

export interface Child { readonly proc: ChildProcess; readonly out: () => string; readonly err: () => string; readonly exit: Promise<number | null> }

const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });

/** Live trading stays disabled in these children (HFT_ENABLE_LIVE emptied) unless a test sets it itself. */
export function hft(args: readonly string[], cwd: string): Child {
  const proc = spawn(process.execPath, [HFT, ...args], { cwd, env: { ...process.env, HFT_ENABLE_LIVE: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = ''; let err = '';
  proc.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  proc.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, err: () => err, exit };
}
