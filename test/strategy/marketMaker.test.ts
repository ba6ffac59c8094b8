/** Market maker decisions on hand-built BTCUSDT books: A–S skew, the position cap, requote-only-when-moved. */
import { describe, expect, it } from 'vitest';
import type { PlaceIntent } from '../../src/model/orders.ts';
import { MarketMaker, parseMarketMakerParams } from '../../src/strategy/market-maker/MarketMaker.ts';
import { HandBuiltContext, restingOrder, spec } from './handBuiltContext.ts';

const BTC = 'binance-spot:BTCUSDT';
const inst = spec(BTC);
const places = (d: { intents: readonly unknown[] } | undefined): PlaceIntent[] => (d?.intents ?? []).filter((i): i is PlaceIntent => (i as PlaceIntent).kind === 'place');
const as = (over: Record<string, unknown> = {}): MarketMaker => new MarketMaker('mm', inst, parseMarketMakerParams({
  model: 'avellaneda-stoikov', orderSize: '0.001', maxPosition: '0.005', gamma: 4e-9, kappa: 0.5, horizonSec: 10, volHalfLifeSec: 30, halfSpreadTicks: 1, requoteThresholdTicks: 2, ...over,
}, 'test'));

/** Two BBOs one second apart: the first sets the mid, the second the variance estimate. */
function warm(mm: MarketMaker, ctx: HandBuiltContext, positionLots: number): ReturnType<MarketMaker['onMarket']> {
  ctx.positions.set(BTC, 0);
  ctx.setBook(BTC, { bids: [['60000.00', '1']], asks: [['60000.02', '1']] });
  mm.onMarket(BTC, 'bbo', ctx);
  ctx.open.clear();
  ctx.nowUs += 1_000_000;
  ctx.positions.set(BTC, positionLots);
  ctx.setBook(BTC, { bids: [['60001.00', '1']], asks: [['60001.02', '1']] });
  return mm.onMarket(BTC, 'bbo', ctx);
}

describe('market maker, Avellaneda–Stoikov', () => {
  // Hand computation: mid moves 100 ticks in 1 s; EWMA weight 1 − 0.5^(1/30) = 0.022840; σ² = 0.022840 · 100² = 228.40 ticks²/s.
  const varPerSec = (1 - Math.pow(0.5, 1 / 30)) * 100 * 100;

  it('given a long inventory, when it quotes, then the reservation price sits q·γ·σ²·T below the mid and both quotes move down', () => {
    const flat = warm(as(), new HandBuiltContext([inst]), 0)!;
    const long = warm(as(), new HandBuiltContext([inst]), 400_000)!; // 0.004 BTC
    const mid = 6_000_101; // (6000100 + 6000102) / 2 ticks
    expect(flat.inputs.reservation).toBeCloseTo(mid, 6);
    expect(long.inputs.reservation as number).toBeCloseTo(mid - 400_000 * 4e-9 * varPerSec * 10, 4); // 3.654 ticks lower
    const bid = (d: typeof flat): number => places(d).find((p) => p.side === 'buy')!.priceTicks;
    const ask = (d: typeof flat): number => places(d).find((p) => p.side === 'sell')!.priceTicks;
    expect(bid(long)).toBeLessThan(bid(flat));
    expect(ask(long)).toBeLessThanOrEqual(ask(flat));
  });

  it('given a short inventory, when it quotes, then the reservation is above the mid', () => {
    const short = warm(as(), new HandBuiltContext([inst]), -400_000)!;
    expect(short.inputs.reservation as number).toBeCloseTo(6_000_101 + 400_000 * 4e-9 * varPerSec * 10, 4);
  });

  it('given the position at +maxPosition, when it quotes, then it places no bid, only the ask', () => {
    const d = warm(as(), new HandBuiltContext([inst]), 500_000)!;
    expect(places(d).map((p) => p.side)).toEqual(['sell']);
  });

  it('given the position one order short of −maxPosition, when it quotes, then an ask would breach the cap and only the bid goes out', () => {
    const d = warm(as(), new HandBuiltContext([inst]), -400_001)!;
    expect(places(d).map((p) => p.side)).toEqual(['buy']);
  });
});

describe('market maker requotes only when the target moves', () => {
  const simple = (): MarketMaker => new MarketMaker('mm', inst, parseMarketMakerParams({ model: 'simple', orderSize: '0.001', maxPosition: '0.01', halfSpreadTicks: 5, requoteThresholdTicks: 3 }, 'test'));
  // bid 60000.00 / ask 60000.20 -> mid 6000010 ticks, targets 6000005 / 6000015
  const ctxWith = (bidPx: number, askPx: number): HandBuiltContext => {
    const ctx = new HandBuiltContext([inst]);
    ctx.setBook(BTC, { bids: [['60000.00', '1']], asks: [['60000.20', '1']] });
    ctx.open.set(BTC, [
      restingOrder({ id: 'b', strategyId: 'mm', instrument: BTC, side: 'buy', priceTicks: bidPx, sizeLots: 100_000, tag: 'b0' }),
      restingOrder({ id: 'a', strategyId: 'mm', instrument: BTC, side: 'sell', priceTicks: askPx, sizeLots: 100_000, tag: 'a0' }),
    ]);
    return ctx;
  };

  it('given quotes already at their targets, when the book ticks, then it sends nothing', () => {
    expect(simple().onMarket(BTC, 'bbo', ctxWith(6_000_005, 6_000_015))).toBeUndefined();
  });

  it('given quotes 2 ticks off target (threshold 3), when the book ticks, then it keeps them (queue position)', () => {
    expect(simple().onMarket(BTC, 'bbo', ctxWith(6_000_003, 6_000_017))).toBeUndefined();
  });

  it('given a bid 3 ticks off target, when the book ticks, then it cancels and replaces that bid only', () => {
    const d = simple().onMarket(BTC, 'bbo', ctxWith(6_000_002, 6_000_015))!;
    expect(d.intents).toEqual([
      { kind: 'cancel', strategyId: 'mm', clientOrderId: 'b' },
      expect.objectContaining({ kind: 'place', side: 'buy', priceTicks: 6_000_005, timeInForce: 'POST_ONLY' }),
    ]);
  });

  it('given a quote whose placement is still in flight, when the target moves, then it waits for the answer', () => {
    const ctx = ctxWith(6_000_000, 6_000_015);
    ctx.open.set(BTC, [restingOrder({ id: 'b', strategyId: 'mm', instrument: BTC, side: 'buy', priceTicks: 6_000_000, sizeLots: 100_000, tag: 'b0', status: 'submitted' }), ...ctx.openOrders(BTC).slice(1)]);
    expect(simple().onMarket(BTC, 'bbo', ctx)).toBeUndefined();
  });
});
