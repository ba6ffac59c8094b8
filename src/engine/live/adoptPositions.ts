/**
 * Which positions a session adopts, and as whose (`position.adopted` data, seeded by Kernel.adopt).
 *
 * A venue position is the account's, netted per instrument; the ledger and the risk gate keep one per
 * strategy and instrument. A position is adopted by the one strategy of the run that trades its
 * instrument; two strategies on it would each need a share nobody stated, so that is refused. Only
 * one-way ('BOTH') rows: a hedge-mode account holds a long and a short side at once, which a netting
 * ledger cannot hold as they are. Positions in instruments the run does not trade are left alone
 * (reconciliation.completed records them).
 *
 * Also `--start-position INSTRUMENT=QTY@PRICE` (paper: rehearse a start holding a position; the same
 * seeding, source 'given').
 */
import { HftError } from '../../core/errors.ts';
import type { EventData, VenuePosition } from '../../model/events.ts';
import type { Instrument } from '../../model/instrument.ts';

export function adoptionsOf(
  positions: readonly VenuePosition[], strategies: readonly { readonly id: string; readonly instruments: readonly string[] }[], source: 'venue' | 'given',
  instruments: readonly Instrument[],
): EventData<'position.adopted'>[] {
  const traded = new Set(strategies.flatMap((s) => s.instruments));
  if (source === 'given') {
    const stray = positions.find((p) => !traded.has(p.instrument));
    if (stray) throw new HftError('HFT_ERR_USAGE', `--start-position ${stray.instrument}: no strategy of the run trades it (traded: ${[...traded].join(', ')})`, { instrument: stray.instrument });
  }
  const mine = positions.filter((p) => traded.has(p.instrument));
  const hedge = mine.filter((p) => p.positionSide !== 'BOTH');
  if (hedge.length > 0) {
    throw new HftError('HFT_ERR_CONFIG',
      `--adopt-positions: the venue holds ${hedge.map((p) => `${p.instrument} ${p.quantity} (positionSide ${p.positionSide})`).join(', ')}: a hedge-mode position `
      + 'cannot be adopted (the ledger nets one position per instrument). Switch the account to one-way mode or flatten it first.',
      { instrument: hedge[0]!.instrument });
  }
  return mine.map((p) => {
    const owners = strategies.filter((s) => s.instruments.includes(p.instrument)).map((s) => s.id);
    if (owners.length !== 1) {
      throw new HftError('HFT_ERR_CONFIG', `adopting ${p.instrument} ${p.quantity}: ${owners.length} strategies of the run trade it (${owners.join(', ')}); a position is adopted by exactly one`, { instrument: p.instrument });
    }
    // Checked here, before the run exists, as Kernel.adopt will: nothing is recorded for a refused start.
    const inst = instruments.find((i) => i.id === p.instrument);
    if (!inst) throw new HftError('HFT_ERR_CONFIG', `adopting ${p.instrument}: no instrument spec in this run`, { instrument: p.instrument });
    let lots: number;
    try { lots = inst.lot.toUnits(p.quantity); } catch (e) {
      throw new HftError('HFT_ERR_BAD_INPUT', `adopting ${p.instrument}: quantity '${p.quantity}' is not a whole number of lots of ${inst.lotSize}: ${(e as Error).message}`, { instrument: p.instrument, field: 'quantity' });
    }
    if (lots === 0) throw new HftError('HFT_ERR_BAD_INPUT', `adopting ${p.instrument}: quantity '${p.quantity}' is zero`, { instrument: p.instrument, field: 'quantity' });
    if (!/^\d+(\.\d+)?$/.test(p.entryPrice) || !(Number(p.entryPrice) > 0)) throw new HftError('HFT_ERR_BAD_INPUT', `adopting ${p.instrument}: entry price must be a decimal > 0, got '${p.entryPrice}'`, { instrument: p.instrument, field: 'entryPrice' });
    return { instrument: p.instrument, strategyId: owners[0]!, quantity: p.quantity, entryPrice: p.entryPrice, positionSide: p.positionSide, source };
  });
}

/** `INSTRUMENT=QTY@PRICE`, e.g. `binance-usdm:BTCUSDT=-0.010@56000.1`: a one-way position as a venue would report it. */
export function parseStartPosition(text: string, flag = '--start-position'): VenuePosition {
  const m = /^([^=\s]+:[^=\s]+)=(-?\d+(?:\.\d+)?)@(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) throw new HftError('HFT_ERR_USAGE', `${flag} must be INSTRUMENT=QTY@PRICE with a signed decimal quantity and a decimal entry price, e.g. binance-usdm:BTCUSDT=-0.010@56000.1, got '${text}'`);
  return { instrument: m[1]!, quantity: m[2]!, positionSide: 'BOTH', entryPrice: m[3]! };
}
