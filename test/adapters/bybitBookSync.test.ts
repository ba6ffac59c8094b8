/**
 * Bybit v5 orderbook and publicTrade normalizers on small hand-written messages in the documented v5
 * shape (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook): there is no captured v5
 * data in data/, so these show the documented rules, not agreement with the real venue.
 * Expected rows are computed by hand: BTCUSDT linear, tick 0.10, lot 0.001.
 */
import { describe, expect, it } from 'vitest';
import { BybitBookSync } from '../../src/adapters/bybit/BybitBookSync.ts';
import { bybitLookup } from '../../src/adapters/bybit/BybitMarketData.ts';
import { bybitTrades } from '../../src/adapters/bybit/bybitTrade.ts';
import { isHftError } from '../../src/core/errors.ts';
import { BookFlag, Side } from '../../src/model/market.ts';
import type { InstrumentSpec } from '../../src/model/instrument.ts';

const spec: InstrumentSpec = {
  id: 'bybit-linear:BTCUSDT', venue: 'bybit-linear', symbol: 'BTCUSDT', kind: 'linear_perp', base: 'BTC', quote: 'USDT', settle: 'USDT',
  tickSize: '0.10', lotSize: '0.001', contractMultiplier: '1', makerFeeRate: '0.0002', takerFeeRate: '0.00055',
};
const lookup = bybitLookup([spec]);
const snap = (u: number, seq: number, b: string[][], a: string[][]) => ({ topic: 'orderbook.50.BTCUSDT', type: 'snapshot', ts: 1672304484978, data: { s: 'BTCUSDT', b, a, u, seq }, cts: 1672304484976 });
const delta = (u: number, seq: number, b: string[][], a: string[][]) => ({ ...snap(u, seq, b, a), type: 'delta' });

describe('BybitBookSync', () => {
  it('turns a snapshot into Clear|Snapshot rows in ticks and lots, updateId u, tsEvent from cts', () => {
    const s = new BybitBookSync(lookup);
    const rows = [...s.map(snap(18521288, 7961638724, [['16493.50', '0.006'], ['16493.00', '0.100']], [['16611.00', '0.029']]), 5)];
    expect(rows).toEqual([
      { kind: 'book', instrument: spec.id, tsEvent: 1672304484976000, tsRecv: 5, side: Side.Bid, priceTicks: 164935, sizeLots: 6, flags: BookFlag.Snapshot | BookFlag.Clear, updateId: 18521288 },
      { kind: 'book', instrument: spec.id, tsEvent: 1672304484976000, tsRecv: 5, side: Side.Bid, priceTicks: 164930, sizeLots: 100, flags: BookFlag.Snapshot, updateId: 18521288 },
      { kind: 'book', instrument: spec.id, tsEvent: 1672304484976000, tsRecv: 5, side: Side.Ask, priceTicks: 166110, sizeLots: 29, flags: BookFlag.Snapshot | BookFlag.EndOfMessage, updateId: 18521288 },
    ]);
    expect(s.isSynced('BTCUSDT')).toBe(true);
  });

  it('applies a delta whose u follows the last by one; size "0" is a deletion row', () => {
    const s = new BybitBookSync(lookup);
    [...s.map(snap(100, 1000, [['16493.50', '0.006']], [['16611.00', '0.029']]), 1)];
    const rows = [...s.map(delta(101, 1003, [['16493.50', '0']], [['16611.10', '1.5']]), 2)];
    expect(rows.map((r) => r.kind === 'book' && [r.side, r.priceTicks, r.sizeLots, r.flags, r.updateId])).toEqual([
      [Side.Bid, 164935, 0, 0, 101],
      [Side.Ask, 166111, 1500, BookFlag.EndOfMessage, 101],
    ]);
  });

  it('a skipped u is a sequence gap; deltas are ignored until the next snapshot, which resyncs', () => {
    const s = new BybitBookSync(lookup);
    [...s.map(snap(100, 1000, [['16493.50', '0.006']], [['16611.00', '0.029']]), 1)];
    const gap = [...s.map(delta(102, 1005, [], [['16611.00', '0.030']]), 2)];
    expect(gap).toHaveLength(1);
    expect(gap[0]).toMatchObject({ kind: 'gap', reason: 'sequence', instrument: spec.id });
    expect((gap[0] as { detail: string }).detail).toContain('expected u=101');
    expect(s.isSynced('BTCUSDT')).toBe(false);
    expect([...s.map(delta(103, 1006, [['1.0', '1']], []), 3)]).toEqual([]);
    expect([...s.map(snap(1, 2000, [['16490.00', '1']], [['16600.00', '1']]), 4)]).toHaveLength(2); // u = 1: service restart, a snapshot
    expect([...s.map(delta(2, 2001, [['16490.00', '2']], []), 5)]).toHaveLength(1);
  });

  it('a delta whose seq does not increase is a gap too', () => {
    const s = new BybitBookSync(lookup);
    [...s.map(snap(100, 1000, [['16493.50', '0.006']], [['16611.00', '0.029']]), 1)];
    expect([...s.map(delta(101, 1000, [], []), 2)][0]).toMatchObject({ kind: 'gap', reason: 'sequence' });
  });

  it('names the field of a malformed level and refuses off-grid prices', () => {
    const s = new BybitBookSync(lookup);
    expect(() => [...s.map(snap(1, 1, [['16493.50']], []), 1)]).toThrow(/data\.b\[0\]/);
    let err: unknown;
    try { [...s.map(snap(1, 1, [['16493.55', '1']], []), 1)]; } catch (e) { err = e; }
    expect(isHftError(err, 'HFT_ERR_BAD_INPUT')).toBe(true);
    expect(String(err)).toContain("data.b[0][0]' value '16493.55'");
  });
});

describe('bybitTrades', () => {
  it('maps S (taker side) to the aggressor side and keeps numeric ids, hashing UUID ids', () => {
    const msg = { topic: 'publicTrade.BTCUSDT', type: 'snapshot', ts: 1672304486868, data: [
      { T: 1672304486865, s: 'BTCUSDT', S: 'Buy', v: '0.001', p: '16578.50', L: 'PlusTick', i: '20f43950-d8dd-5b31-9112-a178eb6023af', BT: false },
      { T: 1672304486866, s: 'BTCUSDT', S: 'Sell', v: '0.250', p: '16578.40', i: '2290000000061666326', BT: false },
      { T: 1672304486867, s: 'BTCUSDT', S: 'Sell', v: '0.002', p: '16578.40', i: '123456', BT: false },
    ] };
    const t = [...bybitTrades(msg, 9, lookup)];
    expect(t.map((x) => x.kind === 'trade' && [x.side, x.priceTicks, x.sizeLots, x.tsEvent])).toEqual([
      [Side.Bid, 165785, 1, 1672304486865000], [Side.Ask, 165784, 250, 1672304486866000], [Side.Ask, 165784, 2, 1672304486867000],
    ]);
    expect((t[2] as { tradeId: number }).tradeId).toBe(123456);
    // ids too long for a double are hashed like UUIDs: stable, 32-bit
    expect((t[0] as { tradeId: number }).tradeId).toBe((t[0] as { tradeId: number }).tradeId >>> 0);
    expect([...bybitTrades(msg, 9, lookup)][0]).toEqual(t[0]);
  });
});
