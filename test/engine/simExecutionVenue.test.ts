/**
 * The simulated venue behind the kernel's port: a cancel asked while the order's request is in flight
 * is held until the answer reaches the strategy side; a held cancel for an order rejected on arrival
 * is dropped; each request reaches the venue that holds the order, across instruments.
 */
import { describe, expect, it } from 'vitest';
import { SimExecutionVenue } from '../../src/engine/SimExecutionVenue.ts';
import type { TimedFunding, TimedVenueReport } from '../../src/engine/ports.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import type { Instrument } from '../../src/model/instrument.ts';
import { Side } from '../../src/model/market.ts';
import { ConstantLatency } from '../../src/sim/ConstantLatency.ts';
import { RiskAverseQueue } from '../../src/sim/RiskAverseQueue.ts';
import { SimVenue } from '../../src/sim/SimVenue.ts';
import { batchOf, level, PERP, SPOT } from '../sim/simFixtures.ts';

/** A venue with entry latency 100 µs and response latency 50 µs, its book bid 1000 x 5 | ask 1001 x 4. */
function simVenue(inst: Instrument, prefix: string): SimVenue {
  const v = new SimVenue({ instrument: inst, latency: new ConstantLatency(100, 50), queue: new RiskAverseQueue(), fillMode: 'partial', idPrefix: prefix });
  v.onMarketBatch(batchOf([level(0, Side.Bid, 1000, 5), level(0, Side.Ask, 1001, 4)]));
  return v;
}

const order = (clientOrderId: string, inst: Instrument, sizeLots = 1): OrderIntentData => ({
  clientOrderId, strategyId: 's', instrument: inst.id, side: 'buy', type: 'limit', timeInForce: 'GTC', priceTicks: 999, sizeLots, reduceOnly: false, tag: '',
});

/** Advances the venues to `t` and returns what reached the strategy side by then, as [local time, kind, client id, reason]. */
function take(x: SimExecutionVenue, t: number): Array<[number, string, string, string]> {
  x.advanceTo(t);
  return x.takeResponses(t).flatMap((r: TimedVenueReport | TimedFunding) => ('report' in r
    ? [[r.tsLocal, r.report.kind, r.report.clientOrderId, 'reason' in r.report ? r.report.reason : ''] as [number, string, string, string]]
    : []));
}

describe('SimExecutionVenue', () => {
  it('holds a cancel asked while the submit is in flight and sends it when the ack reaches the strategy', () => {
    const x = new SimExecutionVenue([simVenue(PERP, 'p')]);
    x.submit(order('a', PERP), 1_000);
    x.cancel('a', 1_010); // the ack comes back at 1_150: held until then
    expect(take(x, 1_149)).toEqual([]);
    expect(take(x, 1_150)).toEqual([[1_150, 'accepted', 'a', '']]);
    // sent at 1_150: at the venue at 1_250, answered at 1_300
    expect(take(x, 1_299)).toEqual([]);
    expect(take(x, 1_300)).toEqual([[1_300, 'canceled', 'a', 'canceled by request']]);
    // The venue still knows the closed order: a second cancel is answered, not dropped.
    x.cancel('a', 2_000);
    expect(take(x, 2_150)).toEqual([[2_150, 'cancel-rejected', 'a', 'order already closed']]);
  });

  it('drops a cancel held for an order the venue rejects on arrival', () => {
    const x = new SimExecutionVenue([simVenue(PERP, 'p')]);
    x.submit(order('bad', PERP, 0), 1_000); // size 0: rejected when it reaches the venue
    x.cancel('bad', 1_010);
    expect(take(x, 1_150)).toEqual([[1_150, 'rejected', 'bad', 'sizeLots must be a positive integer, got 0']]);
    expect(take(x, 10_000)).toEqual([]);
  });

  it('sends each request to the venue holding the order, across instruments', () => {
    const perp = simVenue(PERP, 'p');
    const spot = simVenue(SPOT, 's');
    const x = new SimExecutionVenue([perp, spot]);
    x.submit(order('onPerp', PERP), 1_000);
    x.submit(order('onSpot', SPOT), 1_000);
    expect(take(x, 1_150).map(([, k, id]) => [k, id])).toEqual([['accepted', 'onPerp'], ['accepted', 'onSpot']]);
    x.cancel('onSpot', 2_000);
    expect(take(x, 2_150)).toEqual([[2_150, 'canceled', 'onSpot', 'canceled by request']]);
    expect(spot.openOrders()).toHaveLength(0);
    expect(perp.openOrders().map((o) => o.clientOrderId)).toEqual(['onPerp']);
    // An id no venue has seen is not sent anywhere.
    x.cancel('never-submitted', 3_000);
    expect(take(x, 10_000)).toEqual([]);
  });
});
