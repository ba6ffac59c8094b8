/**
 * `hft emulator --venue bybit`: serves the legacy capture translated into v5 with order entry for the
 * demo keys (linear and the spot stand-in of each replayed symbol), and refuses bad usage naming the flag.
 */
import { describe, expect, it } from 'vitest';
import { createBybitCcxt } from '../../src/adapters/bybit/bybitCcxt.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, emulatorCommand } from '../../src/cli/commands/emulator.ts';
import { isHftError } from '../../src/core/errors.ts';
import { waitFor } from '../core/waitFor.ts';

const CAPTURE = '/work/shared/data/cryptofeed/BYBIT.ws.25.0';
const io = (lines: string[]) => ({ out: (l: string) => { lines.push(l); }, err: (l: string) => { lines.push(l); }, env: {} as Record<string, string>, cwd: process.cwd(), isTTY: false });

describe('hft emulator --venue bybit', () => {
  it('serves the v5 feed and order entry for the demo keys until --for ends', async () => {
    const lines: string[] = [];
    const done = emulatorCommand.run(['--venue', 'bybit', '--capture', CAPTURE, '--inst', 'ETHUSDT', '--for', '2'], io(lines));
    await waitFor(() => lines.length >= 2, 5000, 'the start lines');
    expect(lines[0]).toMatch(/^emulator: bybit ws ws:\/\/127\.0\.0\.1:\d+\/v5\/public\/linear {2}\(293 v5 messages translated from the legacy capture, ETHUSDT, speed 1x\)$/);
    expect(lines[1]).toMatch(/order entry: bybit-linear:ETHUSDT, bybit-spot:ETHUSDT\)$/);
    const rest = /rest (http:\/\/127\.0\.0\.1:\d+)/.exec(lines[1]!)![1]!;
    const client = createBybitCcxt({ apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: rest });
    const wallet = await client.privateGetV5AccountWalletBalance({ accountType: 'UNIFIED' }) as { result: { list: { coin: { coin: string; walletBalance: string }[] }[] } };
    expect(wallet.result.list[0]!.coin.map((c) => [c.coin, c.walletBalance])).toEqual([['USDT', '100000'], ['ETH', '10']]);
    expect(await done).toBe(0);
    expect(lines.at(-1)).toMatch(/^emulator: stopped \(\d+ messages not replayed\)$/);
  }, 30_000);

  it('needs one --capture, and --position is Binance futures only', async () => {
    await expect(emulatorCommand.run(['--venue', 'bybit'], io([]))).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_USAGE') && /--venue bybit needs one --capture file/.test((e as Error).message));
    await expect(emulatorCommand.run(['--venue', 'bybit', '--capture', CAPTURE, '--position', '1@2'], io([]))).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_USAGE') && /--position is an option of --venue binance/.test((e as Error).message));
  });
});
