/**
 * Loads a binance-capture spot file through the real normalizers (BinanceBookSync for depth + the REST
 * snapshot, binanceTrade for trades) into one MarketBatch in capture (receive) order.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BinanceBookSync } from '../../src/feeds/binance/BinanceBookSync.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { binanceTrade } from '../../src/feeds/binance/trade.ts';
import { isDepthSnapshot, parseBinanceCaptureLine } from '../../src/feeds/capture/binanceCaptureLine.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';
import type { Instrument } from '../../src/model/instrument.ts';
import { allocBatch, pushEvent, type MarketBatch, type MarketEvent } from '../../src/model/market.ts';

export function loadSpotCapture(path: string, symbol: string): { instrument: Instrument; batch: MarketBatch; gaps: number } {
  const lookup = instrumentLookup('binance-spot', captureInstruments);
  const sync = new BinanceBookSync('binance-spot', lookup);
  const trades = binanceTrade('binance-spot', lookup);
  const events: MarketEvent[] = [];
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  lines.forEach((line, n) => {
    if (line === '') return;
    const { tsRecv, msg } = parseBinanceCaptureLine(line, `${path}:${n + 1}`);
    if (isDepthSnapshot(msg)) events.push(...sync.snapshot(symbol, msg, tsRecv));
    else if (sync.canHandle(msg)) events.push(...sync.map(msg, tsRecv));
    else if (trades.canHandle(msg)) events.push(...trades.map(msg, tsRecv));
  });
  const batch = allocBatch(events.length);
  for (const e of events) pushEvent(batch, e, 0);
  return { instrument: lookup(symbol), batch, gaps: sync.stats.gaps };
}
