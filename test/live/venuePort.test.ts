/**
 * VenuePort: the one class a live kernel and the warmer's shadow kernel both hold their venue behind
 * (src/engine/live/VenuePort.ts). Every call reaches the venue behind it with its arguments and the
 * venue as `this`, answers come back as the venue gave them, and a simulated venue that acts in time
 * (nextActionUs) is refused, as the kernel would otherwise not see that method.
 */
import { describe, expect, it } from 'vitest';
import { VenuePort } from '../../src/engine/live/VenuePort.ts';
import type { ExecutionVenue, TimedVenueReport } from '../../src/engine/ports.ts';
import { allocBatch } from '../../src/model/market.ts';
import type { OrderIntentData } from '../../src/model/events.ts';

class Recorder implements ExecutionVenue {
  readonly calls: unknown[][] = [];
  readonly answers: TimedVenueReport[] = [{ tsVenue: 5, tsLocal: 7, report: { kind: 'canceled', clientOrderId: 'c1', reason: 'venue' } }];
  onMarketRow(...a: unknown[]): void { this.calls.push(['onMarketRow', this, ...a]); }
  advanceTo(...a: unknown[]): void { this.calls.push(['advanceTo', this, ...a]); }
  submit(...a: unknown[]): void { this.calls.push(['submit', this, ...a]); }
  cancel(...a: unknown[]): void { this.calls.push(['cancel', this, ...a]); }
  modify(...a: unknown[]): void { this.calls.push(['modify', this, ...a]); }
  nextResponseUs(): number { this.calls.push(['nextResponseUs', this]); return 7; }
  takeResponses(t: number): readonly TimedVenueReport[] { this.calls.push(['takeResponses', this, t]); return this.answers; }
}

const order: OrderIntentData = { clientOrderId: 'c1', strategyId: 's', instrument: 'binance-spot:BTCUSDT', side: 'buy', type: 'limit', timeInForce: 'POST_ONLY', priceTicks: 6_100_000, sizeLots: 100_000, reduceOnly: false, tag: 'bid' };

describe('VenuePort', () => {
  it('hands every call to the venue behind it, with its arguments and the venue as this, and returns its answers', () => {
    const inner = new Recorder();
    const port = new VenuePort(inner);
    const b = allocBatch(1);
    port.onMarketRow(b, 0, 'binance-spot:BTCUSDT');
    port.advanceTo(3);
    port.submit(order, 4);
    port.cancel('c1', 5);
    port.modify('c1', 6_100_001, 200_000, 6);
    expect(port.nextResponseUs()).toBe(7);
    expect(port.takeResponses(8)).toBe(inner.answers);
    expect(inner.calls).toEqual([
      ['onMarketRow', inner, b, 0, 'binance-spot:BTCUSDT'], ['advanceTo', inner, 3], ['submit', inner, order, 4], ['cancel', inner, 'c1', 5],
      ['modify', inner, 'c1', 6_100_001, 200_000, 6], ['nextResponseUs', inner], ['takeResponses', inner, 8],
    ]);
    expect(inner.calls.every((c) => c[1] === inner)).toBe(true);
    expect(port.inner).toBe(inner);
  });

  it('rehearses the venue\'s submit path through the port\'s own calls, as the kernel makes them on a market row', () => {
    // A venue with `rehearse` (BinanceExecution's: the warm-up's last order submitted a few times, nothing sent).
    const inner = Object.assign(new Recorder(), {
      rehearse(via?: (o: OrderIntentData) => void): number { via!(order); via!(order); return 2; },
    });
    const port = new VenuePort(inner);
    expect(port.rehearseSubmit(9)).toBe(2);
    const one = [['advanceTo', inner, 9], ['onMarketRow', inner, expect.anything(), 0, order.instrument], ['submit', inner, order, 9]];
    expect(inner.calls).toEqual([...one, ...one]);
    // A venue without one: nothing called.
    const plain = new Recorder();
    expect(new VenuePort(plain).rehearseSubmit(9)).toBe(0);
    expect(plain.calls).toEqual([]);
  });

  it('refuses a venue that acts in time (nextActionUs), naming the method', () => {
    const sim = Object.assign(new Recorder(), { nextActionUs: () => 0 });
    expect(() => new VenuePort(sim)).toThrow(/nextActionUs/);
  });
});
