/** Real input for tick-store tests: a binance-capture session normalized in memory (no store code). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BinanceBookSync } from '../../../src/feeds/binance/BinanceBookSync.ts';
import { binanceBookTicker } from '../../../src/feeds/binance/bookTicker.ts';
import { captureInstruments } from '../../../src/feeds/binance/captureInstruments.ts';
import { binanceTrade } from '../../../src/feeds/binance/trade.ts';
import { isDepthSnapshot, parseBinanceCaptureLine } from '../../../src/feeds/capture/binanceCaptureLine.ts';
import { instrumentLookup } from '../../../src/feeds/instrumentLookup.ts';
import type { VenueId } from '../../../src/feeds/normalizer.ts';
import type { InstrumentSpec } from '../../../src/model/instrument.ts';
import { allocBatch, pushEvent, type MarketBatch, type MarketEvent } from '../../../src/model/market.ts';

export const CAPTURE = '/work/shared/data/binance-capture';

export function captureEvents(venue: VenueId, symbol: string, files: readonly string[]): { spec: InstrumentSpec; events: MarketEvent[] } {
  const lookup = instrumentLookup(venue, captureInstruments);
  const sync = new BinanceBookSync(venue, lookup);
  const others = [binanceTrade(venue, lookup), binanceBookTicker(venue, lookup)];
  const events: MarketEvent[] = [];
  for (const f of files) {
    gunzipSync(readFileSync(f)).toString('utf8').split('\n').forEach((line, i) => {
      if (!line) return;
      const r = parseBinanceCaptureLine(line, `${f}:${i + 1}`);
      if (isDepthSnapshot(r.msg)) events.push(...sync.snapshot(symbol, r.msg, r.tsRecv));
      else if (sync.canHandle(r.msg)) events.push(...sync.map(r.msg, r.tsRecv));
      else { const n = others.find((x) => x.canHandle(r.msg)); if (n) events.push(...n.map(r.msg, r.tsRecv)); }
    });
  }
  // Stable by receive time: buffered diffs are stamped with the snapshot's receive time.
  const order = events.map((_, i) => i).sort((a, b) => events[a]!.tsRecv - events[b]!.tsRecv || a - b);
  return { spec: captureInstruments.find((s) => s.id === `${venue}:${symbol}`)!, events: order.map((i) => events[i]!) };
}

export function toBatch(events: readonly MarketEvent[]): MarketBatch {
  const b = allocBatch(events.length);
  for (const e of events) pushEvent(b, e, 0);
  return b;
}
