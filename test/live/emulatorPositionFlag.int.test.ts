/**
 * `hft emulator --position QTY@PRICE`: a USDⓈ-M emulator started from the command line on the real
 * 2024-08-08 BTCUSDT capture answers the signed positionRisk with that position (what a user trying
 * the live start's position refusal by hand sees), and bad values are refused naming the flag.
 */
import { describe, expect, it } from 'vitest';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, parsePosition } from '../../src/cli/commands/emulator.ts';
import { main } from '../../src/cli/main.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { instrument } from '../../src/model/instrument.ts';

const USDM = '/work/shared/data/binance-capture/usdm/btcusdt_20240808.gz';

describe('hft emulator --position', () => {
  it('parses a signed quantity and a price, and names the flag on anything else', () => {
    expect(parsePosition('-0.010@56000.1')).toEqual({ positionAmt: '-0.010', entryPrice: '56000.1' });
    expect(parsePosition('3@60000')).toEqual({ positionAmt: '3', entryPrice: '60000' });
    for (const bad of ['-0.010', '@56000', '1@-5', '1e3@5', 'x@1', '1@']) expect(() => parsePosition(bad)).toThrow(/--position must be QTY@PRICE/);
  });

  it('starts a USDⓈ-M account holding the position, reported by the signed positionRisk', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const done = main(['emulator', '--capture', USDM, '--speed', '5', '--for', '4', '--position=-0.010@56000.1'], {
      out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: process.cwd(), isTTY: false,
    });
    const until = Date.now() + 15_000;
    while (!out.some((l) => l.startsWith('emulator: rest'))) {
      if (Date.now() > until) throw new Error(`emulator did not start: ${err.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const rest = /rest (\S+)/.exec(out.find((l) => l.startsWith('emulator: rest'))!)![1]!;
    const spec = captureInstruments.find((s) => s.id === 'binance-usdm:BTCUSDT')!;
    const product = BINANCE_PRODUCT_OF_VENUE[spec.venue]!;
    const client = createBinanceCcxt({ product, apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: rest, timeoutMs: 2000 });
    const exec = new BinanceExecution({
      product, client, restUrl: rest, wsUrl: rest.replace('http', 'ws'), apiKey: EMULATOR_DEMO_KEY, instruments: [instrument(spec)], clockUs: wallClockUs(), onReport: () => {},
    });
    expect(await exec.fetchPositions()).toEqual([{ instrument: 'binance-usdm:BTCUSDT', quantity: '-0.010', positionSide: 'BOTH', entryPrice: '56000.1' }]);
    expect(await done).toBe(0);
  }, 30_000);

  it('is refused on spot and on OKX, naming why', async () => {
    const refused = async (argv: string[]): Promise<string> => {
      const err: string[] = [];
      expect(await main(argv, { out: () => {}, err: (l) => err.push(l), env: {}, cwd: process.cwd(), isTTY: false })).not.toBe(0);
      return err.join('\n');
    };
    expect(await refused(['emulator', '--capture', '/work/shared/data/binance-capture/spot/btcusdt_20240808.gz', '--for', '1', '--position', '1@1'])).toMatch(/--position: the capture .*spot\/btcusdt_20240808.gz is binance-spot, and spot has no positions/);
    expect(await refused(['emulator', '--venue', 'okx', '--capture', '/work/shared/data/cryptofeed/OKX.ws.1.0', '--position', '1@1'])).toMatch(/--position is an option of --venue binance/);
    expect(await refused(['emulator', '--capture', USDM, '--position', '1.5'])).toMatch(/--position must be QTY@PRICE/);
  }, 30_000);
});
