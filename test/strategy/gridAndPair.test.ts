/** Grid and pair-trading decisions on hand-built spot books. */
import { describe, expect, it } from 'vitest';
import type { PlaceIntent } from '../../src/model/orders.ts';
import { GridTrading, parseGridParams } from '../../src/strategy/grid/GridTrading.ts';
import { PairTrading, parsePairTradingParams } from '../../src/strategy/pair-trading/PairTrading.ts';
import { HandBuiltContext, restingOrder, spec } from './handBuiltContext.ts';

const BTC = 'binance-spot:BTCUSDT'; const ETH = 'binance-spot:ETHUSDT';
const btc = spec(BTC); const eth = spec(ETH);

describe('grid', () => {
  const grid = (): GridTrading => new GridTrading('g', btc, parseGridParams({ levelSpacingTicks: 200, levelsEachSide: 2, orderSize: '0.001', maxPosition: '0.002' }, 'test'));
  const ctx = (): HandBuiltContext => new HandBuiltContext([btc]).setBook(BTC, { bids: [['60001.50', '1']], asks: [['60001.60', '1']] });

  it('given a flat position, when the book ticks, then it rests two buys on the 2-USD grid below the bid and two sells above the ask', () => {
    const d = grid().onMarket(BTC, 'bbo', ctx())!;
    expect((d.intents as PlaceIntent[]).map((i) => [i.side, i.priceTicks, i.timeInForce])).toEqual([
      ['buy', 6_000_000, 'POST_ONLY'], ['buy', 5_999_800, 'POST_ONLY'], ['sell', 6_000_200, 'POST_ONLY'], ['sell', 6_000_400, 'POST_ONLY'],
    ]);
  });

  it('given a long position of one order (cap 2), when the book ticks, then only one buy level is left and sells are unchanged', () => {
    const c = ctx(); c.positions.set(BTC, 100_000);
    const d = grid().onMarket(BTC, 'bbo', c)!;
    expect((d.intents as PlaceIntent[]).map((i) => [i.side, i.priceTicks])).toEqual([['buy', 6_000_000], ['sell', 6_000_200], ['sell', 6_000_400]]);
  });

  it('given its levels already resting and the price moved up one level, when the book ticks, then it cancels the far buy and adds the new levels', () => {
    const c = new HandBuiltContext([btc]).setBook(BTC, { bids: [['60003.50', '1']], asks: [['60003.60', '1']] });
    const o = (id: string, side: 'buy' | 'sell', px: number) => restingOrder({ id, strategyId: 'g', instrument: BTC, side, priceTicks: px, sizeLots: 100_000, tag: id });
    c.open.set(BTC, [o('b1', 'buy', 6_000_000), o('b2', 'buy', 5_999_800), o('s1', 'sell', 6_000_400), o('s2', 'sell', 6_000_600)]);
    const d = grid().onMarket(BTC, 'bbo', c)!;
    expect(d.intents.filter((i) => i.kind === 'cancel').map((i) => (i as { clientOrderId: string }).clientOrderId)).toEqual(['b2']);
    expect((d.intents.filter((i) => i.kind === 'place') as PlaceIntent[]).map((i) => [i.side, i.priceTicks])).toEqual([['buy', 6_000_200]]);
  });
});

describe('pair trading', () => {
  const p = parsePairTradingParams({ sampleIntervalUs: 1_000_000, halfLifeSec: 10, warmupSamples: 5, entryZ: 2, exitZ: 0.5, stopZ: 6, legNotional: '300', slippageTicks: 0 }, 'test');
  /** One sample per second with ETH and BTC mids; returns the last decision. */
  function run(s: PairTrading, ctx: HandBuiltContext, ethMids: number[], btcMid = 60000) {
    let d;
    for (const m of ethMids) {
      ctx.nowUs += 1_000_000;
      ctx.setBook(ETH, { bids: [[(m - 0.01).toFixed(2), '10']], asks: [[(m + 0.01).toFixed(2), '10']] });
      ctx.setBook(BTC, { bids: [[(btcMid - 0.01).toFixed(2), '1']], asks: [[(btcMid + 0.01).toFixed(2), '1']] });
      d = s.onTimer(ctx);
    }
    return d!;
  }
  const noise = [3000, 3001, 2999, 3001, 2999, 3000];

  it('given a calm spread, when ETH jumps 1% against BTC, then it shorts the spread: sells ETH and buys BTC for 300 USDT each', () => {
    const s = new PairTrading('p', eth, btc, p); const ctx = new HandBuiltContext([eth, btc]);
    run(s, ctx, noise);
    const d = run(s, ctx, [3030]);
    expect(d.inputs.state).toBe('short');
    expect(d.inputs.z as number).toBeGreaterThan(2);
    // 300 / 3030 = 0.0990099 ETH -> 9900990 lots; 300 / 60000 = 0.005 BTC -> 500000 lots
    expect((d.intents as PlaceIntent[]).map((i) => [i.instrument, i.side, i.sizeLots, i.timeInForce])).toEqual([[ETH, 'sell', 9_900_990, 'IOC'], [BTC, 'buy', 500_000, 'IOC']]);
  });

  it('given a short spread, when the spread comes back to the mean, then it closes both legs', () => {
    const s = new PairTrading('p', eth, btc, p); const ctx = new HandBuiltContext([eth, btc]);
    run(s, ctx, [...noise, 3030]);
    ctx.positions.set(ETH, -9_900_990); ctx.positions.set(BTC, 500_000);
    const d = run(s, ctx, [3000.5]);
    expect(d.inputs.state).toBe('flat');
    expect((d.intents as PlaceIntent[]).map((i) => [i.instrument, i.side, i.sizeLots])).toEqual([[ETH, 'buy', 9_900_990], [BTC, 'sell', 500_000]]);
  });

  it('given a short spread, when the spread runs further past the stop, then it closes and does not re-enter while z stays high', () => {
    const s = new PairTrading('p', eth, btc, p); const ctx = new HandBuiltContext([eth, btc]);
    run(s, ctx, [...noise, 3030]);
    ctx.positions.set(ETH, -9_900_990); ctx.positions.set(BTC, 500_000);
    const stop = run(s, ctx, [3150]);
    expect(stop.inputs.state).toBe('stopped');
    ctx.positions.set(ETH, 0); ctx.positions.set(BTC, 0);
    const after = run(s, ctx, [3200]);
    expect(after.inputs.state).toBe('stopped');
    expect(after.intents).toEqual([]);
  });

  it('given fewer samples than the warm-up, when ETH jumps, then it does not trade', () => {
    const s = new PairTrading('p', eth, btc, p); const ctx = new HandBuiltContext([eth, btc]);
    const d = run(s, ctx, [3000, 3001, 3030]);
    expect(d.inputs.z).toBe('warmup');
    expect(d.intents).toEqual([]);
  });

  it('rejects thresholds out of order, naming them', () => {
    expect(() => parsePairTradingParams({ halfLifeSec: 10, entryZ: 2, exitZ: 3, stopZ: 4, legNotional: '1' }, 'sc.json')).toThrow(/sc.json is invalid[\s\S]*exitZ < entryZ < stopZ/);
  });
});
