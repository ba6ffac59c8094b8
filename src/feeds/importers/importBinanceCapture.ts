/**
 * `binance-capture`: the hftbacktest recorder files `<spot|usdm|cm>/<symbol>_<yyyymmdd>.gz`, one
 * `<ns> <json>` message a line. Files of one instrument are one session (the snapshot is only in the
 * first day's file), so they run in day order through ONE Binance synchronizer: the stored book rows
 * start with the REST snapshot (Clear+Snapshot), buffered diffs are replayed after it, gaps are in-band.
 * Trades are kept as trades and bookTicker as bbo.
 */
import { HftError } from '../../core/errors.ts';
import type { MarketEvent } from '../../model/market.ts';
import { BinanceBookSync } from '../binance/BinanceBookSync.ts';
import { binanceBookTicker } from '../binance/bookTicker.ts';
import { captureInstruments } from '../binance/captureInstruments.ts';
import { binanceTrade } from '../binance/trade.ts';
import { binanceCaptureFile, isDepthSnapshot, parseBinanceCaptureLine } from '../capture/binanceCaptureLine.ts';
import { instrumentLookup } from '../instrumentLookup.ts';
import type { ImportSession } from './ImportSession.ts';
import { readLines } from './readLines.ts';

const specOf = (id: string) => {
  const s = captureInstruments.find((x) => x.id === id);
  if (!s) throw new HftError('HFT_ERR_NOT_FOUND', `no instrument spec for ${id}`);
  return s;
};

export async function importBinanceCapture(files: readonly string[], session: ImportSession): Promise<void> {
  const groups = new Map<string, { venue: ReturnType<typeof binanceCaptureFile>['venue']; symbol: string; files: { path: string; day: string }[] }>();
  for (const path of files) {
    const f = binanceCaptureFile(path);
    const key = `${f.venue}:${f.symbol}`;
    const g = groups.get(key) ?? { venue: f.venue, symbol: f.symbol, files: [] };
    g.files.push({ path, day: f.day });
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const lookup = instrumentLookup(g.venue, captureInstruments);
    lookup(g.symbol); // unknown instrument: fail before reading anything
    const sync = new BinanceBookSync(g.venue, lookup);
    const normalizers = [binanceTrade(g.venue, lookup), binanceBookTicker(g.venue, lookup)];
    for (const { path } of g.files.sort((a, b) => (a.day < b.day ? -1 : 1))) {
      for await (const { line, lineNo } of readLines(path)) {
        session.report.lines++;
        if (line === '') { session.ignore('empty line'); continue; }
        let events: MarketEvent[];
        try {
          const rec = parseBinanceCaptureLine(line, `${path}:${lineNo}`);
          if (isDepthSnapshot(rec.msg)) events = [...sync.snapshot(g.symbol, rec.msg, rec.tsRecv)];
          else if (sync.canHandle(rec.msg)) events = [...sync.map(rec.msg, rec.tsRecv)];
          else {
            const n = normalizers.find((x) => x.canHandle(rec.msg));
            if (!n) { session.ignore(`unhandled message: ${String((rec.msg as { stream?: unknown }).stream ?? 'no stream')}`); continue; }
            events = [...n.map(rec.msg, rec.tsRecv)];
          }
        } catch (e) {
          session.bad(path, lineNo, line, e);
          continue;
        }
        session.accept(events, specOf);
      }
    }
  }
}
