/**
 * Binance SIGNED endpoint check, as the venue does it
 * (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/endpoint-security-type):
 * `signature = HMAC-SHA256(secretKey, totalParams)` in hex, where totalParams is the query string
 * concatenated with the request body (no separator), the `signature` parameter itself left out;
 * `timestamp` must lie within `recvWindow` (default 5000 ms, max 60000) of the server time and not
 * more than 1000 ms ahead of it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureVerdict {
  readonly ok: boolean;
  /** Binance error code and message when not ok. */
  readonly code?: number;
  readonly msg?: string;
  readonly params: URLSearchParams;
}

/** Removes `signature=<hex>` from a raw query/body string, returning the rest verbatim and the value. */
function stripSignature(raw: string): { rest: string; signature: string | undefined } {
  let signature: string | undefined;
  const parts = raw === '' ? [] : raw.split('&');
  const kept = parts.filter((p) => {
    if (p.startsWith('signature=')) { signature = p.slice('signature='.length); return false; }
    return true;
  });
  return { rest: kept.join('&'), signature };
}

export function signBinance(secret: string, totalParams: string): string {
  return createHmac('sha256', secret).update(totalParams).digest('hex');
}

export function verifyBinanceSignature(rawQuery: string, rawBody: string, secret: string, serverTimeMs: number): SignatureVerdict {
  const q = stripSignature(rawQuery);
  const b = stripSignature(rawBody);
  const params = new URLSearchParams(q.rest);
  for (const [k, v] of new URLSearchParams(b.rest)) params.append(k, v);
  const signature = q.signature ?? b.signature;
  if (!signature) return { ok: false, code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.", params };
  const expected = signBinance(secret, q.rest + b.rest);
  const got = Buffer.from(signature.toLowerCase(), 'utf8');
  const want = Buffer.from(expected, 'utf8');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, code: -1022, msg: 'Signature for this request is not valid.', params };
  const ts = Number(params.get('timestamp'));
  if (!Number.isFinite(ts)) return { ok: false, code: -1102, msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.", params };
  const recvWindow = params.has('recvWindow') ? Number(params.get('recvWindow')) : 5000;
  if (!(recvWindow > 0 && recvWindow <= 60000)) return { ok: false, code: -1131, msg: 'recvWindow must be less than 60000', params };
  if (ts >= serverTimeMs + 1000 || serverTimeMs - ts > recvWindow) {
    return { ok: false, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.', params };
  }
  return { ok: true, params };
}
