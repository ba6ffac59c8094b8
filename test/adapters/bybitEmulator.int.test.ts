/**
 * The Bybit emulator's public side. The legacy 2021 v2 capture (BYBIT.ws.25.0) is translated into v5
 * `orderbook.50` / `publicTrade` (bybitCapture.ts): here the translation is checked against the raw v2
 * book rebuilt independently (id-keyed, straight from the capture's JSON), BybitMarketData (the live v5
 * feed) syncs to the replay with no gap and resyncs after a dropped delta, and ccxt's `bybit`
 * loadMarkets reads the emulator's instruments-info.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BybitBookSync } from '../../src/adapters/bybit/BybitBookSync.ts';
import { createBybitCcxt } from '../../src/adapters/bybit/bybitCcxt.ts';
import { BybitMarketData, bybitLookup } from '../../src/adapters/bybit/BybitMarketData.ts';
import { bybitLegacySpecs, loadBybitLegacyCapture, spotStandIn } from '../../src/cli/emulator/bybitCapture.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { BookFlag, Side, type MarketEvent } from '../../src/model/market.ts';
import { waitFor } from '../core/waitFor.ts';

const DIR = '/work/shared/data/cryptofeed';
const specs = bybitLegacySpecs(`${DIR}/BYBIT.0`);
const eth = specs.find((s) => s.symbol === 'ETHUSDT')!;
let emu: BybitEmulator | undefined;
let md: BybitMarketData | undefined;
afterEach(async () => { md?.stop(); md = undefined; await emu?.close(); emu = undefined; });

/** price ticks -> size lots per side, from book rows (a Clear row starts over). */
function bookOf(rows: Iterable<MarketEvent>): { bids: Map<number, number>; asks: Map<number, number> } {
  const bids = new Map<number, number>(); const asks = new Map<number, number>();
  for (const r of rows) {
    if (r.kind !== 'book') continue;
    if (r.flags & BookFlag.Clear) { bids.clear(); asks.clear(); }
    const side = r.side === Side.Bid ? bids : asks;
    if (r.sizeLots === 0) side.delete(r.priceTicks); else side.set(r.priceTicks, r.sizeLots);
  }
  return { bids, asks };
}

describe('the legacy capture translated into v5', () => {
  it('rebuilds, for every symbol, the same final book as the raw v2 messages (sizes on the qty step), with every delta chained (no gap)', () => {
    const capture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, specs);
    expect([...capture.symbols].sort()).toEqual(['ADAUSDT', 'BCHUSDT', 'DOTUSDT', 'ETHUSDT', 'LINKUSDT', 'LTCUSDT', 'UNIUSDT', 'XTZUSDT']);
    const lookup = bybitLookup(specs.filter((s) => capture.symbols.includes(s.symbol)));
    const sync = new BybitBookSync(lookup);
    const rows: MarketEvent[] = [];
    for (const m of capture.messages) if (m.kind === 'orderbook') rows.push(...sync.map(m.msg, 0));
    expect(rows.filter((r) => r.kind === 'gap')).toEqual([]);
    expect(sync.stats.snapshots).toBe(8);
    // The raw v2 book, id-keyed, from the capture's JSON lines.
    const raw = new Map<string, Map<string, { price: string; side: string; size: number }>>();
    for (const line of readFileSync(`${DIR}/BYBIT.ws.25.0`, 'utf8').split('\n')) {
      const m = /^\d+(?:\.\d+)?: (\{"topic":"orderBookL2_25\.(\w+)".*)$/.exec(line);
      if (!m) continue;
      const msg = JSON.parse(m[1]!) as { type: string; data: Record<string, { id: string; price: string; side: string; size?: number }[]> };
      if (msg.type === 'snapshot') raw.set(m[2]!, new Map(msg.data.order_book!.map((l) => [l.id, { price: l.price, side: l.side, size: l.size! }])));
      const b = raw.get(m[2]!);
      if (!b || msg.type === 'snapshot') continue;
      for (const l of msg.data.delete ?? []) b.delete(l.id);
      for (const l of [...(msg.data.update ?? []), ...(msg.data.insert ?? [])]) b.set(l.id, { price: l.price, side: l.side, size: l.size! });
    }
    for (const symbol of capture.symbols) {
      const inst = lookup(symbol);
      const got = bookOf(rows.filter((r) => r.instrument === inst.id));
      const step = Number(inst.lotSize);
      const want = { bids: new Map<number, number>(), asks: new Map<number, number>() };
      for (const l of raw.get(symbol)!.values()) (l.side === 'Buy' ? want.bids : want.asks).set(inst.tick.toUnits(l.price), Math.round(l.size / step));
      expect(got).toEqual(want);
    }
  });
});

describe('BybitMarketData on the emulator', () => {
  it('gets a snapshot then every delta of the capture, no gap, the same rows the translation gives offline', async () => {
    const capture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, [eth], ['ETHUSDT']);
    emu = new BybitEmulator({ capture, speed: 4, startOnSubscribe: true });
    const { ws } = await emu.start();
    const events: MarketEvent[] = [];
    md = new BybitMarketData({ wsUrl: ws, instruments: [eth], clockUs: wallClockUs(), onEvents: (e) => events.push(...e) });
    md.start();
    await waitFor(() => emu!.remaining === 0, 15_000, 'the whole capture replayed');
    await new Promise((r) => setTimeout(r, 200));
    expect(md.stats.gaps).toEqual({ sequence: 0, checksum: 0, disconnect: 0, stale: 0 });
    expect(md.stats.snapshots).toBe(1);
    const offline = new BybitBookSync(bybitLookup([eth]));
    const want: MarketEvent[] = [];
    for (const m of capture.messages) if (m.kind === 'orderbook') want.push(...offline.map(m.msg, 0));
    const strip = (r: MarketEvent) => (r.kind === 'book' ? [r.side, r.priceTicks, r.sizeLots, r.flags, r.updateId] : r.kind);
    expect(events.filter((r) => r.kind === 'book').map(strip)).toEqual(want.filter((r) => r.kind === 'book').map(strip));
    expect(events.filter((r) => r.kind === 'trade')).toHaveLength(capture.messages.filter((m) => m.kind === 'publicTrade').reduce((a, m) => a + (m.msg.data as unknown[]).length, 0));
  }, 30_000);

  it('a dropped delta is a sequence gap; the feed resubscribes and the new snapshot resyncs it', async () => {
    const capture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, [eth], ['ETHUSDT']);
    emu = new BybitEmulator({ capture, speed: 2 });
    const { ws } = await emu.start();
    md = new BybitMarketData({ wsUrl: ws, instruments: [eth], clockUs: wallClockUs(), onEvents: () => {} });
    md.start();
    await waitFor(() => md!.isSynced('ETHUSDT'), 10_000, 'synced');
    emu.faults.dropBookUpdates = 1;
    await waitFor(() => md!.stats.gaps.sequence === 1, 10_000, 'the gap');
    await waitFor(() => md!.stats.snapshots === 2 && md!.isSynced('ETHUSDT'), 10_000, 'resynced');
    expect(emu.stats.updatesDropped).toBe(1);
    expect(emu.stats.unsubscribes).toBe(1);
  }, 30_000);
});

describe('ccxt bybit loadMarkets on the emulator', () => {
  it('reads the linear and spot instruments-info answers into markets with the capture\'s tick and step', async () => {
    const capture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, [eth], ['ETHUSDT']);
    emu = new BybitEmulator({ capture, speed: 1, paused: true, account: { apiKey: 'k', secret: 's', instruments: [eth, spotStandIn(eth)] } });
    const { rest } = await emu.start();
    const linear = createBybitCcxt({ restUrl: rest, category: 'linear' });
    const lm = await linear.loadMarkets();
    expect(Object.keys(lm)).toEqual(['ETH/USDT:USDT']);
    expect(lm['ETH/USDT:USDT']!.precision).toMatchObject({ price: 0.05, amount: 0.01 });
    expect(lm['ETH/USDT:USDT']!.linear).toBe(true);
    const spot = createBybitCcxt({ restUrl: rest, category: 'spot' });
    const sm = await spot.loadMarkets();
    expect(Object.keys(sm)).toEqual(['ETH/USDT']);
    expect(sm['ETH/USDT']!.precision).toMatchObject({ price: 0.05, amount: 0.01 });
  }, 30_000);
});
