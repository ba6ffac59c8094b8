/**
 * `cryptofeed`: raw captures of the cryptofeed recorder (`<unix s>: <ws message>` and
 * `<url> -> <unix s>: <REST body>` lines), Binance spot / USDⓈ-M / COIN-M and OKX.
 *
 * All files of one exchange (e.g. `BINANCE.http.0.0` with the depth snapshots and `BINANCE.ws.1.0`)
 * were recorded side by side, so their records are merged by receive time (stable; ws lines before
 * REST lines on equal times) and run through one synchronizer per exchange: Binance diff depth with
 * the REST snapshot rules, OKX `books` with its CRC32 checks (a mismatch is an in-band gap row).
 * Instruments come from the recorder's own instrument list `<dir>/<EXCHANGE>.0` (exchangeInfo,
 * OKX instruments), or `instrumentsFile` when given.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HftError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { MarketEvent } from '../../model/market.ts';
import { binanceAggTrade } from '../binance/aggTrade.ts';
import { BinanceBookSync } from '../binance/BinanceBookSync.ts';
import { binanceInstruments } from '../binance/binanceInstruments.ts';
import { binanceBookTicker } from '../binance/bookTicker.ts';
import { binanceTrade } from '../binance/trade.ts';
import { parseCryptofeedLine, symbolOfUrl, type CryptofeedRecord } from '../capture/cryptofeedLine.ts';
import { cryptofeedBinanceVenue } from '../check/checkCryptofeedBinance.ts';
import { instrumentLookup } from '../instrumentLookup.ts';
import type { Normalizer, VenueId } from '../normalizer.ts';
import { OkxBookSync } from '../okx/OkxBookSync.ts';
import { okxInstruments } from '../okx/okxInstruments.ts';
import { okxTickers } from '../okx/tickers.ts';
import { okxTrades } from '../okx/trades.ts';
import type { ImportSession } from './ImportSession.ts';
import { readLines } from './readLines.ts';

interface Rec { readonly rec: CryptofeedRecord; readonly file: string; readonly lineNo: number; readonly line: string }

const exchangeOf = (path: string): string => basename(path).split('.')[0]!;
const venueOf = (exchange: string): VenueId => (exchange === 'OKX' ? 'okx' : cryptofeedBinanceVenue(exchange));

async function loadInstruments(exchange: string, venue: VenueId, path: string): Promise<InstrumentSpec[]> {
  if (!existsSync(path)) throw new HftError('HFT_ERR_NOT_FOUND', `instrument list ${path} not found (the recorder's ${exchange}.0; or pass --instruments)`);
  const specs: InstrumentSpec[] = [];
  for await (const { line, lineNo } of readLines(path)) {
    if (line === '') continue;
    const r = parseCryptofeedLine(line, `${path}:${lineNo}`);
    if (r.type !== 'rest') continue;
    if (venue === 'okx') {
      if (/instType=OPTION/.test(r.url)) continue;
      specs.push(...okxInstruments(r.msg));
    } else if (/exchangeInfo/.test(r.url)) {
      // 2021 spot books hold levels at a pre-change finer tick: quote precision is the exact price grain
      // (same choice as `hft data check`, see binanceInstruments.ts).
      specs.push(...binanceInstruments(venue as Extract<VenueId, 'binance-spot' | 'binance-usdm' | 'binance-coinm'>, r.msg, { spotPriceGrain: 'quotePrecision' }));
    }
  }
  if (specs.length === 0) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: no instruments for ${venue}`);
  return specs;
}

export async function importCryptofeed(files: readonly string[], session: ImportSession, opts: { instrumentsFile?: string } = {}): Promise<void> {
  const byExchange = new Map<string, string[]>();
  for (const f of files) {
    const ex = exchangeOf(f);
    venueOf(ex); // unsupported exchange: fail before reading
    byExchange.set(ex, [...(byExchange.get(ex) ?? []), f]);
  }
  for (const [exchange, exFiles] of byExchange) {
    const venue = venueOf(exchange);
    const specs = await loadInstruments(exchange, venue, opts.instrumentsFile ?? join(dirname(exFiles[0]!), `${exchange}.0`));
    const byId = new Map(specs.map((s) => [s.id, s]));
    const specOf = (id: string): InstrumentSpec => byId.get(id)!;
    const lookup = instrumentLookup(venue, specs);

    const recs: Rec[] = [];
    for (const file of exFiles) {
      for await (const { line, lineNo } of readLines(file)) {
        session.report.lines++;
        if (line === '') { session.ignore('empty line'); continue; }
        try {
          recs.push({ rec: parseCryptofeedLine(line, `${file}:${lineNo}`), file, lineNo, line });
        } catch (e) { session.bad(file, lineNo, line, e); }
      }
    }
    const rank = (r: Rec): number => (r.rec.type === 'rest' ? 1 : 0);
    const order = recs.map((_, i) => i).sort((a, b) => recs[a]!.rec.tsRecv - recs[b]!.rec.tsRecv || rank(recs[a]!) - rank(recs[b]!) || a - b);

    const binanceSync = venue === 'okx' ? undefined : new BinanceBookSync(venue, lookup);
    const okxSync = venue === 'okx' ? new OkxBookSync(lookup) : undefined;
    const normalizers: Normalizer[] = venue === 'okx'
      ? [okxSync!, okxTrades(lookup), okxTickers(lookup)]
      : [binanceSync!, binanceTrade(venue, lookup), binanceAggTrade(venue, lookup), binanceBookTicker(venue, lookup)];

    for (const i of order) {
      const { rec, file, lineNo, line } = recs[i]!;
      let events: MarketEvent[];
      try {
        if (rec.type === 'rest') {
          if (!binanceSync || !/\/depth\?/.test(rec.url)) { session.ignore('REST response other than a depth snapshot'); continue; }
          const symbol = symbolOfUrl(rec.url);
          if (!symbol) throw new HftError('HFT_ERR_BAD_INPUT', `depth snapshot URL without a symbol: ${rec.url}`);
          events = [...binanceSync.snapshot(symbol, rec.msg, rec.tsRecv)];
        } else if (rec.type === 'ws') {
          const n = normalizers.find((x) => x.canHandle(rec.msg));
          if (!n) { session.ignore('ws message of a channel not stored (acks, klines)'); continue; }
          events = [...n.map(rec.msg, rec.tsRecv)];
        } else {
          session.ignore(`recorder ${rec.type} line`);
          continue;
        }
      } catch (e) {
        session.bad(file, lineNo, line, e);
        continue;
      }
      session.accept(events, specOf);
    }
  }
}
