/**
 * Binance normalizers on real captured messages (binance-capture, hftbacktest examples, MIT), expected
 * rows worked out by hand from the raw text (tick 0.01 / lot 1e-8 on spot, see captureInstruments.ts).
 */
import { describe, expect, it } from 'vitest';
import { binanceDepthUpdate } from '../../src/feeds/binance/depthUpdate.ts';
import { binanceTrade } from '../../src/feeds/binance/trade.ts';
import { binanceBookTicker } from '../../src/feeds/binance/bookTicker.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';
import { BookFlag } from '../../src/model/market.ts';
import { isHftError } from '../../src/core/errors.ts';

const spot = instrumentLookup('binance-spot', captureInstruments);
const usdm = instrumentLookup('binance-usdm', captureInstruments);
const coinm = instrumentLookup('binance-coinm', captureInstruments);

// spot/btcusdt_20240808.gz line 2
const DEPTH = '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255308,"s":"BTCUSDT","U":50093239203,"u":50093239207,"b":[["55653.87000000","0.00000000"]],"a":[["61838.04000000","0.32332000"],["61844.30000000","0.40163000"],["61862.50000000","0.05019000"],["61862.51000000","0.00000000"]]}}';
// spot/btcusdt_20240808.gz line 4
const TRADE = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}';
// spot/btcusdt_20240808.gz line 3
const TICKER = '{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}';
// usdm/btcusdt_20240808.gz, first trade and bookTicker
const USDM_TRADE = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}';
const USDM_TICKER = '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}';
// cm/btcusd_perp_20240808.gz, first trade
const CM_TRADE = '{"stream":"btcusd_perp@trade","data":{"e":"trade","E":1723161257687,"T":1723161257679,"s":"BTCUSD_PERP","t":849714402,"p":"61804.8","q":"4","X":"MARKET","m":false}}';

const TS_RECV = 1723161254036059; // 1723161254036059768 ns -> µs

describe('binance depthUpdate normalizer', () => {
  const n = binanceDepthUpdate('binance-spot', spot);
  it('recognises diff depth and nothing else', () => {
    expect(n.canHandle(JSON.parse(DEPTH))).toBe(true);
    expect(n.canHandle(JSON.parse(TRADE))).toBe(false);
    expect(n.canHandle(JSON.parse(TICKER))).toBe(false);
  });
  it('yields one absolute-size row per level, bids first, EndOfMessage on the last', () => {
    const rows = [...n.map(JSON.parse(DEPTH), TS_RECV)];
    const base = { kind: 'book', instrument: 'binance-spot:BTCUSDT', tsEvent: 1723161255308000, tsRecv: TS_RECV, updateId: 50093239207 };
    expect(rows).toEqual([
      { ...base, side: 1, priceTicks: 5565387, sizeLots: 0, flags: 0 },
      { ...base, side: -1, priceTicks: 6183804, sizeLots: 32332000, flags: 0 },
      { ...base, side: -1, priceTicks: 6184430, sizeLots: 40163000, flags: 0 },
      { ...base, side: -1, priceTicks: 6186250, sizeLots: 5019000, flags: 0 },
      { ...base, side: -1, priceTicks: 6186251, sizeLots: 0, flags: BookFlag.EndOfMessage },
    ]);
  });
  it('names the field when a price is not a multiple of the tick', () => {
    const bad = DEPTH.replace('55653.87000000', '55653.87500000');
    try { [...n.map(JSON.parse(bad), TS_RECV)]; expect.unreachable(); } catch (e) {
      expect(isHftError(e, 'HFT_ERR_BAD_INPUT')).toBe(true);
      expect((e as Error).message).toContain("'b[0][0]'");
    }
  });
  it('fails with NOT_FOUND for an unknown symbol', () => {
    expect(() => [...n.map(JSON.parse(DEPTH.replace('"BTCUSDT"', '"DOGEUSDT"')), TS_RECV)]).toThrow(/HFT_ERR_NOT_FOUND.*DOGEUSDT/);
  });
});

describe('binance trade normalizer', () => {
  it('maps m:true (buyer is maker) to an aggressive sell', () => {
    expect([...binanceTrade('binance-spot', spot).map(JSON.parse(TRADE), TS_RECV)]).toEqual([{
      kind: 'trade', instrument: 'binance-spot:BTCUSDT', tsEvent: 1723161255342000, tsRecv: TS_RECV,
      side: -1, priceTicks: 6183763, sizeLots: 2000000, tradeId: 3735683259,
    }]);
  });
  it('maps a USDⓈ-M m:false print to an aggressive buy in 0.1 ticks and 0.001 lots', () => {
    expect([...binanceTrade('binance-usdm', usdm).map(JSON.parse(USDM_TRADE), 5)]).toEqual([{
      kind: 'trade', instrument: 'binance-usdm:BTCUSDT', tsEvent: 1723161256322000, tsRecv: 5,
      side: 1, priceTicks: 618003, sizeLots: 6, tradeId: 5266583935,
    }]);
  });
  it('counts COIN-M size in contracts', () => {
    const [t] = [...binanceTrade('binance-coinm', coinm).map(JSON.parse(CM_TRADE), 5)];
    expect(t).toMatchObject({ instrument: 'binance-coinm:BTCUSD_PERP', priceTicks: 618048, sizeLots: 4, side: 1 });
  });
  it('drops futures prints that did not trade on the book (X != MARKET)', () => {
    expect([...binanceTrade('binance-usdm', usdm).map(JSON.parse(USDM_TRADE.replace('"MARKET"', '"INSURANCE_FUND"')), 5)]).toEqual([]);
  });
});

describe('binance bookTicker normalizer', () => {
  it('recognises the spot payload without an event type', () => {
    expect(binanceBookTicker('binance-spot', spot).canHandle(JSON.parse(TICKER))).toBe(true);
    expect(binanceBookTicker('binance-spot', spot).canHandle(JSON.parse(DEPTH))).toBe(false);
  });
  it('uses tsRecv as tsEvent on spot (no exchange time in the payload)', () => {
    expect([...binanceBookTicker('binance-spot', spot).map(JSON.parse(TICKER), TS_RECV)]).toEqual([{
      kind: 'bbo', instrument: 'binance-spot:BTCUSDT', tsEvent: TS_RECV, tsRecv: TS_RECV,
      bidPriceTicks: 6183763, bidSizeLots: 378826000, askPriceTicks: 6183764, askSizeLots: 154698000, updateId: 50093239212,
    }]);
  });
  it('uses the transaction time T on futures', () => {
    expect([...binanceBookTicker('binance-usdm', usdm).map(JSON.parse(USDM_TICKER), 7)]).toEqual([{
      kind: 'bbo', instrument: 'binance-usdm:BTCUSDT', tsEvent: 1723161256313000, tsRecv: 7,
      bidPriceTicks: 618002, bidSizeLots: 2507, askPriceTicks: 618003, askSizeLots: 2510, updateId: 5123107839020,
    }]);
  });
});
