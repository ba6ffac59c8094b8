/**
 * The one catalogue of error codes. Every error the engine raises on purpose carries one of these
 * codes; README "Error codes" lists them and a test keeps the two in sync.
 */
export const ErrorCodes = {
  HFT_ERR_CONFIG: 'invalid configuration',
  HFT_ERR_CONCURRENCY: 'expected revision did not match the stream',
  HFT_ERR_STORE_LOCKED: 'the store already has a writer',
  HFT_ERR_STORE_CORRUPT: 'a record failed its checksum or hash chain',
  HFT_ERR_STORE_CLOSED: 'the store is closed',
  HFT_ERR_STORE_URI: 'unsupported or malformed store URI',
  HFT_ERR_BAD_INPUT: 'malformed input record',
  HFT_ERR_UNKNOWN_EVENT: 'event type or version not in the catalogue',
  HFT_ERR_PRECISION: 'value is not a multiple of the instrument increment',
  HFT_ERR_SEQUENCE: 'venue sequence gap',
  HFT_ERR_INVALID_TRANSITION: 'order state transition not allowed',
  HFT_ERR_PARITY: 'replay diverged from the recorded run',
  HFT_ERR_NOT_FOUND: 'not found',
  HFT_ERR_USAGE: 'bad command-line usage',
  HFT_ERR_STORE_READ_ONLY: 'the store was opened read-only',
  HFT_ERR_IMMUTABLE: 'a tick-store partition already exists with different content',
  HFT_ERR_IN_FLIGHT: 'a request for this order is still in flight (one in-flight request per order)',
  HFT_ERR_STORE_UNREACHABLE: 'the store server could not be reached',
  HFT_ERR_SQL_READ_ONLY: 'a read-only query tried to write',
  HFT_ERR_UNAUTHORIZED: 'missing or unknown bearer token, or a role without the right',
  HFT_ERR_RUN_NOT_LIVE: 'the run is not live: no operator action can reach it',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class HftError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'HftError';
    this.code = code;
    this.details = details;
  }
}

export const isHftError = (e: unknown, code?: ErrorCode): e is HftError =>
  e instanceof HftError && (code === undefined || e.code === code);

export class ConcurrencyError extends HftError {
  readonly streamId: string;
  readonly expected: string;
  readonly actual: number;
  constructor(streamId: string, expected: string, actual: number) {
    super('HFT_ERR_CONCURRENCY', `stream '${streamId}': expected revision ${expected}, actual ${actual === -1 ? 'no stream' : actual}`, { streamId, expected, actual });
    this.name = 'ConcurrencyError';
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

export const isConcurrencyError = (e: unknown): e is ConcurrencyError => e instanceof ConcurrencyError;
