/**
 * A paper session killed with SIGKILL (a real child process, no chance to clean up) stays checkable:
 * its recording was sealed into content-hashed tick files every second while it ran, each roll logged
 * in stream inputs-<runId>, and `hft parity` replays everything up to the last roll to the identical
 * event stream. `hft promote` refuses such a run (it did not stop cleanly).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/cli/store.ts';
import { collect } from '../../src/eventstore/port.ts';
import { readTickParquet } from '../../src/feeds/tickstore/readTickParquet.ts';
import type { EventData } from '../../src/model/events.ts';
import { hft, type Child } from './hftChild.ts';

const ROOT = resolve(import.meta.dirname, '../..');

async function waitFor(c: Child, re: RegExp, timeoutMs: number, stream: 'out' | 'err' = 'out'): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = (stream === 'out' ? c.out() : c.err()).match(re);
    if (m) return m;
    if (c.proc.exitCode !== null || Date.now() > until) throw new Error(`no ${re} in child output: ${c.out()} ${c.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a paper session killed with SIGKILL', () => {
  it('leaves sealed inputs up to its last roll that hft parity replays to the identical events', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hft-crash-'));
    mkdirSync(join(cwd, 'scenarios'));
    copyFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), join(cwd, 'scenarios/demo-mm-btcusdt.json'));
    const emu = hft(['emulator', '--capture', join(ROOT, 'data/binance-capture/spot/btcusdt_20240808.gz'), '--speed', '10', '--for', '60'], cwd);
    const [, rest, ws] = await waitFor(emu, /rest (http:\/\/127\.0\.0\.1:\d+)\s+ws (ws:\/\/127\.0\.0\.1:\d+)/, 30_000);

    const paper = hft(['paper', 'scenarios/demo-mm-btcusdt.json', '--rest', rest!, '--ws', ws!, '--roll-every', '1', '--store', 'file:store'], cwd);
    const runId = (await waitFor(paper, /paper run (\w+) started/, 30_000, 'err'))[1]!;
    await new Promise((r) => setTimeout(r, 4500));
    paper.proc.kill('SIGKILL');
    await paper.exit;
    expect(paper.proc.signalCode).toBe('SIGKILL');

    const store = await openStore('file:store', { cwd, readOnly: true });
    const run = await collect(store.readStream(`run-${runId}`));
    const rolls = await collect(store.readStream(`inputs-${runId}`));
    await store.close();
    // Really killed: no clean stop was recorded.
    expect(run.some((e) => e.type === 'run.stop-requested' || e.type === 'run.completed' || e.type === 'run.inputs-recorded')).toBe(false);
    expect(rolls.length).toBeGreaterThanOrEqual(2);

    // Every rolled file is on disk with the bytes its roll logged, and decodes to the rows logged.
    const ticks = join(cwd, (rolls[0]!.data as EventData<'run.inputs-recorded'>).tickStore);
    let rowsLogged = 0; let rowsRead = 0;
    for (const e of rolls) {
      for (const d of (e.data as EventData<'run.inputs-recorded'>).datasets) {
        const bytes = readFileSync(join(ticks, d.path));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.sha256);
        rowsLogged += d.rowTo - d.rowFrom;
        for await (const b of readTickParquet(join(ticks, d.path), { instrumentIndex: 0 })) rowsRead += b.length;
      }
    }
    expect(rowsRead).toBe(rowsLogged);
    expect(rowsLogged).toBeGreaterThan(100);

    const parity = hft(['parity', runId, '--store', 'file:store', '--json'], cwd);
    expect(await parity.exit, parity.err()).toBe(0);
    const p = JSON.parse(parity.out()) as { ok: boolean; matchRate: number; compared: number; replayed: number; decisionsAndOrders: { recorded: number; matched: number }; crashed?: { rolls: number; cutUs: number } };
    expect(p.ok).toBe(true);
    expect(p.matchRate).toBe(1);
    expect(p.crashed?.rolls).toBe(rolls.length);
    expect(p.compared).toBe(p.replayed);
    expect(p.decisionsAndOrders.recorded).toBeGreaterThan(5);
    // The replay stops at the last sealed cut: the recorded run events up to there, not beyond.
    expect(p.replayed).toBeLessThanOrEqual(run.length);

    const promote = hft(['promote', runId, '--store', 'file:store'], cwd);
    expect(await promote.exit).not.toBe(0);
    expect(promote.err()).toMatch(/did not stop cleanly/);
    emu.proc.kill('SIGTERM');
    await emu.exit;
  }, 120_000);
});
