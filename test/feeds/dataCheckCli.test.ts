/** `hft data check` in process: the printed counts on real captures, exit codes, usage errors. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

function io() {
  const out: string[] = []; const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, cwd: '/work/shared/data', isTTY: false } };
}

describe('hft data check', () => {
  it('prints matched/total per instrument and exits 0 when the rebuilt books agree with the venue', async () => {
    const t = io();
    const code = await main(['data', 'check', 'binance-capture/spot/btcusdt_20240809.gz', 'binance-capture/spot/btcusdt_20240808.gz', 'cryptofeed/OKX.ws.1.0'], t.io);
    expect(t.err).toEqual([]);
    expect(code).toBe(0);
    expect(t.out[0]).toBe('spot/btcusdt_20240808.gz + spot/btcusdt_20240809.gz'); // days ordered into one session
    expect(t.out[1]).toMatch(/^ {2}ok {3}binance-spot:BTCUSDT +bookTickers 1072\/1072 matched \(73174 seen\), gaps 0$/);
    expect(t.out).toContain('OKX.ws.1.0');
    expect(t.out.filter((l) => /okx:.* checksums (\d+)\/\1 matched/.test(l))).toHaveLength(3);
  }, 60_000);

  it('fails a session that misses its snapshot day instead of passing it with 0/0', async () => {
    const t = io();
    const code = await main(['data', 'check', 'binance-capture/usdm/btcusdt_20240808.gz', 'binance-capture/spot/btcusdt_20240809.gz'], t.io);
    // The 0809 file alone has no REST snapshot: nothing is checkable, which must not pass as a match.
    expect(t.out.join('\n')).toMatch(/FAIL binance-spot:BTCUSDT +bookTickers 0\/0 matched \(45134 seen\)/);
    expect(t.out.join('\n')).toMatch(/ok {3}binance-usdm:BTCUSDT +bookTickers 629\/629/);
    expect(code).toBe(1);
  }, 60_000);

  it('fails with a usage error naming the problem', async () => {
    const t = io();
    expect(await main(['data', 'check'], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/HFT_ERR_USAGE: give at least one capture file/);
    const t2 = io();
    expect(await main(['data', 'check', 'nope.gz'], t2.io)).toBe(1);
    expect(t2.err[0]).toMatch(/nope\.gz: no such file/);
  });
});
