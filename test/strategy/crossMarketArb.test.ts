/** Cross-market arb and cash-and-carry decisions on hand-built spot / USDⓈ-M / COIN-M BTC books. */
import { describe, expect, it } from 'vitest';
import type { PlaceIntent } from '../../src/model/orders.ts';
import { cashAndCarryFactory } from '../../src/strategy/cash-and-carry/CashAndCarry.ts';
import { CrossMarketArb, parseCrossMarketArbParams } from '../../src/strategy/cross-arb/CrossMarketArb.ts';
import { HandBuiltContext, restingOrder, spec } from './handBuiltContext.ts';

const SPOT = 'binance-spot:BTCUSDT'; const PERP = 'binance-usdm:BTCUSDT'; const CM = 'binance-coinm:BTCUSD_PERP';
const fees = { maker: '0', taker: '0.0002' };
const spot = spec(SPOT, fees); const perp = spec(PERP, fees); const cm = spec(CM, fees);
const params = parseCrossMarketArbParams({ tradeSize: '0.002', maxPosition: '0.004', entryBps: 1, exitBps: -2, legRisk: 'hedge', hedgeTimeoutUs: 300_000, hedgeSlippageTicks: 10 }, 'test');
const arb = (): CrossMarketArb => new CrossMarketArb('x', spot, perp, params);
const places = (d: { intents: readonly unknown[] } | undefined): PlaceIntent[] => (d?.intents ?? []) as PlaceIntent[];

function books(spotAsk: string, perpBid: string, sizes = '1'): HandBuiltContext {
  const ctx = new HandBuiltContext([spot, perp, cm]);
  ctx.setBook(SPOT, { bids: [['59999.00', sizes]], asks: [[spotAsk, sizes]] });
  ctx.setBook(PERP, { bids: [[perpBid, sizes]], asks: [['60100.0', sizes]] });
  return ctx;
}

describe('cross-market arbitrage', () => {
  it('given a 5-bps premium that is only 1 bps after both taker fees (entry 1.5 bps), when the book ticks, then it does not trade', () => {
    // (60030·0.9998 − 60000·1.0002) / 60000 = 0.999 bps net
    const a = new CrossMarketArb('x', spot, perp, { ...params, entryBps: 1.5 });
    expect(a.onMarket(PERP, 'bbo', books('60000.00', '60030.0'))).toBeUndefined();
  });

  it('given a premium net of fees above entry, when the book ticks, then it buys spot and sells the perp, both IOC at the touch', () => {
    // (60040·0.9998 − 60000·1.0002) / 60000 = 2.665 bps net
    const d = arb().onMarket(PERP, 'bbo', books('60000.00', '60040.0'))!;
    expect(d.inputs.edgeBuyABps).toBeCloseTo(2.6653, 3);
    expect(d.inputs.basisBps).toBeCloseTo(((60040 + 60100) / 2 - (59999 + 60000) / 2) / 59999.5 * 1e4, 4);
    expect(places(d)).toEqual([
      expect.objectContaining({ instrument: SPOT, side: 'buy', timeInForce: 'IOC', priceTicks: 6_000_000, sizeLots: 200_000 }),
      expect.objectContaining({ instrument: PERP, side: 'sell', timeInForce: 'IOC', priceTicks: 600_400, sizeLots: 2 }),
    ]);
  });

  it('given only 0.0015 BTC at the spot ask, when it enters, then both legs are cut to the touch size', () => {
    const ctx = books('60000.00', '60040.0');
    ctx.setBook(SPOT, { bids: [['59999.00', '1']], asks: [['60000.00', '0.0015']] });
    const d = arb().onMarket(PERP, 'bbo', ctx)!;
    expect(places(d).map((p) => p.sizeLots)).toEqual([100_000, 1]); // perp lot 0.001 rounds 0.0015 down to 1 lot, spot follows
  });

  it('given the position at maxPosition, when the premium is still there, then it adds nothing', () => {
    const ctx = books('60000.00', '60040.0');
    ctx.positions.set(SPOT, 400_000); ctx.positions.set(PERP, -4);
    const d = arb().onMarket(PERP, 'bbo', ctx);
    expect(d).toBeUndefined();
  });

  it('given a leg still working, when the book ticks, then it waits', () => {
    const ctx = books('60000.00', '60040.0');
    ctx.open.set(PERP, [restingOrder({ id: 'o', strategyId: 'x', instrument: PERP, side: 'sell', priceTicks: 600_400, sizeLots: 2, tag: 'enter-b', status: 'submitted' })]);
    expect(arb().onMarket(PERP, 'bbo', ctx)).toBeUndefined();
  });

  it('given the spot leg filled and the perp leg missed, when answered within the timeout, then it hedges by selling the perp IOC through the touch', () => {
    const a = arb(); const ctx = books('60000.00', '60040.0');
    a.onMarket(PERP, 'bbo', ctx); // entry at t0
    ctx.positions.set(SPOT, 200_000); // 0.002 BTC bought, perp not sold
    ctx.nowUs += 100_000;
    const d = a.onOrder(restingOrder({ id: 'o', strategyId: 'x', instrument: PERP, side: 'sell', priceTicks: 600_400, sizeLots: 2, tag: 'enter-b', status: 'expired' }), ctx)!;
    expect(d.inputs.state).toBe('hedge');
    expect(places(d)).toEqual([expect.objectContaining({ instrument: PERP, side: 'sell', timeInForce: 'IOC', sizeLots: 2, priceTicks: 600_400 - 10, tag: 'hedge-b' })]);
  });

  it('given the hedge still missing after the timeout, when it looks again, then it unwinds the filled spot leg', () => {
    const a = arb(); const ctx = books('60000.00', '60040.0');
    a.onMarket(PERP, 'bbo', ctx);
    ctx.positions.set(SPOT, 200_000);
    ctx.nowUs += 400_000; // past hedgeTimeoutUs 300 ms
    const d = a.onMarket(SPOT, 'bbo', ctx)!;
    expect(d.inputs.state).toBe('unwind');
    expect(places(d)).toEqual([expect.objectContaining({ instrument: SPOT, side: 'sell', sizeLots: 200_000, priceTicks: 5_999_900 - 10, tag: 'unwind-a' })]);
  });

  it('given a long-spot/short-perp position, when closing nets at least exitBps, then it sells spot and buys the perp back', () => {
    const ctx = new HandBuiltContext([spot, perp]);
    // closing: (60000·0.9998 − 60005·1.0002)/60000 = −4.83 bps < −2: hold; at perp ask 59990: −2.33… still hold; at 59980: −0.67 ≥ −2: close
    ctx.setBook(SPOT, { bids: [['60000.00', '1']], asks: [['60000.02', '1']] });
    ctx.setBook(PERP, { bids: [['59970.0', '1']], asks: [['60005.0', '1']] });
    ctx.positions.set(SPOT, 200_000); ctx.positions.set(PERP, -2);
    expect(arb().onMarket(PERP, 'bbo', ctx)).toBeUndefined();
    ctx.setBook(PERP, { bids: [['59970.0', '1']], asks: [['59980.0', '1']] });
    const d = arb().onMarket(PERP, 'bbo', ctx)!;
    expect(d.inputs.state).toBe('exit');
    expect(places(d).map((p) => [p.instrument, p.side, p.sizeLots])).toEqual([[SPOT, 'sell', 200_000], [PERP, 'buy', 2]]);
  });
});

describe('cash-and-carry', () => {
  const carry = cashAndCarryFactory.create('c', [spot, cm], { tradeSize: '0.005', maxPosition: '0.01', entryBps: 1, exitBps: -2 }, 'test');

  it('given a COIN-M premium, when it enters, then the short is sized in 100-USD contracts to the spot amount', () => {
    const ctx = new HandBuiltContext([spot, cm]);
    ctx.setBook(SPOT, { bids: [['59999.00', '1']], asks: [['60000.00', '1']] });
    ctx.setBook(CM, { bids: [['60060.0', '100']], asks: [['60070.0', '100']] });
    const d = carry.onMarket(CM, 'bbo', ctx)!;
    // 0.005 BTC × 60060 = 300.3 USD → 3 contracts = 300/60060 = 0.0049950 BTC → 499500 spot lots (1e-8)
    expect(places(d).map((p) => [p.instrument, p.side, p.sizeLots])).toEqual([[SPOT, 'buy', 499_500], [CM, 'sell', 3]]);
  });

  it('given the perp at a discount, when the book ticks, then it never sells spot short', () => {
    const ctx = new HandBuiltContext([spot, cm]);
    ctx.setBook(SPOT, { bids: [['60100.00', '1']], asks: [['60100.02', '1']] });
    ctx.setBook(CM, { bids: [['59990.0', '100']], asks: [['60000.0', '100']] });
    expect(carry.onMarket(CM, 'bbo', ctx)).toBeUndefined();
  });

  it('rejects a first instrument that is not spot, naming the field', () => {
    expect(() => cashAndCarryFactory.create('c', [perp, cm], { tradeSize: '0.005', maxPosition: '0.01', entryBps: 1 }, 'sc.json: strategies.0.params')).toThrow(/sc.json: strategies.0.params: cash-and-carry's first instrument must be spot/);
  });

  it('rejects exitBps above entryBps with the field path', () => {
    expect(() => parseCrossMarketArbParams({ tradeSize: '0.002', maxPosition: '0.004', entryBps: 1, exitBps: 2 }, 'sc.json')).toThrow(/exitBps: must be <= entryBps/);
  });
});
