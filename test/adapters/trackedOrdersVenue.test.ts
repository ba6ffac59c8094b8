/**
 * TrackedOrdersVenue's bounded memory (issue #8): closed orders beyond `retainClosedOrders` are forgotten
 * oldest first, open ones never; fill ids live with their order; a cancel retry or refusal that comes
 * back for a forgotten order neither throws nor reports. A minimal venue drives the base class directly
 * (every request answered by the test); the three real adapters run the same story against their
 * emulators in closedOrderRetention.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { TrackedOrdersVenue, type ExecutionAdapterOptions, type TrackedOrder } from '../../src/adapters/TrackedOrdersVenue.ts';
import { isHftError } from '../../src/core/errors.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import type { VenueReport } from '../../src/model/orders.ts';
import { sleep } from '../core/waitFor.ts';

/** A venue whose cancel requests fail as the test says: `definitive` (a venue answer) or not (a timeout). */
class ScriptedVenue extends TrackedOrdersVenue<TrackedOrder> {
  readonly cancelsSent: string[] = [];
  /** Each cancel request waits for this before failing. */
  gate: Promise<void> = Promise.resolve();
  definitive = false;

  constructor(o: Partial<ExecutionAdapterOptions> & { reports?: VenueReport[] } = {}) {
    const reports = o.reports ?? [];
    let self: ScriptedVenue | undefined;
    super({ instruments: [], clockUs: () => 0, ...o, onReport: () => { for (const r of self!.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); } });
    self = this;
  }

  submit(cid: string): void { this.orders.set(cid, { order: order(cid), acked: false, closed: false, venueOrderId: '', cancelHeld: false }); }
  accept(cid: string): void { this.ack(cid, `v-${cid}`, 0); }
  cancelAck(cid: string): void { this.close(cid, { kind: 'canceled', clientOrderId: cid, reason: 'venue' }, 0); }
  filledInFull(cid: string): void { this.markClosed(cid); }
  fillSeen(cid: string, tradeId: string): boolean { return this.firstFill(this.orders.get(cid)!, tradeId); }
  amend(cid: string): void { this.startAmend(cid, 100, 1); }

  protected async sendCancel(id: string): Promise<void> {
    this.cancelsSent.push(id);
    await this.gate;
    await this.cancelFailed(id, 0, new Error('no answer'), this.definitive);
  }
  protected reasonOf(e: unknown): string { return (e as Error).message; }
}

const order = (cid: string): OrderIntentData => ({ clientOrderId: cid, strategyId: 's', instrument: 'x:Y', side: 'buy', type: 'limit', timeInForce: 'GTC', priceTicks: 1, sizeLots: 1, reduceOnly: false, tag: '' });

/** The reason `update-rejected` gives for `cid`: 'unknown order' once forgotten, 'order already closed' while retained. */
function amendAnswer(v: ScriptedVenue, reports: VenueReport[], cid: string): string {
  v.amend(cid);
  const r = reports.at(-1)!;
  expect(r).toMatchObject({ kind: 'update-rejected', clientOrderId: cid });
  return (r as { reason: string }).reason;
}

describe('TrackedOrdersVenue closed-order retention', () => {
  it('keeps the last N closed orders, forgets older ones oldest first, and never an open one', () => {
    const reports: VenueReport[] = [];
    const v = new ScriptedVenue({ retainClosedOrders: 3, reports });
    v.submit('open-1'); v.accept('open-1');
    for (let i = 1; i <= 8; i++) {
      v.submit(`c${i}`); v.accept(`c${i}`);
      if (i === 4) { v.submit('open-2'); v.accept('open-2'); }
      if (i % 2 === 0) v.cancelAck(`c${i}`); else v.filledInFull(`c${i}`);
      const r = v.retention();
      expect(r.closedRetained).toBe(Math.min(i, 3));
      expect(r.tracked).toBe(r.closedRetained + (i >= 4 ? 2 : 1));
    }
    expect(v.retention()).toEqual({ tracked: 5, closedRetained: 3, forgotten: 5 });
    expect(v.openClientIds()).toEqual(['open-1', 'open-2']);
    expect(amendAnswer(v, reports, 'c5')).toBe('unknown order');
    expect(amendAnswer(v, reports, 'c6')).toBe('order already closed');
    expect(amendAnswer(v, reports, 'never-placed')).toBe('unknown order');
    // A second close of a retained order changes nothing (no report, no second queue entry).
    const before = reports.length;
    v.cancelAck('c8');
    expect(reports.length).toBe(before);
    expect(v.retention()).toEqual({ tracked: 5, closedRetained: 3, forgotten: 5 });
  });

  it('does not forget an open order that reuses the client id of a closed one', () => {
    const reports: VenueReport[] = [];
    const v = new ScriptedVenue({ retainClosedOrders: 1, reports });
    v.submit('x'); v.accept('x'); v.cancelAck('x');
    v.submit('x'); // placed again: another order under the same id, open
    v.submit('y'); v.accept('y'); v.cancelAck('y'); // the first 'x' is the oldest closed: forgotten
    expect(v.retention().forgotten).toBe(1);
    expect(v.openClientIds()).toEqual(['x']);
  });

  it('with retainClosedOrders 0 forgets an order as it closes; a negative or fractional retention is a config error', () => {
    const reports: VenueReport[] = [];
    const v = new ScriptedVenue({ retainClosedOrders: 0, reports });
    v.submit('a'); v.accept('a'); v.cancelAck('a');
    expect(reports.map((r) => r.kind)).toEqual(['accepted', 'canceled']);
    expect(v.retention()).toEqual({ tracked: 0, closedRetained: 0, forgotten: 1 });
    for (const bad of [-1, 1.5, Number.NaN]) {
      let err: unknown;
      try { new ScriptedVenue({ retainClosedOrders: bad }); } catch (e) { err = e; }
      expect(isHftError(err, 'HFT_ERR_CONFIG')).toBe(true);
    }
  });

  it('remembers fill ids per order: a repeat on one order is a duplicate, the same id on another order is not', () => {
    const v = new ScriptedVenue();
    v.submit('buy-1'); v.submit('sell-1');
    expect(v.fillSeen('buy-1', 't1')).toBe(true);
    expect(v.fillSeen('buy-1', 't1')).toBe(false);
    // A self-trade: both sides carry the venue's one trade id.
    expect(v.fillSeen('sell-1', 't1')).toBe(true);
  });

  it('an unanswered cancel of an order closed and forgotten meanwhile is not sent again, with a log line and no report', async () => {
    const reports: VenueReport[] = [];
    const logs: string[] = [];
    const v = new ScriptedVenue({ retainClosedOrders: 1, retryDelayMs: 5, reports, log: (l) => logs.push(l) });
    let open!: () => void;
    v.gate = new Promise((r) => { open = r; });
    v.submit('c'); v.accept('c');
    v.cancel('c', 0);
    await sleep(0); // the cancel leaves after the kernel step (a microtask)
    expect(v.cancelsSent).toEqual(['c']);
    v.cancelAck('c'); // the venue's cancel push, while the request is unanswered
    v.submit('d'); v.accept('d'); v.cancelAck('d'); // 'c' is forgotten
    expect(v.retention().forgotten).toBe(1);
    open();
    await sleep(30); // past retryDelayMs
    expect(v.cancelsSent).toEqual(['c']);
    expect(logs).toEqual(['cancel c: not asked again, the order closed and was forgotten meanwhile (retainClosedOrders)']);
    expect(reports.filter((r) => r.clientOrderId === 'c').map((r) => r.kind)).toEqual(['accepted', 'canceled']);
  });

  it('a cancel refused for an order closed and forgotten meanwhile is no cancel-rejected; for an open order it is', async () => {
    const reports: VenueReport[] = [];
    const v = new ScriptedVenue({ retainClosedOrders: 1, reports });
    v.definitive = true;
    let open!: () => void;
    v.gate = new Promise((r) => { open = r; });
    v.submit('gone'); v.accept('gone'); v.submit('live'); v.accept('live');
    v.cancel('gone', 0); v.cancel('live', 0);
    await sleep(0);
    v.cancelAck('gone');
    v.submit('d'); v.accept('d'); v.cancelAck('d');
    open();
    await sleep(0);
    expect(reports.filter((r) => r.kind === 'cancel-rejected').map((r) => r.clientOrderId)).toEqual(['live']);
  });
});
