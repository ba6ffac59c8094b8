/**
 * `funding-csv`: historical funding settlements `Symbol,Date,Funding Rate`
 * (supervik/historical-funding-rates-fetcher), file `<PAIR>_<venue>_<start>_<end>_funding_history.csv`.
 *
 * Time zone (data README): the Binance, Bybit, HTX, KuCoin and MEXC `Date`s were written in UTC+3
 * (Binance's 00/08/16 UTC fundings appear as 03/11/19), so 3 h are subtracted; Gate and dYdX are UTC.
 * Each row is a settlement: tsEvent = tsRecv = fundingTime. Binance maps to the USDⓈ-M perpetual
 * (`binance-usdm:BTCUSDT`, the instrument the capture data uses); other venues keep their name and
 * the CSV symbol. These series carry no prices, so their tick/lot are nominal ('1').
 * Stored in year files (8-hourly rows over four years would be 1,461 one-row day files).
 */
import { basename } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { US_PER_HOUR } from '../../core/time.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import type { FundingRate } from '../../model/market.ts';
import { captureInstruments } from '../binance/captureInstruments.ts';
import type { ImportSession } from './ImportSession.ts';
import { readLines } from './readLines.ts';

const UTC_PLUS_3 = new Set(['binance', 'bybit', 'htx', 'kucoin', 'mexc']);
const UTC = new Set(['gate', 'dydx']);
/** Nominal settlement interval: dYdX settles hourly, the others every 8 hours. */
const intervalUs = (venue: string): number => (venue === 'dydx' ? 1 : 8) * US_PER_HOUR;

export const FUNDING_HEADER = 'Symbol,Date,Funding Rate';

export function fundingCsvVenue(path: string): string {
  const m = /^([A-Z0-9]+-[A-Z0-9]+)_([a-z]+)_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d_funding_history\.csv$/.exec(basename(path));
  if (!m) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: not a funding history file name (<PAIR>_<venue>_<start>_<end>_funding_history.csv)`);
  const venue = m[2]!;
  if (!UTC_PLUS_3.has(venue) && !UTC.has(venue)) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: unknown funding venue '${venue}' (time zone unknown; known: ${[...UTC_PLUS_3, ...UTC].join(', ')})`);
  return venue;
}

export function fundingInstrument(venue: string, pair: string): InstrumentSpec {
  const [base, quote] = pair.split('-') as [string, string];
  if (venue === 'binance') {
    const s = captureInstruments.find((x) => x.id === `binance-usdm:${base}${quote}`);
    if (s) return s;
  }
  return {
    id: `${venue}:${pair}`, venue, symbol: pair, kind: 'linear_perp', base, quote, settle: quote,
    tickSize: '1', lotSize: '1', contractMultiplier: '1', makerFeeRate: '0', takerFeeRate: '0',
  };
}

const DATE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d{1,6})?$/;
const RATE = /^-?\d+(\.\d+)?(e-?\d+)?$/i;

/** One data row to a funding event (pure). */
export function parseFundingRow(line: string, venue: string, spec: InstrumentSpec, pair: string): FundingRate {
  const cols = line.split(',');
  if (cols.length !== 3) throw new HftError('HFT_ERR_BAD_INPUT', `expected 3 columns (${FUNDING_HEADER}), got ${cols.length}`);
  const [symbol, date, rateText] = cols as [string, string, string];
  if (symbol !== pair) throw new HftError('HFT_ERR_BAD_INPUT', `field 'Symbol' is '${symbol}', the file is for ${pair}`);
  const d = DATE.exec(date);
  if (!d) throw new HftError('HFT_ERR_BAD_INPUT', `field 'Date' '${date}' is not 'YYYY-MM-DD HH:MM:SS[.fff]'`);
  const frac = (d[3] ?? '.').slice(1).padEnd(6, '0');
  const local = Date.parse(`${d[1]}T${d[2]}Z`) * 1000 + Number(frac);
  if (!Number.isFinite(local)) throw new HftError('HFT_ERR_BAD_INPUT', `field 'Date' '${date}' is not a valid time`);
  const t = UTC_PLUS_3.has(venue) ? local - 3 * US_PER_HOUR : local;
  if (!RATE.test(rateText)) throw new HftError('HFT_ERR_BAD_INPUT', `field 'Funding Rate' '${rateText}' is not a number`);
  return { kind: 'funding', instrument: spec.id, tsEvent: t, tsRecv: t, rate: Number(rateText), intervalUs: intervalUs(venue), fundingTimeUs: t, markPriceTicks: 0 };
}

export async function importFundingCsv(files: readonly string[], session: ImportSession): Promise<void> {
  for (const path of files) {
    const venue = fundingCsvVenue(path);
    const pair = basename(path).split('_')[0]!;
    const spec = fundingInstrument(venue, pair);
    session.partition(spec.id, 'year');
    for await (const { line, lineNo } of readLines(path)) {
      session.report.lines++;
      if (lineNo === 1) {
        if (line.replace(/^\uFEFF/, '').trim() !== FUNDING_HEADER) throw new HftError('HFT_ERR_BAD_INPUT', `${path}:1: header must be '${FUNDING_HEADER}', got '${line}'`);
        session.ignore('header');
        continue;
      }
      if (line === '') { session.ignore('empty line'); continue; }
      let e: FundingRate;
      try { e = parseFundingRow(line.trimEnd(), venue, spec, pair); } catch (err) { session.bad(path, lineNo, line, err); continue; }
      session.accept([e], () => spec);
    }
  }
}
