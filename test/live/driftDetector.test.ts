/**
 * The position-drift rule (PositionWatch.ts DriftDetector). A reading holds every position the ledger
 * passed through from the request until the settle time after the venue's answer; the venue agrees
 * when it equals any of them. A reading with an order still in flight at its end is skipped. A
 * mismatch is confirmed by a second reading showing the same difference venue − ledger. Transients —
 * a fill the venue made whose report arrives while we read, a fill the venue made after answering,
 * unreported fills of different sizes — never halt a run; a position moved outside the run does, at
 * the second counted reading, also while the run's own fills keep coming between the readings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import type { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { DriftDetector, PositionWatch } from '../../src/engine/live/PositionWatch.ts';
import { Kernel, type Intervention } from '../../src/engine/Kernel.ts';
import { parseScenario } from '../../src/engine/scenario.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { EventData, NewEvent, VenuePosition } from '../../src/model/events.ts';
import { instrument } from '../../src/model/instrument.ts';

const USDM = 'binance-usdm:BTCUSDT';
const inst = instrument(captureInstruments.find((s) => s.id === USDM)!);
const venue = (quantity: string, positionSide = 'BOTH'): VenuePosition[] => (quantity === '0' ? [] : [{ instrument: USDM, quantity, positionSide, entryPrice: '61800' }]);
/** One reading: the ledger's lots in order over the reading (one value: it did not move), the venue's answer. */
const read = (d: DriftDetector, lots: number | number[], v: VenuePosition[], atUs: number, inFlight = 0) =>
  d.observe({ ledger: new Map([[USDM, Array.isArray(lots) ? lots : [lots]]]), inFlight, venue: v, atUs });

describe('DriftDetector', () => {
  it('agreeing positions (flat, or the same decimal written differently) are no drift', () => {
    const d = new DriftDetector([inst]);
    for (let t = 1; t <= 3; t++) expect(read(d, 0, venue('0'), t)).toEqual([]);
    for (let t = 4; t <= 6; t++) expect(read(d, -10, venue('-0.010'), t)).toEqual([]);
    expect(d.stats).toEqual({ readings: 6, quiet: 6, skipped: 0, mismatches: 0 });
  });

  it('fills folded while reading: the venue agrees with the position before them or after them', () => {
    const d = new DriftDetector([inst]);
    expect(read(d, [0, 2], venue('0.002'), 1)).toEqual([]); // filled before the venue answered, reported while we read
    expect(read(d, [2, 4], venue('0.002'), 2)).toEqual([]); // filled after the venue answered
    expect(d.stats.mismatches).toBe(0);
  });

  it('a fill reported only after the reading: one mismatch, gone at the next reading', () => {
    const d = new DriftDetector([inst]);
    expect(read(d, 0, venue('0.002'), 1)).toEqual([]);
    expect(read(d, 2, venue('0.002'), 2)).toEqual([]);
    expect(read(d, 2, venue('0.002'), 3)).toEqual([]);
    expect(d.stats.mismatches).toBe(1);
  });

  it('a reading with an order in flight at its end is not counted', () => {
    const d = new DriftDetector([inst]);
    expect(read(d, 2, venue('0.005'), 1, 1)).toEqual([]);
    expect(read(d, 2, venue('0.005'), 2, 3)).toEqual([]);
    expect(d.stats).toEqual({ readings: 2, quiet: 0, skipped: 2, mismatches: 0 });
  });

  it('a position moved outside the run: confirmed at the second counted reading, with both quantities', () => {
    const d = new DriftDetector([inst]);
    expect(read(d, 4, venue('-0.001'), 10)).toEqual([]);
    // A skipped reading between (an order in flight) neither confirms nor forgets the mismatch.
    expect(read(d, 4, venue('-0.001'), 15, 1)).toEqual([]);
    expect(read(d, 4, venue('-0.001'), 20)).toEqual([{ instrument: USDM, venueQuantity: '-0.001', ledgerQuantity: '0.004', firstSeenUs: 10, checks: 2 }]);
  });

  it('fills folded between two mismatches move both sides: the same difference confirms; a different one starts over', () => {
    const d = new DriftDetector([inst]);
    expect(read(d, 4, venue('-0.001'), 1)).toEqual([]); // venue − ledger = −0.005
    expect(read(d, 5, venue('0'), 2)).toEqual([{ instrument: USDM, venueQuantity: '0', ledgerQuantity: '0.005', firstSeenUs: 1, checks: 2 }]);
    const e = new DriftDetector([inst]);
    expect(read(e, 4, venue('-0.001'), 1)).toEqual([]);
    expect(read(e, 4, venue('-0.002'), 2)).toEqual([]); // the venue moved again: −0.006, a new pending
    expect(read(e, 4, venue('-0.002'), 3)).toEqual([{ instrument: USDM, venueQuantity: '-0.002', ledgerQuantity: '0.004', firstSeenUs: 2, checks: 2 }]);
    // Fills while reading: one of the differences seen must be seen again.
    const f = new DriftDetector([inst]);
    expect(read(f, [4, 5], venue('-0.001'), 1)).toEqual([]); // −0.005 or −0.006
    // [5, 7] against 0: −0.005 (seen before) or −0.007; the drift names the ledger position of the first.
    expect(read(f, [5, 7], venue('0'), 2)).toEqual([{ instrument: USDM, venueQuantity: '0', ledgerQuantity: '0.005', firstSeenUs: 1, checks: 2 }]);
  });

  it('fills unreported at two readings, of different sizes, are no drift', () => {
    const d = new DriftDetector([inst]);
    expect(read(d, 0, venue('0.002'), 1)).toEqual([]); // +0.002 unreported
    expect(read(d, 2, venue('0.003'), 2)).toEqual([]); // that one folded, +0.001 unreported
    expect(read(d, 3, venue('0.003'), 3)).toEqual([]); // folded: agree
    expect(d.stats).toEqual({ readings: 3, quiet: 3, skipped: 0, mismatches: 2 });
  });

  it('sums hedge-mode rows and ignores instruments the run does not trade', () => {
    const d = new DriftDetector([inst]);
    const rows: VenuePosition[] = [...venue('0.003', 'LONG'), ...venue('-0.001', 'SHORT'), { instrument: 'binance-usdm:ETHUSDT', quantity: '1', positionSide: 'BOTH', entryPrice: '2500' }];
    expect(read(d, 2, rows, 1)).toEqual([]);
    expect(read(d, 2, rows, 2)).toEqual([]);
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
    const w = new PositionWatch({ session, instruments: [inst], fetchPositions: async () => venue('-0.005'), everyMs: 1000, settleMs: 0, clockUs: () => ++t, onDrift: (d) => drifts.push(d), onCheckError: (e) => { throw e; } });
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
    const w = new PositionWatch({ session, instruments: [inst], fetchPositions: async () => { throw new Error('ECONNRESET'); }, everyMs: 1000, settleMs: 0, clockUs: () => 1, onDrift: () => {}, onCheckError: (e) => errors.push(e) });
    await expect(w.check()).resolves.toBeUndefined();
    expect(String(errors[0])).toContain('ECONNRESET');
    await w.stop();
  });
});
