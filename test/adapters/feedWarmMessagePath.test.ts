/**
 * The live feeds' warm-up of their socket message path (LiveWsFeed.warmMessagePath): before `start`,
 * each venue's feed runs its message handler on a message of its protocol that carries no market
 * event, so the session's first real message does not make the first calls. Nothing may reach the
 * session and no message may be counted: the feed's counters are what `hft live` reports.
 */
import { describe, expect, it, vi } from 'vitest';
import { BinanceMarketData } from '../../src/adapters/binance/BinanceMarketData.ts';
import { BybitMarketData } from '../../src/adapters/bybit/BybitMarketData.ts';
import type { LiveMarketData } from '../../src/adapters/feed/LiveWsFeed.ts';
import { OkxMarketData } from '../../src/adapters/okx/OkxMarketData.ts';
import { BUILTIN_SESSION_INSTRUMENTS } from '../../src/cli/commands/paper.ts';
import type { MarketEvent } from '../../src/model/market.ts';

const spec = (venue: string) => {
  const s = BUILTIN_SESSION_INSTRUMENTS.find((x) => x.venue === venue);
  if (!s) throw new Error(`no built-in instrument for ${venue}`);
  return s;
};
const clockUs = (): number => 1_765_000_000_000_000;

const feeds: [string, (onEvents: (e: MarketEvent[]) => void) => LiveMarketData][] = [
  ['binance-spot', (onEvents) => new BinanceMarketData({ venue: 'binance-spot', restUrl: 'http://127.0.0.1:1', wsUrl: 'ws://127.0.0.1:1', instruments: [spec('binance-spot')], clockUs, onEvents })],
  ['okx', (onEvents) => new OkxMarketData({ wsUrl: 'ws://127.0.0.1:1/ws/v5/public', instruments: [spec('okx')], clockUs, onEvents })],
  ['bybit-linear', (onEvents) => new BybitMarketData({ wsUrl: 'ws://127.0.0.1:1/v5/public/linear', instruments: [spec('bybit-linear')], clockUs, onEvents })],
];

describe.each(feeds)('%s feed warm-up', (_venue, make) => {
  it('runs the message path with nothing reaching the session and no message counted', () => {
    const seen: MarketEvent[][] = [];
    const feed = make((e) => seen.push(e));
    // The feed's own message parse, reached through the socket's handler (onMessage) in the warm-up.
    const onMessage = vi.spyOn(feed as unknown as { onMessage: (raw: Buffer) => void }, 'onMessage');
    const warm = feed.warm;
    expect(warm).toBeTypeOf('function');
    warm!.call(feed, 3);
    expect(onMessage.mock.calls.length).toBeGreaterThanOrEqual(20);
    expect(seen).toEqual([]);
    expect(feed.stats.messages).toBe(0);
    expect(feed.stats.gaps).toEqual({ sequence: 0, checksum: 0, disconnect: 0, stale: 0 });
  });
});
