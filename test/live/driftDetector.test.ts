/**
 * The position-drift rule (PositionWatch.ts DriftDetector): a mismatch between the venue's position and
 * the ledger's counts only when seen at two quiet readings in a row (no fill folded while fetching, no
 * order in flight at either end) with no fill folded between them. Transients — a fill the venue made
 * whose report is still on its way, an order in flight — never halt a run; a position moved outside
 * the run does, at the second quiet reading.
 */
import { describe, expect, it } from 'vitest';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import type { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { DriftDetector, PositionWatch, type LedgerSnapshot } from '../../src/engine/live/PositionWatch.ts';
import { Kernel, type Intervention } from '../../src/engine/Kernel.ts';
import { parseScenario } from '../../src/engine/scenario.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventData, NewEvent, VenuePosition } from '../../src/model/events.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
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

describe('PositionWatch', () => {
  const scenario = parseScenario(JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios/paper-mm-usdm-btcusdt.json'), 'utf8')), 'paper-mm-usdm-btcusdt.json');
  const spec = captureInstruments.find((x) => x.id === USDM)!;
  /** A session stand-in over a real kernel of the scenario (its simulated venue): interventions run on it at once. */
  function fakeSession() {
    const kernel = new Kernel(createLiveRun({ mode: 'paper', scenario, scenarioPath: 'test', instruments: [spec], store: new MemoryEventStore(), codeVersion: 'test', startUs: 1, runId: 'ldrift' }).kernel);
    const events: NewEvent[] = [];
    const session = { kernel, poke: () => {}, intervene: (apply: Intervention) => { events.push(...kernel.intervene(5, apply)); } };
    return { session: session as unknown as LiveSession, events, kernel };
  }

  it('a confirmed drift is recorded and halts through the kill switch (HALTED caused by the drift event); the checks stop', async () => {
    const { session, events, kernel } = fakeSession();
    const drifts: EventData<'position.drift-detected'>[] = [];
    let t = 0;
    const w = new PositionWatch({ session, instruments: [inst], fetchPositions: async () => venue('-0.005'), everyMs: 1000, clockUs: () => ++t, onDrift: (d) => drifts.push(d), onCheckError: (e) => { throw e; } });
    await w.check();
    expect(events).toEqual([]);
    await w.check();
    expect(events.map((e) => e.type)).toEqual(['position.drift-detected', 'risk.state-changed']);
    expect(events[0]!.data).toEqual({ instrument: USDM, venueQuantity: '-0.005', ledgerQuantity: '0', firstSeenUs: 1, checks: 2 });
    expect(events[1]!.data).toEqual({ from: 'ACTIVE', to: 'HALTED', reason: 'position-drift', values: { [`${USDM} venue`]: '-0.005', [`${USDM} ledger`]: '0' } });
    expect(events[1]!.causationId).toBe(events[0]!.id);
    expect(kernel.counters.ordersRequested).toBe(0);
    expect(drifts).toHaveLength(1);
    await w.check(); // stopped: no third event
    expect(events).toHaveLength(2);
    await w.stop();
  });

  it('a failed check is reported and never rejects', async () => {
    const { session } = fakeSession();
    const errors: unknown[] = [];
    const w = new PositionWatch({ session, instruments: [inst], fetchPositions: async () => { throw new Error('ECONNRESET'); }, everyMs: 1000, clockUs: () => 1, onDrift: () => {}, onCheckError: (e) => errors.push(e) });
    await expect(w.check()).resolves.toBeUndefined();
    expect(String(errors[0])).toContain('ECONNRESET');
    await w.stop();
  });
});
