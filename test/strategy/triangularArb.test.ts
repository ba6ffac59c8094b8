/** Triangle and graph arbitrage on hand-built BTCUSDT / ETHUSDT / ETHBTC books. */
import { describe, expect, it } from 'vitest';
import type { PlaceIntent } from '../../src/model/orders.ts';
import { findNegativeCycle } from '../../src/strategy/triangular-arb/findNegativeCycle.ts';
import { parseTriangularArbParams, TriangularArb } from '../../src/strategy/triangular-arb/TriangularArb.ts';
import { ethbtc, HandBuiltContext, spec } from './handBuiltContext.ts';

const BTC = 'binance-spot:BTCUSDT'; const ETH = 'binance-spot:ETHUSDT'; const EB = 'binance-spot:ETHBTC';
const tenBps = { maker: '0.001', taker: '0.001' };
const pairs = [spec(BTC, tenBps), spec(ETH, tenBps), ethbtc('0.001')];
const params = parseTriangularArbParams({ minProfitBps: 1, maxLegSize: '1' }, 'test');

/**
 * USDT → BTC (buy BTCUSDT at 60000) → ETH (buy ETHBTC at 0.05) → USDT (sell ETHUSDT at `ethBid`).
 * Gross loop return = ethBid / (60000 · 0.05) = ethBid / 3000; three 10-bps fees take 0.9990³ = −29.97 bps.
 */
function triangle(ethBid: string, sizes = { btc: '1', eb: '10', eth: '10' }): HandBuiltContext {
  const ctx = new HandBuiltContext(pairs);
  ctx.setBook(BTC, { bids: [['59990.00', sizes.btc]], asks: [['60000.00', sizes.btc]] });
  ctx.setBook(EB, { bids: [['0.04999', sizes.eb]], asks: [['0.05000', sizes.eb]] });
  ctx.setBook(ETH, { bids: [[ethBid, sizes.eth]], asks: [['3020.00', sizes.eth]] });
  return ctx;
}

describe('triangular arbitrage', () => {
  it('given a triangle 20 bps profitable before fees (30 bps of fees), when the book ticks, then it finds no cycle and does not trade', () => {
    const ctx = triangle('3006.00'); // 3006/3000 = +20 bps gross
    const s = new TriangularArb('t', pairs, params);
    expect(s.scan(ctx).trade).toBeUndefined();
    expect(s.onMarket(ETH, 'bbo', ctx)).toBeUndefined();
  });

  it('given a triangle 50 bps profitable before fees, when the book ticks, then it sends the three IOC legs at the touch', () => {
    const ctx = triangle('3015.00'); // +50 bps gross, 1.005 × 0.999³ − 1 = +19.985 bps net
    const d = new TriangularArb('t', pairs, params).onMarket(ETH, 'bbo', ctx)!;
    expect(d.inputs.cycleBps).toBeCloseTo((1.005 * 0.999 ** 3 - 1) * 1e4, 3);
    const legs = (d.intents as PlaceIntent[]).map((i) => [i.instrument, i.side, i.timeInForce, i.priceTicks]);
    // The loop may start at any currency; as a set of legs it is buy BTCUSDT, buy ETHBTC, sell ETHUSDT.
    expect(new Set(legs.map((l) => JSON.stringify(l)))).toEqual(new Set([
      JSON.stringify([BTC, 'buy', 'IOC', 6_000_000]), JSON.stringify([EB, 'buy', 'IOC', 5000]), JSON.stringify([ETH, 'sell', 'IOC', 301_500]),
    ]));
  });

  it('given 0.3 ETH at the ETHUSDT bid, when it sizes the loop, then every leg is cut to carry 0.3 ETH', () => {
    const ctx = triangle('3015.00', { btc: '1', eb: '10', eth: '0.3' });
    const d = new TriangularArb('t', pairs, params).onMarket(ETH, 'bbo', ctx)!;
    const byInst = Object.fromEntries((d.intents as PlaceIntent[]).map((i) => [i.instrument, i.sizeLots]));
    // The detector's loop starts at ETH: sell the 0.3 ETH at the bid, buy BTC with the USDT, buy ETH back
    // with the BTC; the profit stays in ETH. By hand: 0.3·3015·0.999 = 903.5955 USDT -> 0.01505993 BTC
    // (floor to 1e-8) -> after fee 0.01504487 BTC -> 0.300897 ETH -> 3008 ETHBTC lots of 0.0001.
    expect(d.inputs.path).toBe('ETH>USDT USDT>BTC BTC>ETH');
    expect(byInst[ETH]).toBe(30_000_000);
    expect(byInst[BTC]).toBe(1_505_992);
    expect(byInst[EB]).toBe(3008);
  });

  it('given a profitable loop but a leg working, when the book ticks, then it waits', () => {
    const ctx = triangle('3015.00');
    ctx.open.set(BTC, [{ clientOrderId: 'o', status: 'submitted' } as never]);
    expect(new TriangularArb('t', pairs, params).onMarket(ETH, 'bbo', ctx)).toBeUndefined();
  });
});

describe('findNegativeCycle (Bellman–Ford)', () => {
  const e = (from: number, to: number, rate: number) => ({ from, to, weight: -Math.log(rate) });

  it('finds the 4-leg loop whose rates multiply above 1 in a graph with a dead end', () => {
    // 0→1→2→3→0 multiplies to 1.1·1·1·0.95 = 1.045; 3→4 leads nowhere
    const edges = [e(0, 1, 1.1), e(1, 2, 1), e(2, 3, 1), e(3, 0, 0.95), e(3, 4, 2), e(1, 0, 0.8)];
    const c = findNegativeCycle(5, edges)!;
    expect(c.map((i) => edges[i]!.from).sort()).toEqual([0, 1, 2, 3]);
    expect(c.reduce((p, i) => p * Math.exp(-edges[i]!.weight), 1)).toBeCloseTo(1.045, 12);
  });

  it('finds nothing when every loop multiplies to at most 1', () => {
    expect(findNegativeCycle(3, [e(0, 1, 2), e(1, 2, 0.5), e(2, 0, 1), e(1, 0, 0.5)])).toBeUndefined();
  });
});
