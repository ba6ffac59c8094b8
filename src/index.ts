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
