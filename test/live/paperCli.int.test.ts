/**
 * The CLI as a user runs it, each verb a child process: `hft emulator --venue okx` replaying the real
 * cryptofeed OKX capture, `hft paper` of the OKX market-maker scenario against it, `hft parity` of that
 * run at 100%; `hft live` refuses the OKX scenario (no OKX order entry). Plus the session instrument
 * sources: the built-in OKX specs against the capture's own instrument list, and an --instruments file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { okxCaptureInstruments } from '../../src/adapters/okx/okxCaptureInstruments.ts';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { loadInstrumentsFile, sessionInstruments } from '../../src/cli/commands/paper.ts';
import { OKX_DIR, okxSpecs } from '../adapters/okxSpecs.ts';
import { hft, type Child } from './hftChild.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE = `${OKX_DIR}/OKX.ws.1.0`;

async function waitFor(c: Child, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = c.out().match(re);
    if (m) return m;
    if (c.proc.exitCode !== null || Date.now() > until) throw new Error(`no ${re} in child output: ${c.out()} ${c.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** BTC-USDT pushes of the capture, counted on the raw lines (the oracle for "the whole capture went through"). */
function capturedPushes(instId: string): number {
  return readFileSync(CAPTURE, 'utf8').split('\n')
    .filter((l) => new RegExp(`"arg":\\{"channel":"(books|trades|tickers)","instId":"${instId}"\\}`).test(l) && !l.includes('"event":')).length;
}

describe('hft emulator --venue okx | hft paper | hft parity, each a child process', () => {
  it('records an OKX BTC-USDT paper session of the whole capture that replays at 100%', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hft-paper-cli-'));
    const emu = hft(['emulator', '--venue', 'okx', '--capture', CAPTURE, '--inst', 'BTC-USDT', '--hold', '--speed', '2', '--for', '50'], cwd);
    const ws = (await waitFor(emu, /okx ws (ws:\/\/127\.0\.0\.1:\d+\/ws\/v5\/public)/, 20_000))[1]!;

    // The capture's 10.7 s replay at 2x take ~5.4 s from the subscription; the feed then falls silent.
    // 9 s leaves room for a slow start and ends the session < 5 s (the stale limit) into the silence:
    // a stale gap here would be a real finding, not the session outliving its data.
    const paper = hft(['paper', join(ROOT, 'scenarios/paper-mm-okx-btcusdt.json'), '--ws', ws, '--duration', '9', '--store', 'file:store', '--json'], cwd);
    expect(await paper.exit, paper.err()).toBe(0);
    const r = JSON.parse(paper.out()) as { runId: string; summary: Record<string, unknown>; feed: { messages: number; snapshots: number; gaps: Record<string, number> } };
    // Every captured push plus OKX's three subscribe answers (books, trades, tickers): --hold replays from the subscription.
    expect(r.feed.messages).toBe(capturedPushes('BTC-USDT') + 3);
    expect(r.feed.snapshots).toBe(1);
    expect(r.feed.gaps).toEqual({ sequence: 0, checksum: 0, disconnect: 0, stale: 0 });
    expect(r.summary.ordersRequested as number).toBeGreaterThan(4);
    expect(r.summary.openOrdersAtEnd).toBe(0);
    expect(r.summary.stopReason).toBe('duration 9s');

    emu.proc.kill('SIGTERM');
    expect(await emu.exit).toBe(0);
    expect(emu.out()).toContain('emulator: stopped (0 messages not replayed)');

    const parity = hft(['parity', r.runId, '--store', 'file:store'], cwd);
    expect(await parity.exit, parity.err()).toBe(0);
    const out = parity.out();
    expect(out).toContain(`parity ${r.runId}: OK`);
    const m = out.match(/decisions\+orders\s+(\d+)\/(\d+) match \(100\.00%\)/);
    expect(m, out).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(Number(m![2])).toBeGreaterThan(8);
    expect(out).toMatch(/fills\s+paper (\d+) \(\d+ lots\), replayed \1 \(\d+ lots\), identical/);
  }, 60_000);

  it('hft live takes the OKX scenario past the venue check (OKX has order entry) and stops at the first guard, HFT_ENABLE_LIVE', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hft-live-cli-'));
    const live = hft(['live', join(ROOT, 'scenarios/paper-mm-okx-btcusdt.json'), '--confirm-live'], cwd);
    expect(await live.exit).toBe(2);
    expect(live.err()).toMatch(/HFT_ERR_CONFIG: live trading is disabled: set HFT_ENABLE_LIVE=1/);
    expect(live.err()).not.toMatch(/order entry/);
  }, 30_000);
});

describe('session instrument specs', () => {
  it('ships the OKX capture instruments exactly as the capture\'s own instrument list (OKX.0) gives them', () => {
    expect(okxCaptureInstruments).toEqual(okxSpecs(okxCaptureInstruments.map((s) => s.symbol)));
  });

  it('reads an OKX /api/v5/public/instruments answer saved as is, and names the field of a bad spec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hft-instruments-'));
    const spotLine = readFileSync(`${OKX_DIR}/OKX.0`, 'utf8').split('\n').find((l) => l.includes('instType=SPOT'))!;
    writeFileSync(join(dir, 'okx-spot.json'), spotLine.slice(spotLine.indexOf(': ') + 2));
    const specs = loadInstrumentsFile('okx-spot.json', dir);
    expect(specs.find((s) => s.id === 'okx:BTC-USDT')).toEqual(okxSpecs(['BTC-USDT'])[0]);

    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ ...okxSpecs(['BTC-USDT'])[0], tickSize: 7 }]));
    expect(() => loadInstrumentsFile('bad.json', dir)).toThrow(/--instruments bad\.json: \[0\]: field 'tickSize'/);
  });

  it('asks for an --instruments file for an instrument without a built-in spec, and refuses two venues in one session', () => {
    const { scenario } = loadScenario(join(ROOT, 'scenarios/paper-mm-okx-btcusdt.json'), ROOT);
    const withInstruments = (ids: string[]) => ({ ...scenario, strategies: [{ ...scenario.strategies[0]!, instruments: ids }] });
    expect(sessionInstruments(scenario, 'okx.json').map((s) => s.id)).toEqual(['okx:BTC-USDT']);
    expect(() => sessionInstruments(withInstruments(['bybit-linear:BTCUSDT']), 'b.json')).toThrow(/HFT_ERR_CONFIG: b\.json: instrument 'bybit-linear:BTCUSDT' has no spec: give it with --instruments <file>/);
    const bybit = { ...okxSpecs(['BTC-USDT'])[0]!, id: 'bybit-linear:BTCUSDT', venue: 'bybit-linear', symbol: 'BTCUSDT', kind: 'linear_perp' as const };
    expect(sessionInstruments(withInstruments(['bybit-linear:BTCUSDT']), 'b.json', [bybit])).toEqual([bybit]);
    expect(() => sessionInstruments(withInstruments(['okx:BTC-USDT', 'binance-usdm:BTCUSDT']), 'two.json')).toThrow(/one venue's feed, the strategies trade on okx, binance-usdm/);
  });
});
