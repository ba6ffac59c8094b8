/**
 * The bench's scenario (shared by index.ts and profile.ts): a market maker quoting at the touch with a
 * one-tick requote threshold, so it requotes on every BBO change.
 */
import { parseScenario } from '../../src/engine/scenario.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import type { NewEvent } from '../../src/model/events.ts';

export const INSTRUMENT = 'binance-spot:BTCUSDT';

export function benchScenario(withStrategy: boolean): ReturnType<typeof parseScenario> {
  return parseScenario({
    name: 'bench-mm', seed: 7,
    data: { sources: [{ format: 'tickstore', instrument: INSTRUMENT, files: ['.'] }], localClockOffsetUs: 1_300_000, minFeedLatencyUs: 500 },
    fees: { [INSTRUMENT]: { makerFeeRate: '0', takerFeeRate: '0.0004' } },
    venue: { latency: { model: 'constant', entryUs: 5000, responseUs: 5000 }, queue: { model: 'probabilistic', prob: 'power3', n: 3 }, fillMode: 'partial' },
    strategies: [{
      id: 'mm', type: 'market-maker', instruments: [INSTRUMENT],
      // Requotes on every BBO change: quotes at the touch, threshold one tick.
      params: withStrategy
        ? { model: 'simple', orderSize: '0.001', maxPosition: '0.01', levels: 1, halfSpreadTicks: 0.5, skewTicksAtMax: 3, requoteThresholdTicks: 1 }
        // books-only stage: a strategy that never quotes (position cap of zero lots)
        : { model: 'simple', orderSize: '0.001', maxPosition: '0', levels: 1, halfSpreadTicks: 0.5 },
    }],
    risk: { tradingState: 'ACTIVE', maxOrderNotional: '1000', maxOpenOrders: 10, priceBandBps: 50, maxBookAgeUs: 5_000_000 },
    accounting: { equityIntervalUs: 1_000_000, initialBalances: { USDT: '10000' } },
  }, 'bench scenario');
}

/** A store that drops what it is given: the kernel stage without the log. */
export class NullStore extends MemoryEventStore {
  override async append(_s: string, events: readonly NewEvent[]): Promise<{ revision: number; position: number }> {
    return { revision: events.length, position: events.length };
  }
  override async streamRevision(): Promise<number> { return -1; }
}
