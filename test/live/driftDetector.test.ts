/**
 * The position-drift rule (PositionWatch.ts DriftDetector): a mismatch between the venue's position and
 * the ledger's counts only when seen at two quiet readings in a row (no fill folded while fetching, no
 * order in flight at either end) with no fill folded between them. Transients — a fill the venue made
 * whose report is still on its way, an order in flight — never halt a run; a position moved outside
 * the run does, at the second quiet reading.
 */
import { describe, expect, it } from 'vitest';
import { DriftDetector, type LedgerSnapshot } from '../../src/engine/live/PositionWatch.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { VenuePosition } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';

const USDM = 'binance-usdm:BTCUSDT';
const inst = instrument(captureInstruments.find((s) => s.id === USDM)!);
const ledger = (lots: number, fills: number, inFlight = 0): LedgerSnapshot => ({ fills, inFlight, lots: new Map([[USDM, lots]]) });
const venue = (quantity: string, positionSide = 'BOTH'): VenuePosition[] => (quantity === '0' ? [] : [{ instrument: USDM, quantity, positionSide, entryPrice: '61800' }]);
const quiet = (d: DriftDetector, lots: number, fills: number, v: VenuePosition[], atUs: number) => d.observe({ before: ledger(lots, fills), after: ledger(lots, fills), venue: v, atUs });

describe('DriftDetector', () => {
  it('agreeing positions (flat, or the same decimal written differently) are no drift', () => {
    const d = new DriftDetector([inst]);
    for (let t = 1; t <= 3; t++) expect(quiet(d, 0, 0, venue('0'), t)).toEqual([]);
    for (let t = 4; t <= 6; t++) expect(quiet(d, -10, 1, venue('-0.010'), t)).toEqual([]);
    expect(d.stats).toEqual({ readings: 6, quiet: 6, skipped: 0, mismatches: 0 });
  });

  it('a fill the venue made before its report arrived: the mismatch ends when the fill is folded, no drift', () => {
    const d = new DriftDetector([inst]);
    // The venue filled 2 lots; our report is on its way: one quiet mismatch...
    expect(quiet(d, 0, 0, venue('0.002'), 1)).toEqual([]);
    // ...then the fill is folded (fills 0 -> 1) and both agree.
    expect(quiet(d, 2, 1, venue('0.002'), 2)).toEqual([]);
    expect(quiet(d, 2, 1, venue('0.002'), 3)).toEqual([]);
    expect(d.stats.mismatches).toBe(1);
  });

  it('readings with a fill folded while fetching or an order in flight are not counted', () => {
    const d = new DriftDetector([inst]);
    expect(d.observe({ before: ledger(0, 0), after: ledger(2, 1), venue: venue('0.005'), atUs: 1 })).toEqual([]);
    expect(d.observe({ before: ledger(2, 1, 1), after: ledger(2, 1), venue: venue('0.005'), atUs: 2 })).toEqual([]);
    expect(d.observe({ before: ledger(2, 1), after: ledger(2, 1, 2), venue: venue('0.005'), atUs: 3 })).toEqual([]);
    expect(d.stats).toEqual({ readings: 3, quiet: 0, skipped: 3, mismatches: 0 });
  });

  it('a position moved outside the run: confirmed at the second quiet reading, with both quantities', () => {
    const d = new DriftDetector([inst]);
    expect(quiet(d, 4, 3, venue('-0.001'), 10)).toEqual([]);
    // A skipped reading between (an order in flight) neither confirms nor forgets the mismatch.
    expect(d.observe({ before: ledger(4, 3, 1), after: ledger(4, 3, 1), venue: venue('-0.001'), atUs: 15 })).toEqual([]);
    expect(quiet(d, 4, 3, venue('-0.001'), 20)).toEqual([{ instrument: USDM, venueQuantity: '-0.001', ledgerQuantity: '0.004', firstSeenUs: 10, checks: 2 }]);
  });

  it('a fill folded between two mismatches starts over; a venue quantity that moves starts over', () => {
    const d = new DriftDetector([inst]);
    expect(quiet(d, 4, 3, venue('-0.001'), 1)).toEqual([]);
    expect(quiet(d, 5, 4, venue('-0.001'), 2)).toEqual([]); // a fill between: pending dropped, new one
    expect(quiet(d, 5, 4, venue('-0.002'), 3)).toEqual([]); // the venue moved: new pending
    expect(quiet(d, 5, 4, venue('-0.002'), 4)).toEqual([{ instrument: USDM, venueQuantity: '-0.002', ledgerQuantity: '0.005', firstSeenUs: 3, checks: 2 }]);
  });

  it('sums hedge-mode rows and ignores instruments the run does not trade', () => {
    const d = new DriftDetector([inst]);
    const rows: VenuePosition[] = [...venue('0.003', 'LONG'), ...venue('-0.001', 'SHORT'), { instrument: 'binance-usdm:ETHUSDT', quantity: '1', positionSide: 'BOTH', entryPrice: '2500' }];
    expect(quiet(d, 2, 0, rows, 1)).toEqual([]);
    expect(quiet(d, 2, 0, rows, 2)).toEqual([]);
    expect(d.stats.mismatches).toBe(0);
  });
});
