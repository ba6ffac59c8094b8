/**
 * Paper mode's venue clock: the simulated venue sees a live row when we receive it (tsEvent := tsRecv
 * on the copy the kernel gets; the tick store keeps the exchange time).
 *
 * Why: in wall-clock time a row whose exchange time is earlier than something the venue already did
 * can still arrive (streams are not merged by exchange time on the wire), and the venue would then see
 * rows in a different order than a replay that has all of them up front. At receipt time the order is
 * the arrival order in both, so the recorded session replays to the identical event stream.
 * Latency to the venue is still modelled by the scenario's entry/response latency.
 */
import { allocBatch, type MarketBatch } from '../../model/market.ts';

export function receiptVenueTime(b: MarketBatch): MarketBatch {
  const c = allocBatch(b.length);
  c.length = b.length;
  c.kind.set(b.kind.subarray(0, b.length)); c.instrument.set(b.instrument.subarray(0, b.length));
  c.tsRecv.set(b.tsRecv.subarray(0, b.length)); c.tsEvent.set(b.tsRecv.subarray(0, b.length));
  c.side.set(b.side.subarray(0, b.length)); c.price.set(b.price.subarray(0, b.length)); c.size.set(b.size.subarray(0, b.length));
  c.price2.set(b.price2.subarray(0, b.length)); c.size2.set(b.size2.subarray(0, b.length)); c.id.set(b.id.subarray(0, b.length));
  c.flags.set(b.flags.subarray(0, b.length)); c.rate.set(b.rate.subarray(0, b.length));
  return c;
}
