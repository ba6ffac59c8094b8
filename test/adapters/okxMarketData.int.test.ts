/**
 * OKX v5 `books`/`trades`/`tickers` feed against the local OKX emulator replaying the real cryptofeed
 * capture (data/cryptofeed/OKX.ws.1.0: BTC-USDT spot, BTC-USD-220527 inverse future, UNI-USD-SWAP).
 * The oracle is OKX's own CRC32 checksum in every captured books update: a correct book verifies all
 * of them; a corrupted checksum or a dropped update is a `checksum` gap, followed by a resubscription,
 * a fresh snapshot and checksums verified again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OkxMarketData } from '../../src/adapters/okx/OkxMarketData.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import type { Gap, MarketEvent } from '../../src/model/market.ts';
import { waitFor } from './bookOracle.ts';
import { OKX_DIR, okxSpecs } from './okxSpecs.ts';

const INST = ['BTC-USDT', 'BTC-USD-220527', 'UNI-USD-SWAP'];
let emu: OkxEmulator | undefined;
let md: OkxMarketData | undefined;
afterEach(async () => { md?.stop(); await emu?.close(); md = undefined; emu = undefined; });

function harness(wsUrl: string, instIds: readonly string[] = INST) {
  const gaps: Gap[] = [];
  const kinds = { book: 0, trade: 0, bbo: 0 };
  const feed = new OkxMarketData({
    wsUrl, instruments: okxSpecs(instIds), clockUs: wallClockUs(), backoffInitialMs: 20,
    onEvents: (events: MarketEvent[]) => { for (const e of events) { if (e.kind === 'gap') gaps.push(e); else if (e.kind in kinds) kinds[e.kind as keyof typeof kinds]++; } },
  });
  return { feed, gaps, kinds };
}

describe('OKX v5 public feed against the emulator', () => {
  it('verifies OKX\'s checksum on every books message of the capture (snapshot and updates)', async () => {
    const capture = loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, INST);
    const books = capture.messages.filter((m) => m.channel === 'books').length;
    emu = new OkxEmulator({ capture, speed: 4, paused: true });
    const h = harness((await emu.start()).ws);
    md = h.feed;
    md.start();
    await waitFor(() => emu!.stats.subscribes === 9, 5000, 'the 9 subscriptions');
    emu.resume();
    await waitFor(() => emu!.remaining === 0, 20_000, 'the whole capture replayed');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.gaps).toEqual([]);
    // 290 books pushes in the capture for these three instruments (grep -c '"channel":"books",...},"action"'), each checksummed.
    expect(books).toBe(290);
    expect(md.checksums.checked).toBe(books);
    expect(md.checksums.matched).toBe(books);
    expect(md.stats.snapshots).toBe(3);
    expect(h.kinds.trade).toBeGreaterThan(0);
    expect(h.kinds.bbo).toBeGreaterThan(0);
  }, 30_000);

  it('a corrupted checksum and a dropped update are checksum gaps, resynced by resubscribing; a disconnect reconnects', async () => {
    emu = new OkxEmulator({ capture: loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']), speed: 1 });
    const h = harness((await emu.start()).ws, ['BTC-USDT']);
    md = h.feed;
    md.start();
    await waitFor(() => md!.checksums.matched >= 5, 10_000, 'first 5 verified checksums');

    emu.faults.corruptChecksums = 1;
    await waitFor(() => h.gaps.length === 1 && md!.stats.snapshots === 2, 10_000, 'checksum gap and a new snapshot');
    expect(h.gaps[0]!.reason).toBe('checksum');
    expect(emu.stats.unsubscribes).toBe(1);
    let matched = md.checksums.matched;
    await waitFor(() => md!.checksums.matched >= matched + 5, 10_000, '5 more verified checksums after the resync');

    emu.faults.dropBookUpdates = 1;
    await waitFor(() => h.gaps.length === 2 && md!.stats.snapshots === 3, 10_000, 'a dropped update caught by the next checksum');
    expect(h.gaps[1]!.reason).toBe('checksum');
    matched = md.checksums.matched;
    await waitFor(() => md!.checksums.matched >= matched + 3, 10_000, 'verified checksums after the second resync');

    emu.disconnectMarket();
    await waitFor(() => md!.stats.connects === 2 && md!.stats.snapshots === 4, 10_000, 'reconnect and a snapshot on the new connection');
    expect(h.gaps.filter((g) => g.reason === 'disconnect')).toHaveLength(1);
    matched = md.checksums.matched;
    await waitFor(() => md!.checksums.matched >= matched + 3, 10_000, 'verified checksums after the reconnect');
    expect(md.checksums.checked).toBe(md.checksums.matched);
    expect(md.isSynced('BTC-USDT')).toBe(true);
  }, 60_000);

  it('a silent feed is reported stale, reconnected with backoff and resynced from a new snapshot', async () => {
    emu = new OkxEmulator({ capture: loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']), speed: 1 });
    const gaps: Gap[] = [];
    md = new OkxMarketData({
      wsUrl: (await emu.start()).ws, instruments: okxSpecs(['BTC-USDT']), clockUs: wallClockUs(), staleAfterMs: 300, backoffInitialMs: 20,
      onEvents: (events) => { for (const e of events) if (e.kind === 'gap') gaps.push(e); },
    });
    md.start();
    await waitFor(() => md!.checksums.matched >= 3, 10_000, 'first verified checksums');
    emu.faults.stallMarket = true;
    await waitFor(() => gaps.some((g) => g.reason === 'stale'), 5000, 'a stale gap');
    emu.faults.stallMarket = false;
    await waitFor(() => md!.stats.connects >= 2 && md!.stats.snapshots >= 2 && md!.checksums.matched >= 3, 10_000, 'reconnect, snapshot and verified checksums');
    expect(gaps.filter((g) => g.reason === 'stale').length).toBeGreaterThanOrEqual(1); // a quiet stretch of the capture may trip the 300 ms limit again
    expect(gaps.filter((g) => g.reason === 'checksum' || g.reason === 'sequence')).toEqual([]);
  }, 30_000);
});
