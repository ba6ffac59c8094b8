/**
 * Deterministic identifiers. Nothing in the kernel is random or wall-clock based: an id is a run id
 * plus a sequence number, so a replay produces the same ids byte for byte.
 */
import { createHash } from 'node:crypto';

/** Hex SHA-256 of a string or bytes. */
export const sha256Hex = (input: string | Uint8Array): string => createHash('sha256').update(input).digest('hex');

/** Canonical JSON (sorted keys, no whitespace): the input of every config hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** A run id derived from what defines the run (config hash, dataset hashes, seed): `r` + 12 hex. */
export const deriveRunId = (definition: unknown): string => `r${sha256Hex(canonicalJson(definition)).slice(0, 12)}`;

/** Event id: `<runId>-<seq>`. */
export const eventId = (runId: string, seq: number): string => `${runId}-${seq}`;

/**
 * Client order id, the idempotency key towards venues. Alphanumeric only and at most 32 characters,
 * the strictest of the venues we support (OKX `clOrdId`: 1–32 alphanumerics; Binance
 * `newClientOrderId` and Bybit `orderLinkId` allow 36 with more characters).
 */
export function clientOrderId(runId: string, seq: number): string {
  const id = `${runId.replace(/[^A-Za-z0-9]/g, '')}o${seq.toString(36)}`;
  if (id.length > 32) throw new RangeError(`client order id '${id}' longer than 32 characters`);
  return id;
}
