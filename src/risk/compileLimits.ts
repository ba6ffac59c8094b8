/**
 * Turns decimal notional limits into integer thresholds once per instrument, so the per-order checks
 * compare integers exactly (no Decimal per order, no float rounding at the boundary).
 *
 * Notional unit: linear = 1 tick × 1 lot × multiplier (quote); notional units of an order =
 * priceTicks × sizeLots. Inverse = 1 lot × contract value (USD), independent of price; units = sizeLots.
 * notional ≤ limit ⇔ units ≤ floor(limit / unit), because units is an integer.
 */
import { isInverse } from '../model/accounting/contractMath.ts';
import { Money } from '../model/accounting/Money.ts';
import type { Instrument } from '../model/instrument.ts';
import type { RiskConfig } from './RiskConfig.ts';

export interface CompiledLimits {
  readonly maxOrderLots: number;
  readonly maxOrderNotional: string | undefined;
  readonly maxOrderNotionalUnits: number;
  readonly minSizeLots: number;
  readonly maxPositionLots: number;
  readonly maxPositionNotional: string | undefined;
  readonly maxPositionNotionalUnits: number;
  readonly maxTotalNotional: string | undefined;
  readonly maxTotalNotionalValue: number;
  readonly maxOpenOrders: number;
  readonly priceBandBps: number;
  readonly maxBookAgeUs: number;
  /** Value of one notional unit in quote currency (float, for the account-level total only). */
  readonly unitValue: number;
  readonly inverse: boolean;
}

export function notionalUnitOf(inst: Instrument): Money {
  const lotMult = new Money(inst.lotSize).mul(inst.contractMultiplier);
  return isInverse(inst) ? lotMult : lotMult.mul(inst.tickSize);
}

/** Notional units of `sizeLots` at `priceTicks` (integer). */
export const notionalUnits = (inverse: boolean, priceTicks: number, sizeLots: number): number => (inverse ? sizeLots : priceTicks * sizeLots);

/** Exact notional as a decimal string, for denial values. */
export const notionalText = (inst: Instrument, units: number): string => notionalUnitOf(inst).mul(units).toString();

export function compileLimits(config: RiskConfig, inst: Instrument): CompiledLimits {
  const o = { ...config, ...(config.instruments[inst.id] ?? {}) };
  const unit = notionalUnitOf(inst);
  const units = (limit: string | undefined): number => (limit === undefined ? Infinity : new Money(limit).div(unit).floor().toNumber());
  return Object.freeze({
    maxOrderLots: o.maxOrderLots ?? Infinity,
    maxOrderNotional: o.maxOrderNotional, maxOrderNotionalUnits: units(o.maxOrderNotional),
    minSizeLots: o.minSizeLots ?? 1,
    maxPositionLots: o.maxPositionLots ?? Infinity,
    maxPositionNotional: o.maxPositionNotional, maxPositionNotionalUnits: units(o.maxPositionNotional),
    maxTotalNotional: config.maxTotalNotional, maxTotalNotionalValue: config.maxTotalNotional === undefined ? Infinity : Number(config.maxTotalNotional),
    maxOpenOrders: o.maxOpenOrders ?? Infinity,
    priceBandBps: o.priceBandBps ?? Infinity,
    maxBookAgeUs: o.maxBookAgeUs ?? Infinity,
    unitValue: unit.toNumber(),
    inverse: isInverse(inst),
  });
}
