/**
 * The public API of hft, grouped by section. Curated: only what users build on.
 */
// core
export { HftError, isHftError, ConcurrencyError, isConcurrencyError, ErrorCodes, type ErrorCode } from './core/errors.ts';
export { SeededRandom, type RandomState } from './core/random.ts';
export { Increment } from './core/fixed.ts';
export { isoFromUs, usFromIso, usFromMs, usFromNs, type Micros } from './core/time.ts';
export { clientOrderId, deriveRunId, eventId, canonicalJson, sha256Hex } from './core/ids.ts';
// model
export * as market from './model/market.ts';
export { instrument, instrumentId, type Instrument, type InstrumentSpec, type InstrumentKind } from './model/instrument.ts';
export { EVENT_CATALOGUE, registerUpcaster, upcast, isEventType, type EventEnvelope, type NewEvent, type EventType, type EventData } from './model/events.ts';
// event store
export { collect, type EventStore, type ExpectedRevision, type AppendResult } from './eventstore/port.ts';
export { MemoryEventStore } from './eventstore/memory/MemoryEventStore.ts';
// simulated venue
export { SimVenue, type SimVenueConfig, type SimBook, type FillMode, type SubmitRequest, type ModifyRequest } from './sim/SimVenue.ts';
export type { VenueResponse, OrderResponse, FundingSettlement, AcceptedResponse, RejectedResponse, FilledResponse, CanceledResponse, CancelRejectedResponse, UpdatedResponse, UpdateRejectedResponse, ExpiredResponse } from './sim/VenueResponse.ts';
export type { LatencyModel } from './sim/LatencyModel.ts';
export { ConstantLatency } from './sim/ConstantLatency.ts';
export { InterpolatedLatency, type LatencyRow } from './sim/InterpolatedLatency.ts';
export { LogNormalLatency, type LogNormalLatencyConfig, type LogNormalLeg } from './sim/LogNormalLatency.ts';
export { queueFillLots, type QueueModel, type QueuePosition } from './sim/QueueModel.ts';
export { RiskAverseQueue } from './sim/RiskAverseQueue.ts';
export { ProbQueue } from './sim/ProbQueue.ts';
export { powerProb, power2Prob, power3Prob, logProb, log2Prob, type ProbFunction } from './sim/probFunctions.ts';
export { FeeAndFunding, type FillMoney, type FundingMoney } from './sim/FeeAndFunding.ts';
