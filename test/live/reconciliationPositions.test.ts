/**
 * Positions in the start-of-run reconciliation (issue #8): which venue positions refuse a live start
 * (only those in an instrument the run trades), and `reconciliation.completed` v1 events, written
 * before positions were asked for, read back as v2 with `positions: null` (not asked), never `[]`
 * (flat), while v2 events read back as written.
 */
import { describe, expect, it } from 'vitest';
import { assertNoVenuePosition } from '../../src/cli/commands/paper.ts';
import { isHftError } from '../../src/core/errors.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { EVENT_CATALOGUE, upcast, type EventData, type NewEvent, type VenuePosition } from '../../src/model/events.ts';

const specs = (...ids: string[]) => captureInstruments.filter((s) => ids.includes(s.id));
const pos = (instrument: string, quantity: string, positionSide = 'BOTH'): VenuePosition => ({ instrument, quantity, positionSide, entryPrice: '60000.5' });

describe('a live start with venue positions', () => {
  it('starts when the venue is flat, or its positions are in instruments the run does not trade, or it is spot (null)', () => {
    expect(() => assertNoVenuePosition([], specs('binance-usdm:BTCUSDT'))).not.toThrow();
    expect(() => assertNoVenuePosition([pos('binance-usdm:ETHUSDT', '-1.000')], specs('binance-usdm:BTCUSDT'))).not.toThrow();
    expect(() => assertNoVenuePosition(null, specs('binance-spot:BTCUSDT'))).not.toThrow();
  });

  it('refuses a position in a traded instrument, naming each one, its quantity, unit and side, and what to do', () => {
    let err: unknown;
    try {
      assertNoVenuePosition([pos('binance-usdm:ETHUSDT', '-1.000'), pos('binance-usdm:BTCUSDT', '0.003')], specs('binance-usdm:BTCUSDT', 'binance-usdm:ETHUSDT'));
    } catch (e) { err = e; }
    expect(isHftError(err, 'HFT_ERR_CONFIG')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain('holds a position in instruments this run trades: binance-usdm:ETHUSDT -1.000 ETH (short, entry price 60000.5); binance-usdm:BTCUSDT 0.003 BTC (long, entry price 60000.5)');
    expect(msg).toContain('Flatten the position on the venue first');
  });

  it('names hedge-mode rows by their positionSide and COIN-M quantities in contracts', () => {
    expect(() => assertNoVenuePosition([pos('binance-coinm:BTCUSD_PERP', '2', 'LONG')], specs('binance-coinm:BTCUSD_PERP')))
      .toThrow(/binance-coinm:BTCUSD_PERP 2 contracts of 100 USD \(positionSide LONG, entry price 60000\.5\)/);
  });
});

describe('reconciliation.completed versions', () => {
  const v1Data = { venueOpenOrders: ['x1'], unknownOrders: ['x1'], missingOrders: [], balances: { USDT: '100000' }, canceledUnknown: 0 };
  const event = (n: number, version: number, data: unknown): NewEvent => ({
    id: `r-${n}`, type: 'reconciliation.completed', version, tsEvent: 1_723_161_600_000_000 + n, tsRecv: 1_723_161_600_000_000 + n,
    runId: 'r', correlationId: `r-${n}`, causationId: `r-${n}`, data: data as never,
  });

  it('is version 2 in the catalogue', () => { expect(EVENT_CATALOGUE['reconciliation.completed']).toBe(2); });

  it('reads a stored v1 event as v2 with positions null (the venue was not asked), and a v2 event as written', async () => {
    const store = new MemoryEventStore();
    const v2Data: EventData<'reconciliation.completed'> = { ...v1Data, positions: [pos('binance-usdm:BTCUSDT', '-0.010')] };
    await store.append('run-r', [event(0, 1, v1Data), event(1, 2, v2Data), event(2, 2, { ...v1Data, positions: [] })]);
    const read = await collect(store.readStream('run-r'));
    expect(read.map((e) => e.version)).toEqual([2, 2, 2]);
    expect(read[0]!.data).toEqual({ ...v1Data, positions: null });
    expect(read[1]!.data).toEqual(v2Data);
    expect((read[2]!.data as EventData<'reconciliation.completed'>).positions).toEqual([]);
    await store.close();
  });

  it('upcasts without touching the stored v1 data', () => {
    const stored = event(0, 1, v1Data);
    expect(upcast(stored).data).toEqual({ ...v1Data, positions: null });
    expect(stored.data).toEqual(v1Data);
  });
});
