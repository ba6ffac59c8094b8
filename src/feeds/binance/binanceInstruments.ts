/**
 * InstrumentSpecs from Binance `exchangeInfo` (parsed JSON): spot `/api/v3/exchangeInfo`, USDⓈ-M
 * `/fapi/v1/exchangeInfo`, COIN-M `/dapi/v1/exchangeInfo`. Order increments: PRICE_FILTER.tickSize and
 * LOT_SIZE.stepSize; COIN-M contracts are inverse with `contractSize` USD per contract.
 *
 * The FEED grain (tickSize/lotSize of the spec, what book and trade messages are converted with) can be
 * finer than the order increments, found on the cryptofeed captures:
 * - spot depth quantities are in base-asset precision, not stepSize (BINANCE.http.0.0: RUNEEUR-era
 *   snapshot has `11979.30000000` where stepSize is 1): lot = 10^-baseAssetPrecision;
 * - futures books keep levels placed before a tick-size increase (BINANCE_FUTURES.http.0.0, CTKUSDT:
 *   `0.50579` with tickSize 0.00100): tick = 10^-pricePrecision when finer than tickSize.
 * - spot books also keep levels at a pre-change finer tick (BINANCE.http.0.0, NKNUSDT: `0.25974000`
 *   with tickSize 0.0001), but spot exchangeInfo has no price precision besides quoteAssetPrecision (8):
 *   option `spotPriceGrain: 'quotePrecision'` uses it (exact for any such book, at the cost of a sparse
 *   tick grid), the default keeps tickSize (dense grid; fits the 2024 BTC/ETH captures).
 * The order increments are then kept in orderTickSize / orderLotSize.
 * exchangeInfo carries no fees: the regular-user (VIP 0) base rates are filled in; a scenario that
 * cares overrides them from config.
 */
import { HftError } from '../../core/errors.ts';
import { Increment } from '../../core/fixed.ts';
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

/** 10^-precision when that is finer than `increment`, else `increment` (as given). */
function finer(increment: string, precision: unknown): string {
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 0) return increment;
  const grain = new Increment(precision === 0 ? '1' : `0.${'0'.repeat(precision - 1)}1`);
  try {
    return grain.toUnits(increment) > 1 ? grain.text : increment;
  } catch {
    return increment; // increment finer than the precision: the increment is the grain
  }
}

/** Parses an exchangeInfo body. Symbols whose kind is not listed (e.g. delivery futures when only perps are wanted) are kept with their kind. */
export interface BinanceInstrumentsOptions {
  readonly spotPriceGrain?: 'tickSize' | 'quotePrecision';
}

export function binanceInstruments(venue: BinanceVenue, exchangeInfo: unknown, options: BinanceInstrumentsOptions = {}): InstrumentSpec[] {
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
    const orderTickSize = filter(s, 'PRICE_FILTER', 'tickSize', `${where} (${symbol})`);
    const orderLotSize = filter(s, 'LOT_SIZE', 'stepSize', `${where} (${symbol})`);
    const spotGrain = options.spotPriceGrain === 'quotePrecision' ? s.quoteAssetPrecision ?? s.quotePrecision : undefined;
    const tickSize = finer(orderTickSize, venue === 'binance-spot' ? spotGrain : s.pricePrecision);
    const lotSize = finer(orderLotSize, venue === 'binance-spot' ? s.baseAssetPrecision : s.quantityPrecision);
    return {
      id: instrumentId(venue, symbol), venue, symbol, kind, base, quote, settle,
      tickSize, lotSize, contractMultiplier,
      makerFeeRate: FEES[venue].maker,
      takerFeeRate: FEES[venue].taker,
      ...(tickSize !== orderTickSize ? { orderTickSize } : {}),
      ...(lotSize !== orderLotSize ? { orderLotSize } : {}),
    };
  });
}
