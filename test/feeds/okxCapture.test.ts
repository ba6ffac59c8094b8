/**
 * OKX v5 on the cryptofeed capture (XFree86-1.1: "This product includes software developed by Bryant
 * Moscon (http://www.bryantmoscon.com/)"). The venue's CRC32 checksum in every `books` message is the
 * oracle; trades/tickers expectations are worked out by hand from the quoted raw messages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCryptofeedLine } from '../../src/feeds/capture/cryptofeedLine.ts';
import { OkxBookCheck } from '../../src/feeds/check/OkxBookCheck.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';
import { okxInstruments } from '../../src/feeds/okx/okxInstruments.ts';
import { OkxBookSync } from '../../src/feeds/okx/OkxBookSync.ts';
import { okxTrades } from '../../src/feeds/okx/trades.ts';
import { okxTickers } from '../../src/feeds/okx/tickers.ts';
import { crc32 } from '../../src/feeds/okx/crc32.ts';
import { BookFlag } from '../../src/model/market.ts';

const DIR = '/work/shared/data/cryptofeed';
const specs = readFileSync(`${DIR}/OKX.0`, 'utf8').split('\n').filter((l) => l.startsWith('https'))
  .flatMap((l, i) => { const r = parseCryptofeedLine(l, `OKX.0:${i + 1}`); return r.type === 'rest' ? okxInstruments(r.msg) : []; });
const lookup = instrumentLookup('okx', specs);
const wsLines = readFileSync(`${DIR}/OKX.ws.1.0`, 'utf8').split('\n').filter((l) => l !== '');

describe('okx instruments', () => {
  it('reads tick, lot and contract value from the instrument list', () => {
    expect(lookup('BTC-USDT')).toMatchObject({ kind: 'spot', tickSize: '0.1', lotSize: '0.00000001', contractMultiplier: '1', base: 'BTC', quote: 'USDT' });
    expect(lookup('UNI-USD-SWAP')).toMatchObject({ kind: 'inverse_perp', tickSize: '0.001', lotSize: '1', contractMultiplier: '10', settle: 'UNI', base: 'UNI', quote: 'USD' });
    expect(lookup('BTC-USD-220527')).toMatchObject({ kind: 'inverse_future', tickSize: '0.1', lotSize: '1', contractMultiplier: '100', settle: 'BTC' });
  });
});

describe('okx books checksum', () => {
  it('computes the signed CRC32 OKX uses', () => {
    // zlib.crc32('123456789') = 0xCBF43926, which as a signed int32 is -873187034.
    expect(crc32('123456789')).toBe(-873187034);
  });

  it('reproduces every checksum in OKX.ws.1.0', () => {
    const check = new OkxBookCheck(lookup);
    wsLines.forEach((line, i) => {
      const r = parseCryptofeedLine(line, `OKX.ws.1.0:${i + 1}`);
      if (r.type === 'ws') check.onMessage(r.msg, r.tsRecv);
    });
    const results = check.results();
    expect(results.map((r) => r.instrument).sort()).toEqual(['okx:BTC-USD-220527', 'okx:BTC-USDT', 'okx:UNI-USD-SWAP']);
    const total = results.reduce((a, r) => a + r.checked, 0);
    expect(total).toBe(290); // grep -c '"action"' OKX.ws.1.0: 3 snapshots + 287 updates, each with a checksum
    for (const r of results) {
      expect(r.gapDetails).toEqual([]);
      expect(r.matched).toBe(r.checked);
    }
  });

  it('emits a checksum gap when a level is corrupted, and ignores updates until a snapshot', () => {
    const sync = new OkxBookSync(lookup);
    const first = wsLines.findIndex((l) => l.includes('"action":"snapshot"') && l.includes('"BTC-USDT"'));
    const snap = parseCryptofeedLine(wsLines[first]!, 'snap');
    const snapEvents = [...sync.map(snap.type === 'ws' ? snap.msg : null, 1)];
    expect(snapEvents[0]).toMatchObject({ kind: 'book', flags: BookFlag.Clear | BookFlag.Snapshot });
    expect(snapEvents.at(-1)).toMatchObject({ flags: BookFlag.Snapshot | BookFlag.EndOfMessage });
    expect(snapEvents.some((e) => e.kind === 'gap')).toBe(false);
    const nextIdx = wsLines.findIndex((l, i) => i > first && l.includes('"action":"update"') && l.includes('"BTC-USDT"'));
    const upd = parseCryptofeedLine(wsLines[nextIdx]!, 'upd');
    const msg = structuredClone(upd.type === 'ws' ? upd.msg : null) as { data: [{ bids: string[][] }] };
    msg.data[0].bids[1]![1] = '123'; // a size the venue never sent
    const events = [...sync.map(msg, 2)];
    expect(events.at(-1)).toMatchObject({ kind: 'gap', reason: 'checksum', instrument: 'okx:BTC-USDT' });
    expect([...sync.map(upd.type === 'ws' ? upd.msg : null, 3)]).toEqual([]);
    expect(sync.isSynced('BTC-USDT')).toBe(false);
  });
});

describe('okx trades and tickers', () => {
  // OKX.ws.1.0, first trade push
  const TRADE = '{"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849","px":"30218.8","sz":"1","side":"buy","ts":"1652459199958"}]}';
  const TICKER = '{"arg":{"channel":"tickers","instId":"BTC-USD-220527"},"data":[{"instType":"FUTURES","instId":"BTC-USD-220527","last":"30218.8","lastSz":"1","askPx":"30220.1","askSz":"3","bidPx":"30210.4","bidSz":"4","open24h":"29571.4","high24h":"31003.3","low24h":"27930.8","sodUtc0":"28935.3","sodUtc8":"30320.5","volCcy24h":"2620.289","vol24h":"779573","ts":"1652459223003"}]}';
  const TS = 1652459225507076; // 1652459225.5070758 s
  it('maps the taker side and contract size', () => {
    expect(okxTrades(lookup).canHandle(JSON.parse(TICKER))).toBe(false);
    expect([...okxTrades(lookup).map(JSON.parse(TRADE), TS)]).toEqual([{
      kind: 'trade', instrument: 'okx:BTC-USD-220527', tsEvent: 1652459199958000, tsRecv: TS, side: 1, priceTicks: 302188, sizeLots: 1, tradeId: 7849,
    }]);
  });
  it('maps tickers to a BBO', () => {
    expect([...okxTickers(lookup).map(JSON.parse(TICKER), TS)]).toEqual([{
      kind: 'bbo', instrument: 'okx:BTC-USD-220527', tsEvent: 1652459223003000, tsRecv: TS,
      bidPriceTicks: 302104, bidSizeLots: 4, askPriceTicks: 302201, askSizeLots: 3, updateId: 0,
    }]);
  });
  it('converts cryptofeed float-second receive times to µs', () => {
    expect(parseCryptofeedLine(`1652459225.5070758: ${TRADE}`, 'x').tsRecv).toBe(TS);
  });
});
