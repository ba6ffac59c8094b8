/**
 * The Binance futures emulator the position tests run against (adopt, drift, reconciliation): one per
 * test, on the real capture file given, optionally starting with a position, closed after the test.
 */
import { afterEach } from 'vitest';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET } from '../../src/cli/commands/emulator.ts';
import { loadBinanceCapture } from '../../src/cli/emulator/binanceCapture.ts';
import { BinanceSpotEmulator, type EmulatorOptions } from '../../src/cli/emulator/BinanceSpotEmulator.ts';

export const DATA = '/work/shared/data/binance-capture';
export const credentials = { apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET };

/** Registers the afterEach that closes it; returns the starter. */
export function emulatorPerTest(): (file: string, position?: EmulatorOptions['position']) => Promise<BinanceSpotEmulator> {
  let emu: BinanceSpotEmulator | undefined;
  afterEach(async () => { await emu?.close(); emu = undefined; });
  return async (file, position) => {
    emu = new BinanceSpotEmulator({ capture: loadBinanceCapture([file]), speed: 5, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET, ...(position ? { position } : {}) });
    await emu.start();
    return emu;
  };
}
