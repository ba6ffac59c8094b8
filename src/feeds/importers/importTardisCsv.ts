/**
 * `tardis`: tardis.dev downloadable CSV files (https://docs.tardis.dev/downloadable-csv-files/data-types):
 * comma separated, times in µs since the epoch (UTC), `timestamp` = exchange time, `local_timestamp` =
 * receive time; `.csv.gz` accepted. The data type is recognised from the header:
 *
 * - incremental_book_L2 `exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount`:
 *   amount is the new level size (0 deletes). Rows of one venue message share `local_timestamp`; the
 *   last row of such a group gets EndOfMessage. A run of `is_snapshot=true` rows after non-snapshot
 *   rows (or at the start) is a new snapshot: its first row gets Clear.
 * - trades `exchange,symbol,timestamp,local_timestamp,id,side,price,amount`: side is the aggressor
 *   (`buy`/`sell`); `unknown` and non-integer ids cannot be stored and are bad lines.
 * - quotes `exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount`:
 *   an empty side (no quote) is stored as 0 price and 0 size.
 * - derivative_ticker `exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,
 *   predicted_funding_rate,open_interest,last_price,index_price,mark_price`: a `funding` row when
 *   funding_rate is present, a `mark` row when mark_price is present.
 * Instruments: the caller's spec list, matched by `<exchange>:<symbol>` (tardis exchange ids as venue).
 */
import { HftError } from '../../core/errors.ts';
import { US_PER_HOUR } from '../../core/time.ts';
import { instrument, type Instrument, type InstrumentSpec } from '../../model/instrument.ts';
import { BookFlag, Side, type BookDelta, type MarketEvent } from '../../model/market.ts';
import type { ImportSession } from './ImportSession.ts';
import { readLines } from './readLines.ts';

export const TARDIS_HEADERS = {
  incremental_book_L2: 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
  trades: 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
  quotes: 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount',
  derivative_ticker: 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
} as const;
export type TardisType = keyof typeof TARDIS_HEADERS;

const US = /^\d{1,17}$/;
function micros(text: string, field: string): number {
  if (!US.test(text)) throw new HftError('HFT_ERR_BAD_INPUT', `field '${field}' '${text}' is not µs since the epoch`);
  return Number(text);
}
function units(inc: Instrument['tick'], text: string, field: string): number {
  try { return inc.toUnits(text); } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `field '${field}' '${text}': ${(e as Error).message.replace(/^HFT_ERR_[A-Z_]+: /, '')}`, {}, { cause: e });
  }
}
const optUnits = (inc: Instrument['tick'], text: string, field: string): number => (text === '' ? 0 : units(inc, text, field));

/** Parses one tardis CSV file's rows; stateful only for the book's snapshot runs and message ends. */
export class TardisCsvParser {
  private inSnapshot = false;
  private pending: BookDelta | undefined;

  constructor(readonly type: TardisType, private readonly lookup: (exchange: string, symbol: string) => Instrument) {}

  static typeOfHeader(header: string): TardisType {
    const h = header.replace(/^\uFEFF/, '').trim();
    for (const [t, cols] of Object.entries(TARDIS_HEADERS)) if (cols === h) return t as TardisType;
    throw new HftError('HFT_ERR_BAD_INPUT', `header '${header.slice(0, 120)}' is not a tardis CSV type (${Object.keys(TARDIS_HEADERS).join(', ')})`);
  }

  /** Events completed by this row (a book row is held back until the next row shows whether it ends its message). */
  row(line: string): MarketEvent[] {
    const c = line.split(',');
    const n = TARDIS_HEADERS[this.type].split(',').length;
    if (c.length !== n) throw new HftError('HFT_ERR_BAD_INPUT', `expected ${n} columns (${this.type}), got ${c.length}`);
    const inst = this.lookup(c[0]!, c[1]!);
    const tsEvent = micros(c[2]!, 'timestamp');
    const tsRecv = micros(c[3]!, 'local_timestamp');
    const base = { instrument: inst.id, tsEvent, tsRecv };
    switch (this.type) {
      case 'incremental_book_L2': {
        if (c[4] !== 'true' && c[4] !== 'false') throw new HftError('HFT_ERR_BAD_INPUT', `field 'is_snapshot' '${c[4]}' is not true/false`);
        if (c[5] !== 'bid' && c[5] !== 'ask') throw new HftError('HFT_ERR_BAD_INPUT', `field 'side' '${c[5]}' is not bid/ask`);
        const snap = c[4] === 'true';
        let flags = snap ? BookFlag.Snapshot : 0;
        if (snap && !this.inSnapshot) flags |= BookFlag.Clear;
        const row: BookDelta = { kind: 'book', ...base, side: c[5] === 'bid' ? Side.Bid : Side.Ask, priceTicks: units(inst.tick, c[6]!, 'price'), sizeLots: units(inst.lot, c[7]!, 'amount'), flags, updateId: 0 };
        this.inSnapshot = snap;
        const out: MarketEvent[] = [];
        const prev = this.pending;
        if (prev) {
          const ends = prev.tsRecv !== row.tsRecv || prev.instrument !== row.instrument || (flags & BookFlag.Clear) !== 0;
          out.push(ends ? { ...prev, flags: prev.flags | BookFlag.EndOfMessage } : prev);
        }
        this.pending = row;
        return out;
      }
      case 'trades': {
        if (c[5] !== 'buy' && c[5] !== 'sell') throw new HftError('HFT_ERR_BAD_INPUT', `field 'side' '${c[5]}': only buy/sell aggressor sides can be stored`);
        if (!/^\d{1,15}$/.test(c[4]!)) throw new HftError('HFT_ERR_BAD_INPUT', `field 'id' '${c[4]}' is not an integer trade id`);
        return [{ kind: 'trade', ...base, side: c[5] === 'buy' ? Side.Bid : Side.Ask, priceTicks: units(inst.tick, c[6]!, 'price'), sizeLots: units(inst.lot, c[7]!, 'amount'), tradeId: Number(c[4]) }];
      }
      case 'quotes':
        return [{
          kind: 'bbo', ...base, askSizeLots: optUnits(inst.lot, c[4]!, 'ask_amount'), askPriceTicks: optUnits(inst.tick, c[5]!, 'ask_price'),
          bidPriceTicks: optUnits(inst.tick, c[6]!, 'bid_price'), bidSizeLots: optUnits(inst.lot, c[7]!, 'bid_amount'), updateId: 0,
        }];
      case 'derivative_ticker': {
        const out: MarketEvent[] = [];
        const mark = c[10] === '' ? 0 : units(inst.tick, c[10]!, 'mark_price');
        if (c[5] !== '') {
          const rate = Number(c[5]);
          if (!Number.isFinite(rate)) throw new HftError('HFT_ERR_BAD_INPUT', `field 'funding_rate' '${c[5]}' is not a number`);
          // The CSV has no interval; 8 h is the norm of the perpetuals tardis covers.
          out.push({ kind: 'funding', ...base, rate, intervalUs: 8 * US_PER_HOUR, fundingTimeUs: c[4] === '' ? 0 : micros(c[4]!, 'funding_timestamp'), markPriceTicks: mark });
        }
        if (c[10] !== '') out.push({ kind: 'mark', ...base, markPriceTicks: mark, indexPriceTicks: c[9] === '' ? 0 : units(inst.tick, c[9]!, 'index_price') });
        return out;
      }
    }
  }

  /** The held-back last book row (it ends its message: the file ends). */
  end(): MarketEvent[] {
    const p = this.pending;
    this.pending = undefined;
    return p ? [{ ...p, flags: p.flags | BookFlag.EndOfMessage }] : [];
  }
}

export async function importTardisCsv(files: readonly string[], session: ImportSession, specs: readonly InstrumentSpec[]): Promise<void> {
  const byId = new Map(specs.map((s) => [s.id, instrument(s)]));
  const lookup = (exchange: string, symbol: string): Instrument => {
    const i = byId.get(`${exchange}:${symbol}`);
    if (!i) throw new HftError('HFT_ERR_NOT_FOUND', `instrument '${exchange}:${symbol}' is not in the instrument list (${byId.size} loaded)`);
    return i;
  };
  const specOf = (id: string): InstrumentSpec => specs.find((s) => s.id === id)!;
  for (const path of files) {
    let parser: TardisCsvParser | undefined;
    for await (const { line, lineNo } of readLines(path)) {
      session.report.lines++;
      if (lineNo === 1) {
        try { parser = new TardisCsvParser(TardisCsvParser.typeOfHeader(line), lookup); } catch (e) {
          throw new HftError('HFT_ERR_BAD_INPUT', `${path}:1: ${(e as Error).message.replace(/^HFT_ERR_[A-Z_]+: /, '')}`, {}, { cause: e });
        }
        session.ignore('header');
        continue;
      }
      if (line === '') { session.ignore('empty line'); continue; }
      let events: MarketEvent[];
      try { events = parser!.row(line); } catch (e) { session.bad(path, lineNo, line, e); continue; }
      session.accept(events, specOf);
    }
    if (parser) session.accept(parser.end(), specOf, false);
  }
}
