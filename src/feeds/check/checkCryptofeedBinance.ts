/**
 * Book check of a cryptofeed Binance capture: the WebSocket file (`BINANCE*.ws.N.0`: diff depth and
 * bookTicker of several symbols) and the REST depth snapshots (`BINANCE*.http.N.0`) were recorded side
 * by side, so they are merged by receive time (stable: ws before REST on equal times) and replayed
 * through one BinanceBookCheck. Pure; the caller parses the lines.
 */
import { HftError } from '../../core/errors.ts';
import { symbolOfUrl, type CryptofeedRecord } from '../capture/cryptofeedLine.ts';
import type { InstrumentLookup, VenueId } from '../normalizer.ts';
import { BinanceBookCheck } from './BinanceBookCheck.ts';

/** Venue of a cryptofeed Binance file name prefix: BINANCE, BINANCE_FUTURES, BINANCE_DELIVERY. */
export function cryptofeedBinanceVenue(exchange: string): VenueId {
  switch (exchange) {
    case 'BINANCE': return 'binance-spot';
    case 'BINANCE_FUTURES': return 'binance-usdm';
    case 'BINANCE_DELIVERY': return 'binance-coinm';
    default: throw new HftError('HFT_ERR_BAD_INPUT', `'${exchange}' is not a cryptofeed Binance exchange (BINANCE, BINANCE_FUTURES, BINANCE_DELIVERY)`);
  }
}

export function checkCryptofeedBinance(venue: VenueId, lookup: InstrumentLookup, ws: readonly CryptofeedRecord[], rest: readonly CryptofeedRecord[]): BinanceBookCheck {
  const check = new BinanceBookCheck(venue, lookup);
  const all = [...ws.filter((r) => r.type === 'ws'), ...rest.filter((r) => r.type === 'rest')];
  const order = all.map((_, i) => i).sort((a, b) => all[a]!.tsRecv - all[b]!.tsRecv || a - b);
  for (const i of order) {
    const r = all[i]!;
    if (r.type === 'ws') check.onMessage(r.msg, r.tsRecv);
    else if (r.type === 'rest' && /\/depth\?/.test(r.url)) {
      const symbol = symbolOfUrl(r.url);
      if (!symbol) throw new HftError('HFT_ERR_BAD_INPUT', `depth snapshot URL without a symbol: ${r.url}`);
      check.onSnapshot(symbol, r.msg, r.tsRecv);
    }
  }
  return check;
}
