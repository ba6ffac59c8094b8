/**
 * The cryptofeed Binance captures (XFree86-1.1: "This product includes software developed by Bryant
 * Moscon (http://www.bryantmoscon.com/)"): REST snapshots whose update ids chain into the diff
 * stream; the bookTicker stream is the oracle. Instruments come from the exchangeInfo recorded in the
 * same session (X.0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCryptofeedLine } from '../../src/feeds/capture/cryptofeedLine.ts';
import { binanceInstruments } from '../../src/feeds/binance/binanceInstruments.ts';
import { checkCryptofeedBinance, cryptofeedBinanceVenue } from '../../src/feeds/check/checkCryptofeedBinance.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';

const DIR = '/work/shared/data/cryptofeed';
const read = (name: string) => readFileSync(`${DIR}/${name}`, 'utf8').split('\n').filter((l) => l !== '').map((l, i) => parseCryptofeedLine(l, `${name}:${i + 1}`));

describe('binance exchangeInfo', () => {
  const info = (name: string) => { const r = read(name)[0]!; return r.type === 'rest' ? r.msg : null; };
  it('reads spot tick and lot from PRICE_FILTER and LOT_SIZE', () => {
    const btc = binanceInstruments('binance-spot', info('BINANCE.0')).find((s) => s.symbol === 'BTCUSDT');
    expect(btc).toMatchObject({ id: 'binance-spot:BTCUSDT', kind: 'spot', tickSize: '0.01000000', lotSize: '0.00000001', orderLotSize: '0.00001000', contractMultiplier: '1', settle: 'USDT' });
    expect(btc!.orderTickSize).toBeUndefined();
  });
  it('keeps the finer feed tick of a futures symbol whose tick was raised (CTKUSDT: 0.50579 in the book)', () => {
    const ctk = binanceInstruments('binance-usdm', info('BINANCE_FUTURES.0')).find((s) => s.symbol === 'CTKUSDT');
    expect(ctk).toMatchObject({ tickSize: '0.00001', orderTickSize: '0.00100', lotSize: '1' });
    expect(ctk!.orderLotSize).toBeUndefined();
  });
  it('uses quote precision as the spot price grain on request', () => {
    const nkn = binanceInstruments('binance-spot', info('BINANCE.0'), { spotPriceGrain: 'quotePrecision' }).find((s) => s.symbol === 'NKNUSDT');
    expect(nkn).toMatchObject({ tickSize: '0.00000001', orderTickSize: '0.00010000', lotSize: '0.00000001', orderLotSize: '1.00000000' });
  });
  it('reads USDⓈ-M perpetuals as linear', () => {
    const eth = binanceInstruments('binance-usdm', info('BINANCE_FUTURES.0')).find((s) => s.symbol === 'ETHUSDT');
    expect(eth).toMatchObject({ kind: 'linear_perp', tickSize: '0.01', lotSize: '0.001', settle: 'USDT' });
  });
  it('reads COIN-M as inverse with contractSize USD per contract', () => {
    const specs = binanceInstruments('binance-coinm', info('BINANCE_DELIVERY.0'));
    expect(specs.find((s) => s.symbol === 'BTCUSD_PERP')).toMatchObject({ kind: 'inverse_perp', tickSize: '0.1', lotSize: '1', contractMultiplier: '100', settle: 'BTC' });
    expect(specs.find((s) => s.symbol === 'ETHUSD_PERP')).toMatchObject({ kind: 'inverse_perp', contractMultiplier: '10' });
    expect(specs.find((s) => s.symbol === 'BTCUSD_211231')).toMatchObject({ kind: 'inverse_future' });
  });
  it('names the missing filter', () => {
    expect(() => binanceInstruments('binance-spot', { symbols: [{ symbol: 'X', baseAsset: 'A', quoteAsset: 'B', filters: [] }] })).toThrow(/symbols\[0\] \(X\): no PRICE_FILTER filter/);
  });
});

describe('cryptofeed Binance book rebuild', () => {
  for (const exchange of ['BINANCE', 'BINANCE_FUTURES', 'BINANCE_DELIVERY']) {
    it(`${exchange}: every checkable bookTicker matches, no gaps, every symbol synced from its snapshot`, () => {
      const venue = cryptofeedBinanceVenue(exchange);
      const info = read(`${exchange}.0`)[0]!;
      // Spot books of 2021 hold levels at a pre-change finer tick (NKNUSDT 0.25974 with tickSize 0.0001).
      const lookup = instrumentLookup(venue, binanceInstruments(venue as 'binance-spot', info.type === 'rest' ? info.msg : null, { spotPriceGrain: 'quotePrecision' }));
      const check = checkCryptofeedBinance(venue, lookup, read(`${exchange}.ws.1.0`), read(`${exchange}.http.0.0`));
      const results = check.results();
      expect(check.stats.snapshots).toBe(read(`${exchange}.http.0.0`).length);
      for (const r of results) {
        expect(r.gapDetails, r.instrument).toEqual([]);
        expect(r.mismatches, r.instrument).toEqual([]);
        expect(r.matched).toBe(r.checked);
      }
      const checked = results.reduce((a, r) => a + r.checked, 0);
      expect(checked).toBeGreaterThan(0);
      console.log(`${exchange}: ${results.map((r) => `${r.instrument} ${r.matched}/${r.checked}`).join(', ')}`);
    });
  }
});
