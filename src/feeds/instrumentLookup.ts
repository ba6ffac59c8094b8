/** Builds an InstrumentLookup for one venue from a list of instrument specs. */
import { HftError } from '../core/errors.ts';
import { instrument, type Instrument, type InstrumentSpec } from '../model/instrument.ts';
import type { InstrumentLookup, VenueId } from './normalizer.ts';

export function instrumentLookup(venue: VenueId, specs: readonly InstrumentSpec[]): InstrumentLookup {
  const bySymbol = new Map<string, Instrument>();
  for (const s of specs) if (s.venue === venue) bySymbol.set(s.symbol, instrument(s));
  return (symbol: string): Instrument => {
    const found = bySymbol.get(symbol);
    if (!found) throw new HftError('HFT_ERR_NOT_FOUND', `instrument '${symbol}' is not known on venue '${venue}' (${bySymbol.size} instruments loaded)`, { venue, symbol });
    return found;
  };
}
