import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isHftError } from '../../../src/core/errors.ts';
import { main } from '../../../src/cli/main.ts';
import { runImport } from '../../../src/feeds/importers/runImport.ts';
import { openTickStore } from '../../../src/feeds/tickstore/TickStore.ts';
import { BookFlag, eventAt, type MarketEvent } from '../../../src/model/market.ts';

const dir = mkdtempSync(join(tmpdir(), 'hft-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CAPTURE = '/work/shared/data/binance-capture';
const FUNDING = '/work/shared/data/funding';
const CF = '/work/shared/data/cryptofeed';

async function events(out: string, id: string): Promise<MarketEvent[]> {
  const all: MarketEvent[] = [];
  for await (const b of openTickStore(out).read({ instruments: [id] })) for (let i = 0; i < b.length; i++) all.push(eventAt(b, i, [id]));
  return all;
}
const utcUs = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h) * 1000;

describe('hft import binance-capture', () => {
  const out = join(dir, 'bc');
  it('stores the book from the REST snapshot on, and every trade and bookTicker', async () => {
    const r = await runImport('binance-capture', [`${CAPTURE}/spot/btcusdt_20240809.gz`, `${CAPTURE}/spot/btcusdt_20240808.gz`], { out });
    expect(r.quarantined).toBe(0);
    const ev = await events(out, 'binance-spot:BTCUSDT');
    const book = ev.filter((e) => e.kind === 'book');
    // Line 8 of the 08 file: {"lastUpdateId":50093239218,"bids":[["61837.63000000","3.78826000"],...}, received at ns 1723161254206652067.
    expect(book[0]).toMatchObject({ priceTicks: 6183763, sizeLots: 378826000, side: 1, updateId: 50093239218, tsRecv: 1723161254206652, flags: BookFlag.Snapshot | BookFlag.Clear });
    expect(ev.filter((e) => e.kind === 'gap')).toEqual([]);
    expect(ev.filter((e) => e.kind === 'trade').length).toBe(9757 + 10147); // data README counts
    expect(ev.filter((e) => e.kind === 'bbo').length).toBe(28040 + 45134);
    expect(Object.values(r.rows).reduce((a, b) => a + b, 0)).toBe(ev.length);
  }, 120_000);

  it('fails on a malformed line naming file and line number', async () => {
    const lines = gunzipSync(readFileSync(`${CAPTURE}/spot/btcusdt_20240808.gz`)).toString('utf8').split('\n').slice(0, 200);
    lines[4] = lines[4]!.slice(0, 60); // truncated JSON on line 5
    lines[9] = `abc ${lines[9]!.split(' ')[1]}`; // bad timestamp on line 10
    const bad = join(dir, 'spot', 'btcusdt_20240808.gz');
    rmSync(join(dir, 'spot'), { recursive: true, force: true });
    mkdirSync(join(dir, 'spot'), { recursive: true });
    writeFileSync(bad, gzipSync(lines.join('\n')));
    const err = await runImport('binance-capture', [bad], { out: join(dir, 'bad1') }).catch((e: unknown) => e);
    expect(isHftError(err, 'HFT_ERR_BAD_INPUT')).toBe(true);
    expect((err as Error).message).toContain(`${bad}:5: invalid JSON`);
    expect(existsSync(join(dir, 'bad1', 'manifest.json'))).toBe(false);

    const out2 = join(dir, 'bad2');
    const r = await runImport('binance-capture', [bad], { out: out2, skipBad: true });
    expect(r.quarantined).toBe(2);
    const q = readFileSync(join(out2, 'quarantine', 'btcusdt_20240808.gz.bad'), 'utf8').split('\n');
    expect(q[0]).toBe(`# ${bad}:5: invalid JSON: ${q[0]!.split('invalid JSON: ')[1]}`);
    expect(q[1]).toBe(lines[4]);
    expect(q[2]).toMatch(new RegExp(`^# ${bad}:10: expected '<ns> <json>'`));
    expect(q[3]).toBe(lines[9]);
    expect(r.acceptedLines + r.quarantined + Object.values(r.ignored).reduce((a, b) => a + b, 0)).toBe(r.lines);
  }, 60_000);
});

describe('hft import funding-csv', () => {
  const out = join(dir, 'funding');
  it('moves the UTC+3 dates of Binance back 3 h and keeps Gate as UTC', async () => {
    const r = await runImport('funding-csv', [
      `${FUNDING}/BTC-USDT/BTC-USDT_binance_2020-01-01_2024-01-01_funding_history.csv`,
      `${FUNDING}/BTC-USDT/BTC-USDT_gate_2020-01-01_2024-01-01_funding_history.csv`,
    ], { out });
    expect(r.quarantined).toBe(0);
    const bin = await events(out, 'binance-usdm:BTCUSDT');
    // CSV line 2: BTC-USDT,2020-01-01 03:00:00.000,-0.00012359  -> the 00:00 UTC funding.
    expect(bin[0]).toMatchObject({ kind: 'funding', tsEvent: utcUs(2020, 1, 1, 0), fundingTimeUs: utcUs(2020, 1, 1, 0), rate: -0.00012359, intervalUs: 8 * 3600e6 });
    // Last line: BTC-USDT,2023-12-31 19:00:00.000,0.00033597 -> 16:00 UTC.
    expect(bin.at(-1)).toMatchObject({ tsEvent: utcUs(2023, 12, 31, 16), rate: 0.00033597 });
    expect(bin.length).toBe(4383);
    // Binance settles at 00/08/16 UTC: after the correction every row is on one of those hours.
    expect(new Set(bin.map((e) => new Date(e.tsEvent / 1000).getUTCHours()))).toEqual(new Set([0, 8, 16]));
    const gate = await events(out, 'gate:BTC-USDT');
    // Gate line 2: BTC-USDT,2020-01-01 00:00:00,0.0001 (already UTC).
    expect(gate[0]).toMatchObject({ tsEvent: utcUs(2020, 1, 1, 0), rate: 0.0001 });
  }, 60_000);

  it('names file and line of a bad date, and quarantines it with --skip-bad', async () => {
    const lines = readFileSync(`${FUNDING}/ETH-USDT/ETH-USDT_mexc_2021-01-01_2024-01-01_funding_history.csv`, 'utf8').split('\n').slice(0, 50);
    lines[6] = 'ETH-USDT,2021-13-01 03:00,0.0001';
    const f = join(dir, 'ETH-USDT_mexc_2021-01-01_2024-01-01_funding_history.csv');
    writeFileSync(f, lines.join('\n'));
    await expect(runImport('funding-csv', [f], { out: join(dir, 'fb') })).rejects.toThrow(`${f}:7: field 'Date' '2021-13-01 03:00'`);
    const r = await runImport('funding-csv', [f], { out: join(dir, 'fb2'), skipBad: true });
    expect(r.quarantined).toBe(1);
    expect(r.rows['mexc:ETH-USDT']).toBe(49 - 1); // 50 lines = header + 49 rows
  });
});

describe('hft import cryptofeed', () => {
  it('imports OKX books, trades and tickers with every checksum matching (no gap rows)', async () => {
    const out = join(dir, 'okx');
    const r = await runImport('cryptofeed', [`${CF}/OKX.ws.1.0`], { out });
    expect(Object.keys(r.rows).sort()).toEqual(['okx:BTC-USD-220527', 'okx:BTC-USDT', 'okx:UNI-USD-SWAP']);
    for (const id of Object.keys(r.rows)) {
      const ev = await events(out, id);
      expect(ev.filter((e) => e.kind === 'gap')).toEqual([]);
      expect(ev.filter((e) => e.kind === 'book')[0]!.kind === 'book' && (ev.find((e) => e.kind === 'book') as { flags: number }).flags & BookFlag.Clear).toBeTruthy();
    }
  }, 60_000);

  it('imports Binance spot with the REST snapshots of the http file', async () => {
    const out = join(dir, 'cfb');
    const r = await runImport('cryptofeed', [`${CF}/BINANCE.ws.1.0`, `${CF}/BINANCE.http.0.0`], { out });
    expect(r.quarantined).toBe(0);
    const ev = await events(out, 'binance-spot:NKNUSDT');
    expect(ev.filter((e) => e.kind === 'gap')).toEqual([]);
    // BINANCE.http.0.0 line 1: depth?symbol=NKNUSDT -> {"lastUpdateId":499869752, "bids":[["0.35210000","672.00000000"], ...
    expect(ev.find((e) => e.kind === 'book')).toMatchObject({ updateId: 499869752, flags: BookFlag.Snapshot | BookFlag.Clear });
  }, 60_000);
});

describe('hft import tardis', () => {
  const specs = [{ id: 'binance-futures:BTCUSDT', venue: 'binance-futures', symbol: 'BTCUSDT', kind: 'linear_perp', base: 'BTC', quote: 'USDT', settle: 'USDT', tickSize: '0.1', lotSize: '0.001', contractMultiplier: '1', makerFeeRate: '0.0002', takerFeeRate: '0.0005' }];
  const specFile = join(dir, 'specs.json');
  writeFileSync(specFile, JSON.stringify(specs));
  // Written by hand in the documented format (https://docs.tardis.dev/downloadable-csv-files/data-types).
  const book = join(dir, 'binance-futures_incremental_book_L2_2024-08-09_BTCUSDT.csv');
  writeFileSync(book, [
    'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
    'binance-futures,BTCUSDT,1723161600000000,1723161600100000,true,ask,61000.5,1.5',
    'binance-futures,BTCUSDT,1723161600000000,1723161600100000,true,bid,60999.9,2',
    'binance-futures,BTCUSDT,1723161600200000,1723161600300000,false,bid,60999.9,0',
    'binance-futures,BTCUSDT,1723161600200000,1723161600300000,false,bid,60999.8,0.25',
    'binance-futures,BTCUSDT,1723161600400000,1723161600500000,false,ask,61000.6,3',
    '',
  ].join('\n'));
  const trades = join(dir, 'trades.csv');
  writeFileSync(trades, ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
    'binance-futures,BTCUSDT,1723161600010000,1723161600110000,5000001,sell,60999.9,0.004'].join('\n'));
  const quotes = join(dir, 'quotes.csv');
  writeFileSync(quotes, ['exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount',
    'binance-futures,BTCUSDT,1723161600020000,1723161600120000,1.5,61000.5,60999.9,2'].join('\n'));
  const deriv = join(dir, 'derivative_ticker.csv');
  writeFileSync(deriv, ['exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
    'binance-futures,BTCUSDT,1723161600030000,1723161600130000,1723190400000000,0.0001,,80000.5,61000,60990.2,60995.3'].join('\n'));

  it('maps the four documented CSV types to market rows (hand-computed ticks and lots)', async () => {
    const out = join(dir, 'tardis');
    await runImport('tardis', [book, trades, quotes, deriv], { out, instrumentsFile: specFile });
    const ev = await events(out, 'binance-futures:BTCUSDT');
    const S = BookFlag.Snapshot; const C = BookFlag.Clear; const E = BookFlag.EndOfMessage;
    const b = { kind: 'book', instrument: 'binance-futures:BTCUSDT', updateId: 0 };
    expect(ev).toEqual([
      { ...b, tsEvent: 1723161600000000, tsRecv: 1723161600100000, side: -1, priceTicks: 610005, sizeLots: 1500, flags: S | C },
      { ...b, tsEvent: 1723161600000000, tsRecv: 1723161600100000, side: 1, priceTicks: 609999, sizeLots: 2000, flags: S | E },
      { kind: 'trade', instrument: 'binance-futures:BTCUSDT', tsEvent: 1723161600010000, tsRecv: 1723161600110000, side: -1, priceTicks: 609999, sizeLots: 4, tradeId: 5000001 },
      { kind: 'bbo', instrument: 'binance-futures:BTCUSDT', tsEvent: 1723161600020000, tsRecv: 1723161600120000, bidPriceTicks: 609999, bidSizeLots: 2000, askPriceTicks: 610005, askSizeLots: 1500, updateId: 0 },
      { kind: 'funding', instrument: 'binance-futures:BTCUSDT', tsEvent: 1723161600030000, tsRecv: 1723161600130000, rate: 0.0001, intervalUs: 8 * 3600e6, fundingTimeUs: 1723190400000000, markPriceTicks: 609953 },
      { kind: 'mark', instrument: 'binance-futures:BTCUSDT', tsEvent: 1723161600030000, tsRecv: 1723161600130000, markPriceTicks: 609953, indexPriceTicks: 609902 },
      { ...b, tsEvent: 1723161600200000, tsRecv: 1723161600300000, side: 1, priceTicks: 609999, sizeLots: 0, flags: 0 },
      { ...b, tsEvent: 1723161600200000, tsRecv: 1723161600300000, side: 1, priceTicks: 609998, sizeLots: 250, flags: E },
      { ...b, tsEvent: 1723161600400000, tsRecv: 1723161600500000, side: -1, priceTicks: 610006, sizeLots: 3000, flags: E },
    ]);
  });

  it('reports a price off the tick grid with file and line through the CLI', async () => {
    const f = join(dir, 'badtrades.csv');
    writeFileSync(f, `${readFileSync(trades, 'utf8')}\nbinance-futures,BTCUSDT,1723161600010000,1723161600110001,5000002,buy,60999.95,0.004\n`);
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), env: {}, cwd: dir, isTTY: false };
    expect(await main(['import', 'tardis', f, '--out', join(dir, 'tb'), '--instruments', specFile], io)).toBe(1);
    expect(err.join('\n')).toContain(`${f}:3: field 'price' '60999.95'`);
    const outLines: string[] = [];
    expect(await main(['import', 'tardis', f, '--out', join(dir, 'tb2'), '--instruments', specFile, '--skip-bad'], { ...io, out: (l: string) => outLines.push(l) })).toBe(0);
    expect(outLines[0]).toBe('lines 3, accepted 1, quarantined 1');
  });
});
