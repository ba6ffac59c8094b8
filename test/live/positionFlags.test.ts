/**
 * The command-line side of adopting and checking positions: `hft live --position-check-every` and
 * `hft paper --start-position` refuse bad values naming the flag (before any venue is reached), and
 * the help of both commands documents the flags.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []; const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { HFT_ENABLE_LIVE: '1' }, cwd: process.cwd(), isTTY: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('position flags', () => {
  it('hft live --position-check-every takes 0 (off) or >= 1 second, naming the flag otherwise', async () => {
    for (const bad of ['0.5', '-1', 'x', '']) {
      const r = await run(['live', 'scenarios/paper-mm-usdm-btcusdt.json', '--confirm-live', `--position-check-every=${bad}`]);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain(`--position-check-every: expected 0 (off) or a number of seconds >= 1 (positionRisk costs request weight 5), got '${bad}'`);
    }
  });

  it('hft live --warm-every-ms= (empty) is refused, not taken as 0 (off)', async () => {
    const r = await run(['live', 'scenarios/paper-mm-usdm-btcusdt.json', '--confirm-live', '--warm-every-ms=']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--warm-every-ms: expected 0 (off) or a number of milliseconds >= 1, got ''");
  });

  it('hft paper --start-position must be INSTRUMENT=QTY@PRICE', async () => {
    const r = await run(['paper', 'scenarios/paper-mm-usdm-btcusdt.json', '--start-position', 'binance-usdm:BTCUSDT=-0.010', '--duration', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--start-position must be INSTRUMENT=QTY@PRICE with a signed decimal quantity and a decimal entry price, e.g. binance-usdm:BTCUSDT=-0.010@56000.1, got 'binance-usdm:BTCUSDT=-0.010'");
  });

  it('the help of hft live and hft paper documents them', async () => {
    const live = await run(['live', '--help']);
    expect(live.out).toMatch(/--adopt-positions/);
    expect(live.out).toMatch(/--position-check-every S .*default 5/s);
    const paper = await run(['paper', '--help']);
    expect(paper.out).toMatch(/--start-position I=Q@P/);
  });
});
