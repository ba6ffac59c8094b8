/**
 * The kill switch's race (issue #8, seen once on OKX): an order the live process sent just before the
 * halt reaches the venue after `hft kill`'s look found zero open orders. Made deterministic with the
 * emulator's `holdOrdersForLooks` fault: the order POST is held until kill's second look at the open
 * orders (its inventory before the signal, then its check after the cancel-all) has been answered,
 * so the venue accepts it right after kill saw zero.
 *
 * The live process is a stand-in (a small node script with the same pid-file contract as `hft live`:
 * one signed order, then SIGTERM handled one of three ways), so the timing is the test's, not a
 * market maker's. The venue's open orders are read at the moment kill returns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { killCommand, killRun } from '../../src/cli/commands/kill.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE = [join(ROOT, 'data/binance-capture/spot/btcusdt_20240808.gz')];
const env = { HFT_BINANCE_API_KEY: EMULATOR_DEMO_KEY, HFT_BINANCE_API_SECRET: EMULATOR_DEMO_SECRET };

/**
 * The live process's stand-in: places one resting BUY (price far below the market), prints `sent`,
 * and on SIGTERM: `cancel` waits for the order's answer, cancels it and exits (what hft live does);
 * `exit` exits at once, its order still in flight (a process that dies before it can cancel);
 * `ignore` keeps running (a stuck process).
 */
const STAND_IN = `
import { createHmac } from 'node:crypto';
const { REST, KEY, SECRET, CID, ON_TERM } = process.env;
const signed = async (method, path, params) => {
  const q = new URLSearchParams({ ...params, timestamp: String(Date.now()), recvWindow: '60000' }).toString();
  const r = await fetch(REST + path + '?' + q + '&signature=' + createHmac('sha256', SECRET).update(q).digest('hex'), { method, headers: { 'X-MBX-APIKEY': KEY } });
  return r.json();
};
const placed = signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '10000.00', newClientOrderId: CID });
process.on('SIGTERM', async () => {
  if (ON_TERM === 'ignore') return;
  if (ON_TERM === 'cancel') { await placed; await signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: CID }); }
  process.exit(0);
});
setInterval(() => {}, 1000);
console.log('sent');
`;

let emu: BinanceSpotEmulator;
let cwd: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'hft-kill-race-'));
  mkdirSync(join(cwd, '.hft/live'), { recursive: true });
  emu = await startEmulator({ captures: CAPTURE, speed: 1, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, cwd);
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await emu?.close();
});

/** Starts the stand-in as live run `runId` and resolves once its order POST is held by the venue. */
async function liveRunWithOrderInFlight(runId: string, onTerm: 'cancel' | 'exit' | 'ignore'): Promise<{ cid: string; exited: Promise<number | null> }> {
  const cid = `race${runId}`;
  const held = emu.stats.ordersHeld;
  emu.faults.holdOrdersForLooks = 2;
  const child = spawn(process.execPath, ['--input-type=module', '-e', STAND_IN], {
    env: { ...process.env, REST: emu.url.rest, KEY: EMULATOR_DEMO_KEY, SECRET: EMULATOR_DEMO_SECRET, CID: cid, ON_TERM: onTerm }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  writeFileSync(join(cwd, '.hft/live', `${runId}.json`), JSON.stringify({ pid: child.pid, runId, venue: 'binance-spot', restUrl: emu.url.rest, sandbox: false, symbols: ['BTCUSDT'] }));
  const deadline = Date.now() + 10_000;
  while (emu.stats.ordersHeld === held) {
    if (Date.now() > deadline) throw new Error('the stand-in never sent its order');
    await new Promise((r) => setTimeout(r, 5));
  }
  emu.faults.holdOrdersForLooks = 0;
  return { cid, exited };
}

describe('hft kill against an order the venue accepts after kill saw zero open orders', () => {
  it('waits for the live process, which cancels the late order on its way out: zero open orders at return', async () => {
    const { cid, exited } = await liveRunWithOrderInFlight('lrace1', 'cancel');
    const lines: string[] = [];
    const code = await killCommand.run(['lrace1'], { out: (l) => { lines.push(l); }, err: (l) => { lines.push(l); }, env, cwd, isTTY: false });
    const openAtReturn = emu.openOrderIds();
    expect(emu.ordersWithClientId(cid)).toBe(1); // the venue did accept it, after kill's first zero
    expect(openAtReturn).toEqual([]);
    expect(code, lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toMatch(/open orders 0 -> 0 after \d+ ms; waiting for the live process \d+ to exit/);
    expect(lines.join('\n')).toMatch(/process \d+ signaled, exited after \d+ ms; open orders on the venue: 0 -> 0 after/);
    expect(await exited).toBe(0);
  }, 30_000);

  it('cancels the late order itself when the live process died without canceling it', async () => {
    const { cid, exited } = await liveRunWithOrderInFlight('lrace2', 'exit');
    const k = await killRun('lrace2', { out: () => {}, err: () => {}, env, cwd, isTTY: false });
    const openAtReturn = emu.openOrderIds();
    expect(emu.ordersWithClientId(cid)).toBe(1);
    expect(openAtReturn).toEqual([]);
    expect(k.firstZeroMs).toBeDefined();
    expect(k.exitedAfterMs).toBeGreaterThan(0);
    expect(k.openOrders).toBe(0);
    expect(k.canceledByKill).toBe(1);
    expect(k.elapsedMs).toBeLessThan(1000);
    expect(await exited).toBe(0);
  }, 30_000);

  it('says so and exits 1 when the live process outlives the wait, still canceling what it finds', async () => {
    const { cid } = await liveRunWithOrderInFlight('lrace3', 'ignore');
    const lines: string[] = [];
    const code = await killCommand.run(['lrace3', '--wait', '0.3'], { out: (l) => { lines.push(l); }, err: (l) => { lines.push(l); }, env, cwd, isTTY: false });
    const openAtReturn = emu.openOrderIds();
    expect(emu.ordersWithClientId(cid)).toBe(1);
    expect(openAtReturn).toEqual([]);
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/process \d+ signaled, STILL RUNNING 300 ms after SIGTERM; open orders on the venue: 0 -> 0/);
    expect(text).toMatch(/may still send orders: stop it \(kill -9 \d+;/);
    expect(text).toContain('(1 canceled by kill)');
  }, 30_000);

  it('refuses a --wait that is not a number of seconds', async () => {
    await expect(killCommand.run(['lrace1', '--wait', 'soon'], { out: () => {}, err: () => {}, env, cwd, isTTY: false })).rejects.toThrow(/--wait: expected seconds >= 0, got 'soon'/);
  });
});
