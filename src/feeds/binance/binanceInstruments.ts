/**
 * InstrumentSpecs from Binance `exchangeInfo` (parsed JSON): spot `/api/v3/exchangeInfo`, USDⓈ-M
 * `/fapi/v1/exchangeInfo`, COIN-M `/dapi/v1/exchangeInfo`. Tick = PRICE_FILTER.tickSize, lot =
 * LOT_SIZE.stepSize; COIN-M contracts are inverse with `contractSize` USD per contract.
 * exchangeInfo carries no fees: the regular-user (VIP 0) base rates are filled in; a scenario that
 * cares overrides them from config.
 */
import { HftError } from '../../core/errors.ts';
import { instrumentId, type InstrumentKind, type InstrumentSpec } from '../../model/instrument.ts';
import type { VenueId } from '../normalizer.ts';

type Obj = Record<string, unknown>;
type BinanceVenue = Extract<VenueId, 'binance-spot' | 'binance-usdm' | 'binance-coinm'>;

const FEES: Record<BinanceVenue, { maker: string; taker: string }> = {
  'binance-spot': { maker: '0.001', taker: '0.001' },
  'binance-usdm': { maker: '0.0002', taker: '0.0005' },
  'binance-coinm': { maker: '0.0002', taker: '0.0005' },
};

function field(o: Obj, name: string, where: string): string {
  const v = o[name];
  if (typeof v !== 'string' && typeof v !== 'number') throw new HftError('HFT_ERR_BAD_INPUT', `exchangeInfo ${where}: missing field '${name}'`, { field: name });
  return String(v);
}

function filter(sym: Obj, type: string, key: string, where: string): string {
  const filters = sym.filters;
  if (!Array.isArray(filters)) throw new HftError('HFT_ERR_BAD_INPUT', `exchangeInfo ${where}: missing 'filters'`);
  const f = filters.find((x: Obj) => x.filterType === type) as Obj | undefined;
  if (!f) throw new HftError('HFT_ERR_BAD_INPUT', `exchangeInfo ${where}: no ${type} filter`);
  return field(f, key, `${where} ${type}`);
}

/** Parses an exchangeInfo body. Symbols whose kind is not listed (e.g. delivery futures when only perps are wanted) are kept with their kind. */
export function binanceInstruments(venue: BinanceVenue, exchangeInfo: unknown): InstrumentSpec[] {
  const symbols = (exchangeInfo as Obj | null)?.symbols;
  if (!Array.isArray(symbols)) throw new HftError('HFT_ERR_BAD_INPUT', `exchangeInfo for ${venue}: no 'symbols' array`);
  return symbols.map((s: Obj, i: number) => {
    const where = `symbols[${i}]`;
    const symbol = field(s, 'symbol', where);
    const base = field(s, 'baseAsset', where);
    const quote = field(s, 'quoteAsset', where);
    let kind: InstrumentKind = 'spot';
    let settle = quote;
    let contractMultiplier = '1';
    if (venue !== 'binance-spot') {
      const perp = s.contractType === 'PERPETUAL';
      if (venue === 'binance-usdm') {
        kind = perp ? 'linear_perp' : 'linear_future';
        settle = typeof s.marginAsset === 'string' ? s.marginAsset : quote;
      } else {
        kind = perp ? 'inverse_perp' : 'inverse_future';
        settle = typeof s.marginAsset === 'string' ? s.marginAsset : base;
        contractMultiplier = field(s, 'contractSize', where);
      }
    }
    return {
      id: instrumentId(venue, symbol), venue, symbol, kind, base, quote, settle,
      tickSize: filter(s, 'PRICE_FILTER', 'tickSize', `${where} (${symbol})`),
      lotSize: filter(s, 'LOT_SIZE', 'stepSize', `${where} (${symbol})`),
      contractMultiplier,
      makerFeeRate: FEES[venue].maker,
      takerFeeRate: FEES[venue].taker,
    };
  });
}
