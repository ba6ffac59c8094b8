/**
 * Money for the simulated venue, exact (decimal.js via model Money), computed once per fill or settlement from
 * integer ticks and lots. Amounts settle in the instrument's `settle` currency: quote for spot and
 * linear contracts, the coin for inverse ones (Binance COIN-M: a contract is worth
 * `contractMultiplier` USD, so its coin value is multiplier / price).
 */
import { HftError } from '../core/errors.ts';
import { Money } from '../model/accounting/Money.ts';
import type { Instrument } from '../model/instrument.ts';

export interface FillMoney {
  readonly price: string;
  readonly size: string;
  /** > 0 paid, < 0 rebate received. */
  readonly fee: string;
}

export interface FundingMoney {
  readonly rate: string;
  readonly position: string;
  readonly markPrice: string;
  /** Change of the balance: negative = paid (a long pays a positive rate), positive = received. */
  readonly amount: string;
}

export class FeeAndFunding {
  readonly currency: string;
  private readonly inst: Instrument;
  private readonly inverse: boolean;
  private readonly multiplier: Money;
  private readonly makerRate: Money;
  private readonly takerRate: Money;
  constructor(inst: Instrument) {
    this.inst = inst;
    this.currency = inst.settle;
    this.inverse = inst.kind === 'inverse_perp' || inst.kind === 'inverse_future';
    this.multiplier = parse(inst, 'contractMultiplier');
    this.makerRate = parse(inst, 'makerFeeRate');
    this.takerRate = parse(inst, 'takerFeeRate');
  }

  /** Value in the settle currency of `sizeLots` at `priceTicks` (always >= 0 for size >= 0). */
  private notional(price: Money, size: Money): Money {
    return this.inverse ? size.times(this.multiplier).dividedBy(price) : size.times(price).times(this.multiplier);
  }

  fill(priceTicks: number, sizeLots: number, maker: boolean): FillMoney {
    const price = this.inst.tick.toDecimal(priceTicks);
    const size = this.inst.lot.toDecimal(sizeLots);
    const fee = this.notional(new Money(price), new Money(size)).times(maker ? this.makerRate : this.takerRate);
    return { price, size, fee: fee.toFixed() };
  }

  /** Funding for a signed position (lots, + long) at a mark price and a per-interval rate. */
  funding(positionLots: number, markPriceTicks: number, rate: number): FundingMoney {
    if (!(markPriceTicks > 0)) throw new HftError('HFT_ERR_BAD_INPUT', `funding for ${this.inst.id}: mark price ${markPriceTicks} ticks is not positive`, { field: 'markPriceTicks' });
    if (!Number.isFinite(rate)) throw new HftError('HFT_ERR_BAD_INPUT', `funding for ${this.inst.id}: rate ${rate} is not a finite number`, { field: 'rate' });
    const markPrice = this.inst.tick.toDecimal(markPriceTicks);
    const position = this.inst.lot.toDecimal(positionLots);
    const r = new Money(rate);
    const amount = this.notional(new Money(markPrice), new Money(position)).times(r).negated();
    return { rate: r.toFixed(), position, markPrice, amount: amount.isZero() ? '0' : amount.toFixed() };
  }
}

function parse(inst: Instrument, field: 'contractMultiplier' | 'makerFeeRate' | 'takerFeeRate'): Money {
  try {
    return new Money(inst[field]);
  } catch (cause) {
    throw new HftError('HFT_ERR_CONFIG', `instrument ${inst.id}: ${field} '${inst[field]}' is not a decimal number`, { field }, { cause });
  }
}
