/**
 * Bybit ETHUSDT linear as the Bybit emulator tests run it: the instrument (the capture's own spec),
 * the legacy 2021 capture translated into v5 shape, and a market-maker scenario on it written into a
 * test's folder. Shared by bybitSession and bybitEndToEnd so both trade the same scenario.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bybitCaptureInstruments } from '../../src/adapters/bybit/bybitCaptureInstruments.ts';
import { loadBybitLegacyCapture } from '../../src/cli/emulator/bybitCapture.ts';

const DIR = '/work/shared/data/cryptofeed';
export const bybitEthSpec = bybitCaptureInstruments.find((s) => s.id === 'bybit-linear:ETHUSDT')!;
export const bybitEthCapture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, [bybitEthSpec], ['ETHUSDT']);

/** Writes the market maker on bybit-linear:ETHUSDT (the capture's fees: maker -0.025%, taker 0.075%) into `cwd`; returns its path. */
export function writeBybitMmScenario(cwd: string): string {
  const spec = bybitEthSpec;
  const path = join(cwd, 'mm-bybit-ethusdt.json');
  writeFileSync(path, JSON.stringify({
    name: 'mm-bybit-ethusdt', description: 'market making on Bybit ETHUSDT linear (emulator, legacy capture translated to v5)', seed: 42,
    data: { sources: [{ format: 'cryptofeed', instrument: spec.id, files: [`${DIR}/BYBIT.ws.25.0`] }], localClockOffsetUs: 0, minFeedLatencyUs: 0 },
    fees: { [spec.id]: { makerFeeRate: spec.makerFeeRate, takerFeeRate: spec.takerFeeRate } },
    venue: { latency: { model: 'constant', entryUs: 5000, responseUs: 5000 }, queue: { model: 'probabilistic', prob: 'power3', n: 3 }, fillMode: 'partial' },
    strategies: [{ id: 'mm', type: 'market-maker', instruments: [spec.id], params: { model: 'simple', orderSize: '0.01', maxPosition: '0.1', levels: 1, halfSpreadTicks: 0.5, skewTicksAtMax: 3, requoteThresholdTicks: 1, refreshIntervalUs: 1000000 } }],
    risk: { tradingState: 'ACTIVE', maxOrderNotional: '1000', maxPositionNotional: '1500', maxOpenOrders: 10, rateLimit: { ordersPerSecond: 5, burst: 10 }, priceBandBps: 50, maxBookAgeUs: 5000000, dailyLossLimit: '200', maxDrawdown: '300' },
    accounting: { equityIntervalUs: 1000000, initialBalances: { USDT: '10000' } },
  }, null, 2));
  return path;
}
