/**
 * Adopting a position at the start of a run (issue #8, `hft live --adopt-positions`): the kernel of a
 * paper/live run (createLiveRun, the reducers a backtest runs) seeded with a position and driven by the
 * first rows of the real 2024-08-08 Binance USDⓈ-M BTCUSDT and COIN-M BTCUSD_PERP captures.
 *
 * Shown: `position.adopted` then the seeded `position.changed` (quantity and average entry exactly as
 * the venue wrote them), the strategy quoting from the position (its decisions' positionLots), P&L
 * realized against the venue's entry price, a replay seeded from the recorded event reproducing every
 * event byte for byte (paperParity, what `hft parity` runs), a position above its limits starting the
 * run REDUCING (sells denied, buys pass) until fills bring it within, then ACTIVE; linear and inverse.
 * Refusals: hedge mode, two strategies on one instrument, a quantity off the lot grid, an adoption
 * after market data, a second adoption, and (without the flag) the live start refused naming the flag.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { assertNoVenuePosition } from '../../src/cli/commands/paper.ts';
import { openMarketStream, prepareData } from '../../src/cli/prepareData.ts';
import { isHftError } from '../../src/core/errors.ts';
import { adoptionsOf, parseStartPosition } from '../../src/engine/live/adoptPositions.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { paperParity } from '../../src/engine/live/paperParity.ts';
import { Kernel, type Intervention } from '../../src/engine/Kernel.ts';
import type { Scenario } from '../../src/engine/scenario.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { Money } from '../../src/model/accounting/Money.ts';
import type { EventData, NewEvent } from '../../src/model/events.ts';
import { instrument as makeInstrument, type InstrumentSpec } from '../../src/model/instrument.ts';
import { allocBatch, type MarketBatch } from '../../src/model/market.ts';

const ROOT = join(import.meta.dirname, '../..');
const ROWS = 30_000;
const startUs = 1_723_161_000_000_000;

interface Case { scenario: Scenario; specs: readonly InstrumentSpec[]; rows: MarketBatch[] }
const cases: Record<'usdm' | 'coinm', Case> = {} as never;

/** The first ROWS rows of the scenario's capture, one row per batch, venue time = receive time (paper). */
async function load(file: string): Promise<Case> {
  const { scenario, path } = loadScenario(file, ROOT);
  const data = await prepareData(scenario, dirname(path), ROOT, mkdtempSync(join(tmpdir(), 'hft-adopt-ticks-')), () => {});
  const stream = openMarketStream(scenario, data);
  const rows: MarketBatch[] = [];
  for await (const b of stream) {
    for (let i = 0; i < b.length && rows.length < ROWS; i++) {
      const r = allocBatch(1);
      r.length = 1;
      for (const k of ['kind', 'instrument', 'tsRecv', 'side', 'price', 'size', 'price2', 'size2', 'id', 'flags', 'rate'] as const) r[k][0] = b[k][i]!;
      r.tsEvent[0] = b.tsRecv[i]!;
      rows.push(r);
    }
    if (rows.length >= ROWS) break;
  }
  return { scenario, specs: stream.instruments, rows };
}

beforeAll(async () => {
  cases.usdm = await load('scenarios/paper-mm-usdm-btcusdt.json');
  cases.coinm = await load('scenarios/paper-mm-coinm-btcusd.json');
}, 180_000);

const runOf = (c: Case) => createLiveRun({ mode: 'paper', scenario: c.scenario, scenarioPath: 'test', instruments: c.specs, store: new MemoryEventStore(), codeVersion: 'test', startUs, runId: 'padopt' });

/** A session's event stream: run.started, the adoption at `startUs`, every row stepped and advanced to, the stop. */
function session(c: Case, adopt: readonly EventData<'position.adopted'>[]): { events: NewEvent[]; kernel: Kernel; run: ReturnType<typeof runOf> } {
  const run = runOf(c);
  const k = new Kernel(run.kernel);
  const events: NewEvent[] = [...k.record('run.started', run.started, 0, 0)];
  if (adopt.length > 0) events.push(...k.adopt(adopt, startUs));
  for (const r of c.rows) events.push(...k.step(r), ...k.advance(r.tsRecv[0]!));
  return { events, kernel: k, run };
}

const adoption = (instrument: string, quantity: string, entryPrice = '56000.1'): EventData<'position.adopted'> =>
  ({ instrument, strategyId: 'mm', quantity, entryPrice, positionSide: 'BOTH', source: 'venue' });
const USDM = 'binance-usdm:BTCUSDT';
const COINM = 'binance-coinm:BTCUSD_PERP';
const of = <T extends NewEvent['type']>(es: readonly NewEvent[], t: T) => es.filter((e) => e.type === t).map((e) => e.data as EventData<T>);

/** Records the session's events (and its stop) in a store and replays them as `hft parity` does. */
async function replay(c: Case, events: NewEvent[], stopUs: number) {
  const store = new MemoryEventStore();
  const tail: NewEvent[] = [
    { id: 'padopt-stop', type: 'run.stop-requested', version: 1, tsEvent: stopUs, tsRecv: stopUs, runId: 'padopt', correlationId: 'padopt-stop', causationId: 'padopt-stop', data: { reason: 'test', atUs: stopUs } },
    { id: 'padopt-inputs', type: 'run.inputs-recorded', version: 1, tsEvent: stopUs, tsRecv: stopUs, runId: 'padopt', correlationId: 'padopt-inputs', causationId: 'padopt-inputs', data: { tickStore: '', datasets: [], stopUs } },
  ];
  await store.append('run-padopt', [...events, ...tail]);
  const recorded = await collect(store.readStream('run-padopt'));
  const source = (async function* () { for (const r of c.rows) yield r; })();
  return paperParity(recorded, 'padopt', source, new MemoryEventStore());
}

describe('adopting a linear (USDⓈ-M) position within its limits', () => {
  it('records position.adopted and the seeded position.changed, exact decimals, before any market event', () => {
    const { events, kernel } = session(cases.usdm, [adoption(USDM, '-0.010')]);
    expect(events.slice(1, 3).map((e) => e.type)).toEqual(['position.adopted', 'position.changed']);
    expect(events[1]!.version).toBe(1);
    expect(events[1]!.tsRecv).toBe(startUs);
    expect(events[1]!.data).toEqual(adoption(USDM, '-0.010'));
    expect(events[2]!.data).toEqual({ instrument: USDM, strategyId: 'mm', quantity: '-0.01', avgEntryPrice: '56000.1', realizedPnl: '0', fees: '0', funding: '0', currency: 'USDT' });
    expect(events[2]!.causationId).toBe(events[1]!.id);
    expect(of(events, 'risk.state-changed')).toEqual([]);
    // The strategy quotes from the adopted position: its first decision sees -10 lots of 0.001.
    const firstDecision = of(events, 'decision')[0]!;
    expect(firstDecision.inputs.positionLots).toBe(-10);
    const flat = session(cases.usdm, []).events;
    expect(of(flat, 'decision')[0]!.inputs.positionLots).toBe(0);
    expect(kernel.counters.decisions).toBeGreaterThan(10);
  });

  it('realizes P&L against the venue\'s entry price on the first fill that reduces it', () => {
    const { events } = session(cases.usdm, [adoption(USDM, '-0.010')]);
    const fills = of(events, 'order.filled');
    const positions = of(events, 'position.changed');
    // On this capture the market maker's first fill is a buy (it skews its quotes up to cover the short).
    expect(fills[0]!.side).toBe('buy');
    const f = fills[0]!;
    const after = positions[1]!; // [0] is the adoption
    expect(after.realizedPnl).toBe(new Money(f.size).mul(new Money('56000.1').minus(f.price)).toString());
    expect(after.quantity).toBe(new Money('-0.010').plus(f.size).toString());
    expect(after.avgEntryPrice).toBe('56000.1');
    expect(after.fees).toBe(f.fee);
  });

  it('replays from the recorded adoption to the identical event stream (paperParity, as hft parity)', async () => {
    const { events, kernel } = session(cases.usdm, [adoption(USDM, '-0.010')]);
    expect(kernel.counters.ordersRequested).toBeGreaterThan(10);
    const p = await replay(cases.usdm, events, cases.usdm.rows.at(-1)!.tsRecv[0]!);
    expect(p.divergence).toBeUndefined();
    expect(p.ok).toBe(true);
    expect(p.compared).toBe(events.length);
    expect(p.matchRate).toBe(1);
  });
});

/**
 * An order for 'mm' placed from outside (Kernel.intervene, as the operator's desk places its
 * decisions) after `afterRows` rows: the demo market maker quotes only while ACTIVE, so the reduction
 * of an adopted position above its limit is done here, as a trader would.
 */
interface Order { afterRows: number; side: 'buy' | 'sell'; sizeLots: number; cross: number; tag: string }
const place = (k: Kernel, o: Order, instrument: string): Intervention => (api) => {
  const top = k.top(0);
  const priceTicks = o.side === 'buy' ? top.askTicks + o.cross : top.bidTicks - o.cross;
  api.decide('mm', { trigger: 'test', inputs: { tag: o.tag }, intents: [{ kind: 'place', strategyId: 'mm', instrument, side: o.side, type: 'limit', timeInForce: 'IOC', priceTicks, sizeLots: o.sizeLots, reduceOnly: false, tag: o.tag }] });
};

/** The session with orders placed from outside, and its replay with the same orders scheduled (Kernel.schedule) and the adoption read back. */
function sessionWithOrders(c: Case, adopt: readonly EventData<'position.adopted'>[], orders: readonly Order[], instrument: string): { events: NewEvent[]; replayed: NewEvent[] } {
  const run = runOf(c);
  const k = new Kernel(run.kernel);
  const events: NewEvent[] = [...k.record('run.started', run.started, 0, 0), ...k.adopt(adopt, startUs)];
  const applied: { afterRows: number; atUs: number; o: Order }[] = [];
  let next = 0;
  for (const r of c.rows) {
    events.push(...k.step(r), ...k.advance(r.tsRecv[0]!));
    while (next < orders.length && orders[next]!.afterRows === k.counters.marketRows) {
      const at = r.tsRecv[0]!;
      applied.push({ afterRows: k.counters.marketRows, atUs: at, o: orders[next]! });
      events.push(...k.intervene(at, place(k, orders[next]!, instrument)));
      next++;
    }
  }
  const k2 = new Kernel(runOf(c).kernel);
  for (const a of applied) k2.schedule(a.afterRows, a.atUs, place(k2, a.o, instrument));
  const recordedAdoption = events.filter((e) => e.type === 'position.adopted');
  const replayed: NewEvent[] = [...k2.record('run.started', run.started, 0, 0), ...k2.adopt(recordedAdoption.map((e) => e.data as EventData<'position.adopted'>), recordedAdoption[0]!.tsRecv)];
  for (const r of c.rows) replayed.push(...k2.step(r));
  replayed.push(...k2.advance(c.rows.at(-1)!.tsRecv[0]!));
  return { events, replayed };
}

const stateChanges = (es: readonly NewEvent[]) => es.filter((e) => e.type === 'risk.state-changed');
const dataOf = (e: NewEvent) => e.data as EventData<'risk.state-changed'>;

describe('adopting a position above its limits', () => {
  it('linear: starts REDUCING; an order that grows it is denied, one that shrinks it fills; within the limit: ACTIVE, and quoting resumes', () => {
    const orders: Order[] = [
      { afterRows: 2000, side: 'sell', sizeLots: 1, cross: 0, tag: 'grow' },
      { afterRows: 2001, side: 'buy', sizeLots: 3, cross: 20, tag: 'shrink1' },
      { afterRows: 4000, side: 'buy', sizeLots: 1, cross: 20, tag: 'shrink2' },
    ];
    const { events, replayed } = sessionWithOrders(cases.usdm, [adoption(USDM, '-0.030')], orders, USDM);
    const changes = stateChanges(events);
    expect(changes[0]!.data).toEqual({
      from: 'ACTIVE', to: 'REDUCING', reason: 'adopted-position-above-limit',
      // 1500 USDT / (0.001 BTC × 56000.1) = 26.78 -> 26 lots; -30 lots is 1680.003 USDT at the entry price.
      values: { instrument: USDM, positionLots: -30, quantity: '-0.03', allowedLots: 26, limit: 'maxPositionNotional', entryPrice: '56000.1', notional: '1680.003', maxPositionNotional: '1500' },
    });
    expect(events.indexOf(changes[0]!)).toBe(3);
    expect(changes[0]!.causationId).toBe(events[1]!.id);
    // While REDUCING the market maker places nothing (it quotes only when ACTIVE).
    const firstTest = events.findIndex((e) => e.type === 'decision' && (e.data as EventData<'decision'>).trigger === 'test');
    expect(of(events.slice(0, firstTest), 'order.requested')).toEqual([]);
    const requested = of(events, 'order.requested');
    const byTag = (tag: string) => requested.find((o) => o.tag === tag)!.clientOrderId;
    expect(of(events, 'order.denied').find((d) => d.clientOrderId === byTag('grow'))).toMatchObject({ rule: 'tradingState', reason: 'reducing-only' });
    expect(of(events, 'order.submitted').map((x) => x.clientOrderId)).toEqual(expect.arrayContaining([byTag('shrink1'), byTag('shrink2')]));
    // -30 + 3 = -27: still above 26, still REDUCING; -27 + 1 = -26: within, ACTIVE.
    const fills = of(events, 'order.filled');
    expect(fills.filter((f) => f.clientOrderId === byTag('shrink1')).reduce((n, f) => n + f.sizeLots, 0)).toBe(3);
    expect(fills.filter((f) => f.clientOrderId === byTag('shrink2')).reduce((n, f) => n + f.sizeLots, 0)).toBe(1);
    expect(changes).toHaveLength(2);
    expect(dataOf(changes[1]!)).toMatchObject({ from: 'REDUCING', to: 'ACTIVE', reason: 'adopted-position-within-limit', values: { positionLots: -26, allowedLots: 26 } });
    const activeAt = events.indexOf(changes[1]!);
    expect(events[activeAt - 1]!.type).toBe('position.changed');
    expect((events[activeAt - 1]!.data as EventData<'position.changed'>).quantity).toBe('-0.026');
    // Realized against the venue's entry price: 4 lots of 0.001 bought back at the fill prices.
    const pnl = of(events.slice(0, activeAt), 'order.filled').reduce((sum, f) => sum.plus(new Money(f.size).mul(new Money('56000.1').minus(f.price))), new Money(0));
    expect((events[activeAt - 1]!.data as EventData<'position.changed'>).realizedPnl).toBe(pnl.toString());
    expect(of(events.slice(activeAt), 'order.requested').some((o) => o.tag !== 'shrink2')).toBe(true);
    // A replay seeded from the recorded adoption, the same orders scheduled: identical, byte for byte.
    expect(replayed.map((e) => JSON.stringify(e))).toEqual(events.map((e) => JSON.stringify(e)));
  });

  it('inverse: 20 contracts of 100 USD against 1500 USD (15 contracts) start REDUCING until sold down to 15; 3 contracts do not', () => {
    const orders: Order[] = [
      { afterRows: 2000, side: 'buy', sizeLots: 1, cross: 0, tag: 'grow' },
      { afterRows: 2001, side: 'sell', sizeLots: 5, cross: 20, tag: 'shrink' },
    ];
    const { events, replayed } = sessionWithOrders(cases.coinm, [adoption(COINM, '20')], orders, COINM);
    expect(events[2]!.data).toEqual({ instrument: COINM, strategyId: 'mm', quantity: '20', avgEntryPrice: '56000.1', realizedPnl: '0', fees: '0', funding: '0', currency: 'BTC' });
    const changes = stateChanges(events);
    expect(events[3]).toBe(changes[0]);
    expect(changes[0]!.data).toEqual({
      from: 'ACTIVE', to: 'REDUCING', reason: 'adopted-position-above-limit',
      values: { instrument: COINM, positionLots: 20, quantity: '20', allowedLots: 15, limit: 'maxPositionNotional', entryPrice: '56000.1', notional: '2000', maxPositionNotional: '1500' },
    });
    const requested = of(events, 'order.requested');
    const grow = requested.find((o) => o.tag === 'grow')!.clientOrderId;
    expect(of(events, 'order.denied').find((d) => d.clientOrderId === grow)).toMatchObject({ rule: 'tradingState', reason: 'reducing-only' });
    expect(dataOf(changes[1]!)).toMatchObject({ from: 'REDUCING', to: 'ACTIVE', reason: 'adopted-position-within-limit', values: { positionLots: 15 } });
    // Inverse P&L in BTC against the entry: closed long qty × 100 × (1/entry − 1/exit) per fill.
    const shrinkFills = of(events.slice(0, events.indexOf(changes[1]!)), 'order.filled');
    const pnl = shrinkFills.reduce((sum, f) => sum.plus(new Money(f.size).mul(100).mul(new Money(1).div('56000.1').minus(new Money(1).div(f.price)))), new Money(0));
    const atActive = events[events.indexOf(changes[1]!) - 1]!.data as EventData<'position.changed'>;
    expect(atActive.quantity).toBe('15');
    expect(new Money(atActive.realizedPnl).minus(pnl).abs().lt('1e-30')).toBe(true);
    expect(replayed.map((e) => JSON.stringify(e))).toEqual(events.map((e) => JSON.stringify(e)));

    const within = session(cases.coinm, [adoption(COINM, '3')]).events;
    expect(of(within, 'risk.state-changed')).toEqual([]);
    expect(of(within, 'decision')[0]!.inputs.positionLots).toBe(3);
  });
});

describe('refusals', () => {
  const specs = captureInstruments.filter((s) => s.id === USDM);
  const insts = specs.map((s) => makeInstrument(s));
  const one = [{ id: 'mm', instruments: [USDM] }];

  it('without --adopt-positions the live start is refused and the message names the flag', () => {
    expect(() => assertNoVenuePosition([{ instrument: USDM, quantity: '-0.010', positionSide: 'BOTH', entryPrice: '56000.1' }], specs)).toThrow(/--adopt-positions/);
  });

  it('hedge mode, two strategies on the instrument, a quantity off the lot grid, a zero or bad price: refused before the run', () => {
    const pos = (quantity: string, positionSide = 'BOTH', entryPrice = '56000.1') => [{ instrument: USDM, quantity, positionSide, entryPrice }];
    expect(() => adoptionsOf(pos('0.010', 'LONG'), one, 'venue', insts)).toThrow(/hedge-mode position cannot be adopted/);
    expect(() => adoptionsOf(pos('0.010'), [...one, { id: 'mm2', instruments: [USDM] }], 'venue', insts)).toThrow(/2 strategies of the run trade it \(mm, mm2\)/);
    expect(() => adoptionsOf(pos('0.0105'), one, 'venue', insts)).toThrow(/quantity '0\.0105' is not a whole number of lots of 0\.001/);
    expect(() => adoptionsOf(pos('0.010', 'BOTH', '0'), one, 'venue', insts)).toThrow(/entry price must be a decimal > 0/);
    // Positions in instruments the run does not trade are not adopted (recorded by reconciliation only).
    expect(adoptionsOf([{ instrument: 'binance-usdm:ETHUSDT', quantity: '1', positionSide: 'BOTH', entryPrice: '2500' }], one, 'venue', insts)).toEqual([]);
    expect(() => adoptionsOf([{ instrument: 'binance-usdm:ETHUSDT', quantity: '1', positionSide: 'BOTH', entryPrice: '2500' }], one, 'given', insts)).toThrow(/--start-position binance-usdm:ETHUSDT: no strategy of the run trades it/);
    expect(parseStartPosition('binance-usdm:BTCUSDT=-0.010@56000.1')).toEqual({ instrument: USDM, quantity: '-0.010', positionSide: 'BOTH', entryPrice: '56000.1' });
    expect(() => parseStartPosition('binance-usdm:BTCUSDT=-0.010')).toThrow(/INSTRUMENT=QTY@PRICE/);
  });

  it('the kernel adopts once, before any market event, and checks what it is given', () => {
    const run = runOf(cases.usdm);
    const k = new Kernel(run.kernel);
    expect(() => k.adopt([{ ...adoption(USDM, '-0.010'), strategyId: 'other' }], startUs)).toThrow(/no strategy 'other' trading binance-usdm:BTCUSDT/);
    expect(() => k.adopt([adoption(USDM, '-0.0105')], startUs)).toThrow(/not a whole number of lots/);
    k.adopt([adoption(USDM, '-0.010')], startUs);
    expect(() => k.adopt([adoption(USDM, '-0.010')], startUs)).toThrow(/adopted once/);
    const late = new Kernel(runOf(cases.usdm).kernel);
    late.step(cases.usdm.rows[0]!);
    late.advance(cases.usdm.rows[0]!.tsRecv[0]!);
    let err: unknown;
    try { late.adopt([adoption(USDM, '-0.010')], startUs); } catch (e) { err = e; }
    expect(isHftError(err, 'HFT_ERR_CONFIG')).toBe(true);
    expect((err as Error).message).toMatch(/before the first market event \(1 rows/);
  });
});
