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
export { L2Book, type L2BookOptions } from './model/book/L2Book.ts';
export { NO_BID, NO_ASK, type BookView } from './model/book/BookView.ts';
export type { Intent, PlaceIntent, CancelIntent, ModifyIntent, CancelAllIntent, Order, OrderStatus, VenueReport } from './model/orders.ts';
// event store
export { collect, type EventStore, type ExpectedRevision, type AppendResult } from './eventstore/port.ts';
export { MemoryEventStore } from './eventstore/memory/MemoryEventStore.ts';
// market data: normalizers (tardis-style canHandle/map), book synchronizers, tick store
export type { Normalizer, InstrumentLookup, VenueId } from './feeds/normalizer.ts';
export { instrumentLookup } from './feeds/instrumentLookup.ts';
export { BinanceBookSync } from './feeds/binance/BinanceBookSync.ts';
export { OkxBookSync } from './feeds/okx/OkxBookSync.ts';
export { openTickStore, type TickStore, type TickQuery, type TickStream } from './feeds/tickstore/TickStore.ts';
export { mergeByTime } from './feeds/merge/mergeByTime.ts';
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
// strategies and the kernel
export type { Strategy, StrategyContext, StrategyFactory, Decision } from './strategy/Strategy.ts';
export { STRATEGY_FACTORIES } from './strategy/registry.ts';
export { Kernel, type KernelConfig, type KernelCounters } from './engine/Kernel.ts';
export type { ExecutionVenue, RiskGate, Ledger } from './engine/ports.ts';
export { parseScenario, type Scenario } from './engine/scenario.ts';
export { createBacktest } from './engine/createBacktest.ts';
export { runBacktest, type BacktestResult } from './engine/runBacktest.ts';
export { compareRuns, type ParityResult } from './engine/parity.ts';
