/**
 * Order latency between the strategy (local clock) and the venue (exchange clock), in µs.
 *
 * Semantics follow hftbacktest's `LatencyModel`: `entryLatencyUs` is the time a request sent at
 * local time t needs to reach the matching engine; a NEGATIVE value means the venue rejected the
 * request without processing it (overload, technical error) and its absolute value is when, after
 * t, the strategy learns about the rejection. `responseLatencyUs` is the time a venue response
 * emitted at venue time v needs to reach the strategy; it is never negative.
 *
 * Models may be stateful (a seeded distribution advances its generator) but must be deterministic:
 * the same sequence of calls gives the same answers.
 */
export interface LatencyModel {
  entryLatencyUs(localTimeUs: number): number;
  responseLatencyUs(venueTimeUs: number): number;
}
