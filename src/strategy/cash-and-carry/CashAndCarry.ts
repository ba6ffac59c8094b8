/**
 * Cash-and-carry: long the spot, short the perpetual when the perp trades at a premium larger than
 * the round-trip fees plus `entryBps`, and close both when the premium has shrunk to where closing
 * nets at least `exitBps` (the carry earned is the basis captured; funding, paid to the short while
 * the premium lasts, adds to it over longer holds). One direction only: spot is never sold short.
 *
 * It is the cross-market engine (CrossMarketArb: both legs IOC, fees on both legs, leg-risk hedge or
 * unwind with a timeout) with the direction fixed to buy A (spot) / sell B (perp).
 */
import { HftError } from '../../core/errors.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { StrategyFactory } from '../Strategy.ts';
import { CrossMarketArb, parseCrossMarketArbParams } from '../cross-arb/CrossMarketArb.ts';

export const cashAndCarryFactory: StrategyFactory = {
  type: 'cash-and-carry',
  summary: 'long spot / short perp while the perp premium beats fees; closes when the basis converges',
  create(id, instruments, params, source) {
    const p = parseCrossMarketArbParams(params, source, { direction: 'buy-a-sell-b' });
    if (instruments.length !== 2) throw new HftError('HFT_ERR_CONFIG', `${source}: cash-and-carry takes [spot, perp], got ${instruments.length} instruments`);
    const [spot, perp] = instruments as [Instrument, Instrument];
    if (spot.kind !== 'spot') throw new HftError('HFT_ERR_CONFIG', `${source}: cash-and-carry's first instrument must be spot, ${spot.id} is ${spot.kind}`);
    if (perp.kind !== 'linear_perp' && perp.kind !== 'inverse_perp') throw new HftError('HFT_ERR_CONFIG', `${source}: cash-and-carry's second instrument must be a perpetual, ${perp.id} is ${perp.kind}`);
    if (spot.base !== perp.base) throw new HftError('HFT_ERR_CONFIG', `${source}: cash-and-carry legs must share the base asset, got ${spot.base} and ${perp.base}`);
    return new CrossMarketArb(id, spot, perp, p);
  },
};
