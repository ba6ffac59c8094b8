/**
 * USDⓈ-M and COIN-M market data against the local emulator replaying the real 2024-08-08 captures
 * (`@depth@0ms` diffs chained by `pu == previous u`, `/fapi/v1/depth` and `/dapi/v1/depth` snapshots):
 * the rebuilt book agrees with every checkable bookTicker of the capture, through a dropped diff
 * (sequence gap, resync) and a venue-side disconnect (reconnect with backoff, resync).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceMarketData, type BinanceVenue } from '../../src/adapters/binance/BinanceMarketData.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { bookOracle, waitFor } from './bookOracle.ts';

const DATA = '/work/shared/data/binance-capture';
let emu: BinanceSpotEmulator | undefined;
let md: BinanceMarketData | undefined;
afterEach(async () => { md?.stop(); await emu?.close(); md = undefined; emu = undefined; });

const cases: { venue: BinanceVenue; symbol: string; file: string }[] = [
  { venue: 'binance-usdm', symbol: 'BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz` },
  { venue: 'binance-coinm', symbol: 'BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz` },
];

describe.each(cases)('$venue $symbol feed against the emulator', ({ venue, symbol, file }) => {
  it('syncs from the REST snapshot, survives a dropped diff and a disconnect, and agrees with every checked bookTicker', async () => {
    emu = await startEmulator({ captures: [file], speed: 4, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
    const spec = captureInstruments.find((s) => s.venue === venue && s.symbol === symbol)!;
    const h = bookOracle(spec.id);
    md = new BinanceMarketData({ venue, restUrl: emu.url.rest, wsUrl: emu.url.ws, instruments: [spec], clockUs: wallClockUs(), backoffInitialMs: 20, onEvents: (e) => h.onEvents(e) });
    md.start();
    await waitFor(() => md!.stats.snapshots === 1 && h.oracle.checked >= 20, 20_000, 'first sync and 20 checked bookTickers');
    expect(h.gaps).toEqual([]);

    emu.faults.dropDiffs = 1;
    await waitFor(() => h.gaps.length === 1 && md!.stats.snapshots === 2, 10_000, 'sequence gap and resync');
    expect(h.gaps[0]!.reason).toBe('sequence');
    expect(h.gaps[0]!.detail).toMatch(/expected pu=\d+/); // futures chain rule, not spot's U == u + 1
    const afterGap = h.oracle.checked;
    await waitFor(() => h.oracle.checked >= afterGap + 20, 20_000, '20 more checked bookTickers after the resync');

    emu.disconnectMarket();
    await waitFor(() => md!.stats.connects === 2 && md!.stats.snapshots === 3, 10_000, 'reconnect and resync');
    expect(h.gaps.filter((g) => g.reason === 'disconnect')).toHaveLength(1);
    const afterReconnect = h.oracle.checked;
    await waitFor(() => h.oracle.checked >= afterReconnect + 20, 20_000, '20 more checked bookTickers after the reconnect');

    expect(h.oracle.mismatched).toBe(0);
    expect(h.counts.trade).toBeGreaterThan(0);
    expect(md.isSynced(symbol)).toBe(true);
  }, 90_000);
});
