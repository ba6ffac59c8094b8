/**
 * Accounting on hand-computed fill sequences. Prices are real Binance trades where the data has them
 * (binance-capture/usdm/btcusdt_20240808.gz, binance-capture/cm/btcusd_perp_20240808.gz), round
 * numbers where the arithmetic is the point. Every expected value is worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { isHftError } from '../../../src/core/errors.ts';
import type { DomainEvent } from '../../../src/model/orders.ts';
import { createPortfolio, evolvePortfolio, markPrice, positionChanged, type PortfolioState } from '../../../src/model/accounting/Portfolio.ts';
import { equitySnapshot, strategyAttribution } from '../../../src/model/accounting/equity.ts';
import { settleFunding } from '../../../src/model/accounting/settleFunding.ts';
import { createEquityCurve, sampleUntil } from '../../../src/model/accounting/EquityCurve.ts';
import { BTCUSDT, BTCUSD_PERP } from './instruments.ts';
import type { Instrument } from '../../../src/model/instrument.ts';

let tradeSeq = 0;
function fill(inst: Instrument, side: 'buy' | 'sell', sizeLots: number, priceTicks: number, fee: string, strategyId = 'mm'): DomainEvent<'order.filled'> {
  return { type: 'order.filled', data: {
    clientOrderId: `c${tradeSeq}`, strategyId, instrument: inst.id, side, venueTradeId: `t${tradeSeq++}`, priceTicks, sizeLots, leavesLots: 0,
    liquidity: 'taker', price: inst.tick.toDecimal(priceTicks), size: inst.lot.toDecimal(sizeLots), fee, feeCurrency: inst.settle,
  } };
}
const fold = (s: PortfolioState, ...events: DomainEvent[]): PortfolioState => { for (const e of events) evolvePortfolio(s, e); return s; };
const pos = (s: PortfolioState, inst: Instrument, strategyId = 'mm') => positionChanged(s, inst.id, strategyId);

describe('linear (USDⓈ-M BTCUSDT): partial close, reversal through zero, fees', () => {
  // Taker fee 0.05% of qty × price:
  //   buy  0.010 @ 61800.3 → 618.003    × 0.0005 = 0.3090015
  //   buy  0.010 @ 61810.3 → 618.103    × 0.0005 = 0.3090515
  //   sell 0.005 @ 61820.3 → 309.1015   × 0.0005 = 0.15455075
  //   sell 0.025 @ 61790.3 → 1544.7575  × 0.0005 = 0.77237875
  //   buy  0.010 @ 61780.3 → 617.803    × 0.0005 = 0.3089015
  const s = createPortfolio({ instruments: [BTCUSDT, BTCUSD_PERP], initialBalances: { USDT: '10000' } });

  it('averages the entry over two buys: (61800.3 + 61810.3) / 2 = 61805.3', () => {
    fold(s, fill(BTCUSDT, 'buy', 10, 618003, '0.3090015'), fill(BTCUSDT, 'buy', 10, 618103, '0.3090515'));
    expect(pos(s, BTCUSDT)).toEqual({ instrument: BTCUSDT.id, strategyId: 'mm', quantity: '0.02', avgEntryPrice: '61805.3', realizedPnl: '0', fees: '0.618053', funding: '0', currency: 'USDT' });
  });

  it('realizes on a partial close and keeps the entry: 0.005 × (61820.3 − 61805.3) = 0.075', () => {
    fold(s, fill(BTCUSDT, 'sell', 5, 618203, '0.15455075'));
    expect(pos(s, BTCUSDT)).toMatchObject({ quantity: '0.015', avgEntryPrice: '61805.3', realizedPnl: '0.075' });
  });

  it('marks unrealized P&L at the bid: 0.015 × (61800.2 − 61805.3) = −0.0765', () => {
    markPrice(s, BTCUSDT.id, 618002);
    const usdt = equitySnapshot(s).find((e) => e.currency === 'USDT')!;
    // fees so far 0.618053 + 0.15455075 = 0.77260375; net = 0.075 − 0.0765 − 0.77260375 = −0.77410375
    expect(usdt).toEqual({ currency: 'USDT', realizedPnl: '0.075', unrealizedPnl: '-0.0765', fees: '0.77260375', funding: '0', netPnl: '-0.77410375', initialBalance: '10000', equity: '9999.22589625' });
  });

  it('reverses through zero: closes 0.015 at −15 (−0.225), opens 0.010 short at the fill price', () => {
    fold(s, fill(BTCUSDT, 'sell', 25, 617903, '0.77237875'));
    // realized 0.075 − 0.225 = −0.15
    expect(pos(s, BTCUSDT)).toMatchObject({ quantity: '-0.01', avgEntryPrice: '61790.3', realizedPnl: '-0.15' });
  });

  it('closes the short to flat: 0.010 × (61790.3 − 61780.3) = +0.1, entry back to 0', () => {
    fold(s, fill(BTCUSDT, 'buy', 10, 617803, '0.3089015'));
    // realized −0.15 + 0.1 = −0.05; fees 0.77260375 + 0.77237875 + 0.3089015 = 1.853884
    expect(pos(s, BTCUSDT)).toEqual({ instrument: BTCUSDT.id, strategyId: 'mm', quantity: '0', avgEntryPrice: '0', realizedPnl: '-0.05', fees: '1.853884', funding: '0', currency: 'USDT' });
    const usdt = equitySnapshot(s).find((e) => e.currency === 'USDT')!;
    // net = −0.05 − 1.853884 = −1.903884; equity 10000 − 1.903884 = 9998.096116
    expect(usdt).toMatchObject({ unrealizedPnl: '0', netPnl: '-1.903884', equity: '9998.096116' });
  });
});

describe('inverse (COIN-M BTCUSD_PERP, 100 USD contracts): P&L in coin', () => {
  it('averages entries harmonically and realizes qty × 100 × (1/entry − 1/exit)', () => {
    const s = createPortfolio({ instruments: [BTCUSD_PERP] });
    // buy 10 @ 40000 and 10 @ 60000: entry = 20 / (10/40000 + 10/60000) = 20 / (1/4000 + 1/6000)
    //   = 20 / (5/12000) = 48000 (not the arithmetic 50000)
    fold(s, fill(BTCUSD_PERP, 'buy', 10, 400000, '0'), fill(BTCUSD_PERP, 'buy', 10, 600000, '0'));
    expect(pos(s, BTCUSD_PERP)).toMatchObject({ quantity: '20', avgEntryPrice: '48000', currency: 'BTC' });
    // sell 5 @ 50000: 5 × 100 × (1/48000 − 1/50000) = 500 × 2000 / 2.4e9 = 1/2400 = 0.000416666…
    fold(s, fill(BTCUSD_PERP, 'sell', 5, 500000, '0'));
    const r1 = pos(s, BTCUSD_PERP).realizedPnl;
    expect(r1.startsWith('0.000416666666666666666666666666666')).toBe(true);
    // sell 25 @ 64000: closes 15 → 1500 × (1/48000 − 1/64000) = 1500 / 192000 = 0.0078125; opens 10 short @ 64000
    fold(s, fill(BTCUSD_PERP, 'sell', 25, 640000, '0'));
    const p = pos(s, BTCUSD_PERP);
    expect(p).toMatchObject({ quantity: '-10', avgEntryPrice: '64000' });
    // total 1/2400 + 0.0078125 = 0.008229166666…
    expect(p.realizedPnl.startsWith('0.00822916666666666666666666666666')).toBe(true);
    // short 10 marked at 60000: −10 × 100 × (1/64000 − 1/60000) = 1000 × 4000 / 3.84e9 = 1/960 … = 0.00104166…
    markPrice(s, BTCUSD_PERP.id, 600000);
    expect(equitySnapshot(s)[0]!.unrealizedPnl.startsWith('0.00104166666666666666666666666666')).toBe(true);
  });

  it('books a loss on a long when the price falls: 10 × 100 × (1/50000 − 1/40000) = −0.005 BTC', () => {
    const s = createPortfolio({ instruments: [BTCUSD_PERP] });
    fold(s, fill(BTCUSD_PERP, 'buy', 10, 500000, '0'), fill(BTCUSD_PERP, 'sell', 10, 400000, '0'));
    expect(pos(s, BTCUSD_PERP)).toMatchObject({ quantity: '0', realizedPnl: '-0.005' });
  });

  it('follows real COIN-M trades 849714402/03 and 849714406: buy 4 @ 61804.8, buy 10 @ 61808.8, sell 3 @ 61811.3', () => {
    const s = createPortfolio({ instruments: [BTCUSD_PERP] });
    fold(s, fill(BTCUSD_PERP, 'buy', 4, 618048, '0'), fill(BTCUSD_PERP, 'buy', 10, 618088, '0'), fill(BTCUSD_PERP, 'sell', 3, 618113, '0'));
    // entry = 14 / (4/61804.8 + 10/61808.8) = 83564261424 / 1352005 = 61807.6570900255546392210087980…
    // realized = 3 × 100 × (1/entry − 1/61811.3) = 1231308125 / 4304346360131076 = 2.86061581011455637646999773698458…e-7 BTC
    const p = pos(s, BTCUSD_PERP);
    expect(p.quantity).toBe('11');
    expect(p.avgEntryPrice.startsWith('61807.657090025554639221008798')).toBe(true);
    expect(p.realizedPnl.startsWith('0.000000286061581011455637646999773698')).toBe(true);
  });
});

describe('funding', () => {
  it('pays a long on a negative rate (real Binance BTCUSDT rate −0.00012359, 2020-01-01 00:00 UTC)', () => {
    const s = createPortfolio({ instruments: [BTCUSDT] });
    fold(s, fill(BTCUSDT, 'buy', 15, 618003, '0'));
    // long 0.015 at mark 61800.2: notional 927.003; rate < 0 so the long receives 927.003 × 0.00012359 = 0.11456830077
    const ev = settleFunding(s, BTCUSDT.id, '-0.00012359', '61800.2');
    expect(ev).toEqual([{ type: 'funding.settled', data: { instrument: BTCUSDT.id, strategyId: 'mm', rate: '-0.00012359', position: '0.015', markPrice: '61800.2', amount: '0.11456830077', currency: 'USDT' } }]);
    fold(s, ...ev);
    expect(pos(s, BTCUSDT).funding).toBe('0.11456830077');
  });

  it('charges a long and pays a short on a positive rate, per strategy, in coin for inverse', () => {
    const s = createPortfolio({ instruments: [BTCUSD_PERP] });
    fold(s, fill(BTCUSD_PERP, 'buy', 20, 600000, '0', 'a'), fill(BTCUSD_PERP, 'sell', 10, 600000, '0', 'b'));
    // 20 contracts × 100 / 60000 = 1/30 BTC × 0.0001 = 0.000003333… paid by a;
    // 10 contracts: 1/60 × 0.0001 = 0.0000016666… received by b
    const ev = settleFunding(s, BTCUSD_PERP.id, '0.0001', '60000');
    fold(s, ...ev);
    expect(pos(s, BTCUSD_PERP, 'a').funding.startsWith('-0.00000333333333333333333333')).toBe(true);
    expect(pos(s, BTCUSD_PERP, 'b').funding.startsWith('0.00000166666666666666666666')).toBe(true);
    // the account nets to long 10: −1/600000 in total
    expect(equitySnapshot(s)[0]!.funding.startsWith('-0.00000166666666666666666666')).toBe(true);
  });

  it('settles nothing when no strategy holds the instrument', () => {
    expect(settleFunding(createPortfolio({ instruments: [BTCUSDT] }), BTCUSDT.id, '0.0001', '61800')).toEqual([]);
  });
});

describe('attribution and netting', () => {
  it('nets the account while each strategy keeps its own P&L', () => {
    const s = createPortfolio({ instruments: [BTCUSDT] });
    // a buys 0.001 @ 61800.3; b sells 0.001 @ 61800.2; a sells 0.001 @ 61810.3
    fold(s, fill(BTCUSDT, 'buy', 1, 618003, '0.01', 'a'), fill(BTCUSDT, 'sell', 1, 618002, '0.01', 'b'), fill(BTCUSDT, 'sell', 1, 618103, '0.01', 'a'));
    markPrice(s, BTCUSDT.id, 618203);
    // a: realized 0.001 × (61810.3 − 61800.3) = 0.01, fees 0.02 → net −0.01
    // b: short 0.001 @ 61800.2 marked 61820.3 → unrealized −0.0201, fees 0.01 → net −0.0301
    // account: buy@61800.3 then sell@61800.2 closes → realized −0.0001; then short 0.001 @ 61810.3,
    //   unrealized 0.001 × (61810.3 − 61820.3) = −0.01; fees 0.03 → net −0.0401 = a + b
    expect(strategyAttribution(s)).toEqual({
      a: [{ currency: 'USDT', realizedPnl: '0.01', unrealizedPnl: '0', fees: '0.02', funding: '0', netPnl: '-0.01' }],
      b: [{ currency: 'USDT', realizedPnl: '0', unrealizedPnl: '-0.0201', fees: '0.01', funding: '0', netPnl: '-0.0301' }],
    });
    expect(equitySnapshot(s)[0]).toMatchObject({ realizedPnl: '-0.0001', unrealizedPnl: '-0.01', netPnl: '-0.0401' });
  });

  it('refuses a fee in a currency other than the settle currency, naming the field', () => {
    const s = createPortfolio({ instruments: [BTCUSDT] });
    const f = fill(BTCUSDT, 'buy', 1, 618003, '0.0001');
    try { evolvePortfolio(s, { ...f, data: { ...f.data, feeCurrency: 'BNB' } }); expect.unreachable(); } catch (e) {
      expect(isHftError(e, 'HFT_ERR_BAD_INPUT')).toBe(true);
      expect((e as Error).message).toContain("feeCurrency 'BNB' is not the settle currency 'USDT'");
    }
  });

  it('refuses a malformed initial balance', () => {
    expect(() => createPortfolio({ instruments: [], initialBalances: { USDT: 'ten' } })).toThrow(/accounting.initialBalances.USDT: expected a decimal number, got 'ten'/);
  });
});

describe('equity curve', () => {
  it('samples on event-time boundaries with the equity known before the event that crosses them', () => {
    const s = createPortfolio({ instruments: [BTCUSDT], initialBalances: { USDT: '100' } });
    const curve = createEquityCurve(1_000_000);
    const at = (t: number, ...events: DomainEvent[]): void => { sampleUntil(curve, s, t); fold(s, ...events); };
    at(500_000, fill(BTCUSDT, 'buy', 10, 618003, '0.3090015')); // first event: sets the first boundary to 1 s
    at(2_300_000); markPrice(s, BTCUSDT.id, 618103);             // crosses 1 s and 2 s
    at(3_000_000);                                               // exactly on 3 s
    expect(curve.samples.map((x) => x.tsUs)).toEqual([1_000_000, 2_000_000, 3_000_000]);
    // after the buy, marked at the fill price: equity 100 − 0.3090015 = 99.6909985
    expect(curve.samples[0]!.equity[0]!.equity).toBe('99.6909985');
    expect(curve.samples[1]!.equity[0]!.equity).toBe('99.6909985');
    // marked at 61810.3: unrealized 0.010 × 10 = 0.1 → 99.7909985
    expect(curve.samples[2]!.equity[0]!.equity).toBe('99.7909985');
  });
  it('refuses a non-positive interval', () => {
    expect(() => createEquityCurve(0)).toThrow(/equityIntervalUs: expected a positive integer of µs, got 0/);
  });
});
