/** `hft serve` as a process: tokens from the environment, 127.0.0.1 by default, clean stop on SIGTERM. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTokens } from '../../src/cli/server/tokens.ts';
import { ROOT, runDemo, type DemoRun } from '../report/demoRun.ts';

const HFT = join(ROOT, 'src/cli/hft.mjs');
const TRADER = 'trader-0123456789abcdef';

function serve(args: string[], env: Record<string, string>): { out: Promise<string>; child: ReturnType<typeof spawn>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [HFT, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const out = new Promise<string>((resolve) => {
    child.stdout!.on('data', (d) => { text += String(d); if (text.includes('\n')) resolve(text); });
    child.stderr!.on('data', (d) => { text += String(d); });
    child.on('exit', () => resolve(text));
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out, child, exit };
}

describe('hft serve', () => {
  let demo: DemoRun;
  beforeAll(async () => { demo = await runDemo(); }, 180_000);

  it('listens on 127.0.0.1, serves the run to a token from HFT_TOKENS and stops on SIGTERM', async () => {
    const s = serve(['--store', demo.storeUri, '--port', '0'], { HFT_TOKENS: `${TRADER}:trader` });
    const line = await s.out;
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
    expect(url, line).toBeDefined();
    const r = await fetch(`${url}/api/runs/${demo.runId}/positions`, { headers: { authorization: `Bearer ${TRADER}` } });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { positions: unknown[] }).positions).toHaveLength(1);
    expect(line).not.toContain(TRADER);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  }, 60_000);

  it('refuses to start without HFT_TOKENS, saying how to set it', async () => {
    const s = serve(['--store', demo.storeUri, '--port', '0'], { HFT_TOKENS: '' });
    const text = await s.out;
    expect(await s.exit).not.toBe(0);
    expect(text).toMatch(/HFT_ERR_CONFIG: HFT_TOKENS is not set/);
  }, 60_000);
});

describe('token table', () => {
  it('names the bad entry by its index and never echoes a token', () => {
    expect(() => parseTokens('short-token:viewer')).toThrow(/entry 1: token has 11 characters, at least 16/);
    expect(() => parseTokens(`${TRADER}:admin`)).toThrow(/entry 1: role must be viewer or trader, got 'admin'/);
    expect(() => parseTokens(`${TRADER}:trader,${TRADER}x`)).toThrow(/entry 2/);
    try { parseTokens(`${TRADER}:admin`); } catch (e) { expect((e as Error).message).not.toContain(TRADER); }
  });
});
