/**
 * Every pre-trade rule, deny and allow, with the numbers of the denial computed by hand.
 * Linear unit: BTCUSDT tick 0.1 × lot 0.001 = 0.0001 USDT per tick·lot. Inverse: BTCUSD_PERP 1 lot = 100 USD.
 */
import { describe, expect, it } from 'vitest';
import { checkOrder } from '../../src/risk/riskGate.ts';
import { evolveRisk } from '../../src/risk/evolveRisk.ts';
import { BTCUSD_PERP } from '../model/accounting/instruments.ts';
import { BOOK_US, buy, inputs, riskState, sell } from './given.ts';

describe('maxOrderSize', () => {
  const s = riskState({ maxOrderLots: 1000 });
  it('denies 1001 lots against a 1000-lot limit', () => {
    expect(checkOrder(s, buy(1001), inputs())).toEqual({ rule: 'maxOrderSize', reason: 'size-above-max', values: { sizeLots: 1001, maxOrderLots: 1000 } });
  });
  it('allows exactly 1000 lots', () => { expect(checkOrder(s, buy(1000), inputs())).toBeUndefined(); });
  it('takes a per-instrument override over the top-level limit', () => {
    const o = riskState({ maxOrderLots: 1000, instruments: { 'binance-usdm:BTCUSDT': { maxOrderLots: 5 } } });
    expect(checkOrder(o, buy(6), inputs())?.values).toEqual({ sizeLots: 6, maxOrderLots: 5 });
  });
});

describe('maxOrderNotional', () => {
  it('denies 0.002 BTC at 61800.3 = 123.6006 USDT against 100 USDT', () => {
    const s = riskState({ maxOrderNotional: '100' });
    expect(checkOrder(s, buy(2), inputs())).toEqual({ rule: 'maxOrderNotional', reason: 'notional-above-max', values: { notional: '123.6006', maxOrderNotional: '100', priceTicks: 618003, sizeLots: 2 } });
  });
  it('allows a notional exactly at the limit (61.8003 = 61.8003, compared in integers)', () => {
    expect(checkOrder(riskState({ maxOrderNotional: '61.8003' }), buy(1), inputs())).toBeUndefined();
  });
  it('values a market buy at the best ask', () => {
    const d = checkOrder(riskState({ maxOrderNotional: '100' }), buy(2, 0, { type: 'market' }), inputs());
    expect(d?.values).toMatchObject({ notional: '123.6006', priceTicks: 618003 });
  });
  it('values inverse contracts at 100 USD each whatever the price: 11 contracts = 1100 USD > 1000', () => {
    const s = riskState({ maxOrderNotional: '1000' });
    const o = buy(11, 618048, { instrument: BTCUSD_PERP.id });
    expect(checkOrder(s, o, inputs())?.values).toMatchObject({ notional: '1100', maxOrderNotional: '1000' });
    expect(checkOrder(s, { ...o, sizeLots: 10 }, inputs())).toBeUndefined();
  });
});

describe('maxPosition', () => {
  it('denies a buy that takes a 90-lot long to 101 lots against 100', () => {
    const s = riskState({ maxPositionLots: 100 });
    expect(checkOrder(s, buy(11), inputs({ positionLots: 90 }))).toEqual({ rule: 'maxPosition', reason: 'position-above-max', values: { positionLots: 90, resultingLots: 101, maxPositionLots: 100 } });
    expect(checkOrder(s, buy(10), inputs({ positionLots: 90 }))).toBeUndefined();
  });
  it('allows an order that shrinks a position already above the limit', () => {
    expect(checkOrder(riskState({ maxPositionLots: 100 }), sell(20), inputs({ positionLots: 150 }))).toBeUndefined();
  });
  it('denies by notional: 101 lots × 61.8003 = 6241.8303 USDT > 6180.03, allows 100 lots = 6180.03', () => {
    const s = riskState({ maxPositionNotional: '6180.03' });
    expect(checkOrder(s, buy(10), inputs({ positionLots: 90 }))).toBeUndefined();
    expect(checkOrder(s, buy(11), inputs({ positionLots: 90 }))?.values).toEqual({ resultingLots: 101, priceTicks: 618003, notional: '6241.8303', maxPositionNotional: '6180.03' });
  });
  it('counts a short the same way: -95 lots selling 10 more is 105 lots', () => {
    expect(checkOrder(riskState({ maxPositionLots: 100 }), sell(10), inputs({ positionLots: -95 }))?.values).toMatchObject({ resultingLots: -105 });
  });
});

describe('maxTotalPosition', () => {
  const s = riskState({ maxTotalNotional: '10000' });
  it('denies when other positions (5000) plus 81 lots × 61.8003 = 5005.8243 exceed 10000', () => {
    expect(checkOrder(s, buy(81), inputs({ otherPositionsNotional: 5000 }))).toEqual({
      rule: 'maxTotalPosition', reason: 'total-notional-above-max', values: { totalNotional: 10005.8243, otherPositionsNotional: 5000, maxTotalNotional: '10000' },
    });
  });
  it('allows 80 lots: 5000 + 4944.024 = 9944.024', () => {
    expect(checkOrder(s, buy(80), inputs({ otherPositionsNotional: 5000 }))).toBeUndefined();
  });
});

describe('maxOpenOrders', () => {
  const s = riskState({ maxOpenOrders: 3 });
  it('denies a fourth open order', () => {
    expect(checkOrder(s, buy(1), inputs({ openOrders: 3 }))).toEqual({ rule: 'maxOpenOrders', reason: 'open-orders-at-max', values: { openOrders: 3, maxOpenOrders: 3 } });
  });
  it('allows a third, and an amendment at the limit', () => {
    expect(checkOrder(s, buy(1), inputs({ openOrders: 2 }))).toBeUndefined();
    expect(checkOrder(s, buy(1, 618003, { amend: true }), inputs({ openOrders: 3 }))).toBeUndefined();
  });
});

describe('orderRateLimit', () => {
  it('refills 2 orders/s in event time: empty after a burst of 2, one token again 500 ms later', () => {
    const s = riskState({ rateLimit: { ordersPerSecond: 2, burst: 2 } });
    const t0 = BOOK_US;
    expect(checkOrder(s, buy(1), inputs({ nowUs: t0 }))).toBeUndefined();
    evolveRisk(s, { type: 'order.submitted', data: { clientOrderId: 'a' } }, t0);
    evolveRisk(s, { type: 'order.submitted', data: { clientOrderId: 'b' } }, t0);
    expect(checkOrder(s, buy(1), inputs({ nowUs: t0 }))).toEqual({ rule: 'orderRateLimit', reason: 'rate-limited', values: { tokens: 0, nowUs: t0 } });
    // 499,999 µs × 2 / 10⁶ = 0.999998 tokens
    expect(checkOrder(s, buy(1), inputs({ nowUs: t0 + 499_999 }))?.values).toEqual({ tokens: 0.999998, nowUs: t0 + 499_999 });
    expect(checkOrder(s, buy(1), inputs({ nowUs: t0 + 500_000 }))).toBeUndefined();
  });
  it('counts amendments too', () => {
    const s = riskState({ rateLimit: { ordersPerSecond: 1, burst: 1 } });
    evolveRisk(s, { type: 'order.update-requested', data: { clientOrderId: 'a', priceTicks: 1, sizeLots: 1 } }, BOOK_US);
    expect(checkOrder(s, buy(1), inputs({ nowUs: BOOK_US }))?.rule).toBe('orderRateLimit');
  });
});

describe('priceBand', () => {
  // mid = (618002 + 618003) / 2 = 618002.5 ticks; 10 bps allows |2p − 1236005| × 10⁴ ≤ 10 × 1236005.
  const s = riskState({ priceBandBps: 10 });
  it('denies a bid at 618621 ticks: 1237 half-ticks off, 12,370,000 / 1,236,005 = 10.0081 bps', () => {
    expect(checkOrder(s, buy(1, 618621), inputs())).toEqual({ rule: 'priceBand', reason: 'outside-price-band', values: { priceTicks: 618621, midTicks: 618002.5, deviationBps: 10.0081, priceBandBps: 10 } });
  });
  it('allows 618620 ticks: 9.9919 bps', () => { expect(checkOrder(s, buy(1, 618620), inputs())).toBeUndefined(); });
  it('denies a sell far below the mid the same way', () => {
    expect(checkOrder(s, sell(1, 617384), inputs())?.reason).toBe('outside-price-band'); // 2·617384 = 1234768, 1237 below
    expect(checkOrder(s, sell(1, 617385), inputs())).toBeUndefined();
  });
  it('denies a limit order when the book has no mid, and ignores market orders', () => {
    expect(checkOrder(s, buy(1), inputs({ askTicks: Number.NaN }))?.reason).toBe('no-mid');
    expect(checkOrder(s, buy(1, 0, { type: 'market' }), inputs())).toBeUndefined();
  });
});

describe('precision', () => {
  const s = riskState({ minSizeLots: 5 });
  it('denies a fractional tick price', () => {
    expect(checkOrder(s, buy(5, 618003.5), inputs())).toEqual({ rule: 'precision', reason: 'price-not-positive-integer-ticks', values: { priceTicks: 618003.5, tickSize: '0.1' } });
  });
  it('denies a zero or fractional size', () => {
    expect(checkOrder(s, buy(0), inputs())?.reason).toBe('size-not-positive-integer-lots');
    expect(checkOrder(s, buy(5.5), inputs())?.values).toEqual({ sizeLots: 5.5, lotSize: '0.001' });
  });
  it('denies a size below the minimum and allows it at the minimum', () => {
    expect(checkOrder(s, buy(4), inputs())).toEqual({ rule: 'precision', reason: 'size-below-min', values: { sizeLots: 4, minSizeLots: 5 } });
    expect(checkOrder(s, buy(5), inputs())).toBeUndefined();
  });
  it('does not require a price on a market order', () => { expect(checkOrder(s, buy(5, 0, { type: 'market' }), inputs())).toBeUndefined(); });
});

describe('reduceOnly', () => {
  const s = riskState({});
  const ro = { reduceOnly: true };
  it('allows a reduce-only sell of the whole 10-lot long', () => { expect(checkOrder(s, sell(10, 618002, ro), inputs({ positionLots: 10 }))).toBeUndefined(); });
  it('denies a reduce-only sell larger than the long (it would reverse)', () => {
    expect(checkOrder(s, sell(11, 618002, ro), inputs({ positionLots: 10 }))).toEqual({ rule: 'reduceOnly', reason: 'would-increase-position', values: { positionLots: 10, side: 'sell', sizeLots: 11 } });
  });
  it('denies a reduce-only order on the side of the position, or when flat', () => {
    expect(checkOrder(s, buy(1, 618003, ro), inputs({ positionLots: 10 }))?.rule).toBe('reduceOnly');
    expect(checkOrder(s, sell(1, 618002, ro), inputs({ positionLots: 0 }))?.rule).toBe('reduceOnly');
  });
});

describe('staleMarketData', () => {
  const s = riskState({ maxBookAgeUs: 2_000_000 });
  it('denies when the last book update is 2,000,001 µs old', () => {
    expect(checkOrder(s, buy(1), inputs({ nowUs: BOOK_US + 2_000_001 }))).toEqual({ rule: 'staleMarketData', reason: 'stale-book', values: { ageUs: 2_000_001, maxBookAgeUs: 2_000_000, lastBookUpdateUs: BOOK_US } });
  });
  it('allows a book exactly 2,000,000 µs old', () => { expect(checkOrder(s, buy(1), inputs({ nowUs: BOOK_US + 2_000_000 }))).toBeUndefined(); });
  it('denies before any book was seen', () => { expect(checkOrder(s, buy(1), inputs({ lastBookUpdateUs: Number.NaN }))?.reason).toBe('no-market-data'); });
});

describe('tradingState', () => {
  it('HALTED denies everything, even a reducing order', () => {
    const s = riskState({ tradingState: 'HALTED' });
    expect(checkOrder(s, sell(1), inputs({ positionLots: 10 }))).toEqual({ rule: 'tradingState', reason: 'halted', values: { tradingState: 'HALTED' } });
  });
  it('REDUCING allows only orders that shrink the position', () => {
    const s = riskState({ tradingState: 'REDUCING' });
    expect(checkOrder(s, buy(5), inputs({ positionLots: -5 }))).toBeUndefined();
    expect(checkOrder(s, buy(6), inputs({ positionLots: -5 }))).toEqual({ rule: 'tradingState', reason: 'reducing-only', values: { tradingState: 'REDUCING', positionLots: -5, side: 'buy', sizeLots: 6 } });
    expect(checkOrder(s, sell(1), inputs({ positionLots: -5 }))?.reason).toBe('reducing-only');
  });
  it('ACTIVE allows an ordinary order', () => { expect(checkOrder(riskState({}), buy(1), inputs())).toBeUndefined(); });
  it('follows risk.state-changed events', () => {
    const s = riskState({});
    evolveRisk(s, { type: 'risk.state-changed', data: { from: 'ACTIVE', to: 'HALTED', reason: 'operator', values: {} } }, BOOK_US);
    expect(checkOrder(s, buy(1), inputs())?.reason).toBe('halted');
  });
});
