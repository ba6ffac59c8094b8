/**
 * Bybit v5 request authentication, checked the way the venue documents it
 * (https://bybit-exchange.github.io/docs/v5/guide#authentication):
 *
 * - REST: headers X-BAPI-API-KEY, X-BAPI-TIMESTAMP (ms), X-BAPI-RECV-WINDOW (default 5000) and
 *   X-BAPI-SIGN = hex(HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload)), payload = the
 *   query string of a GET as sent, the raw JSON body of a POST. The request is valid when
 *   server_time - recv_window <= timestamp < server_time + 1000. Failures are HTTP 200 with Bybit's
 *   retCodes and messages: 10003 "API key is invalid.", 10002 "invalid request, please check your server
 *   timestamp or recv_window param. req_timestamp[..],server_timestamp[..],recv_window[..]", 10004
 *   "Error sign, please check your signature generation algorithm." (messages as users report them in
 *   sieblyio/bybit-api issues #232, #537).
 * - Private WebSocket `auth`: args [apiKey, expires (ms, in the future), hex HMAC-SHA256(secret,
 *   "GET/realtime" + expires)]. A failure is `{"success":false,"ret_msg":"Params Error","op":"auth"}`,
 *   the answer v5 users report for a refused auth (bybit-exchange/pybit issue #300).
 */
import { createHmac } from 'node:crypto';
import { headerText, sameText } from './signatureShared.ts';

export interface BybitCredentials { readonly apiKey: string; readonly secret: string }

export type BybitAuthResult = { readonly ok: true } | { readonly ok: false; readonly retCode: number; readonly retMsg: string };

export const bybitSign = (secret: string, payload: string): string => createHmac('sha256', secret).update(payload).digest('hex');


/** REST: `payload` is the raw query string (GET, without '?') or the raw body (POST). */
export function verifyBybitRest(headers: Readonly<Record<string, string | string[] | undefined>>, payload: string, c: BybitCredentials, nowMs: number): BybitAuthResult {
  const key = headerText(headers, 'X-BAPI-API-KEY'); const sign = headerText(headers, 'X-BAPI-SIGN');
  const ts = headerText(headers, 'X-BAPI-TIMESTAMP'); const rw = headerText(headers, 'X-BAPI-RECV-WINDOW') || '5000';
  if (key === '' || !sameText(key, c.apiKey)) return { ok: false, retCode: 10003, retMsg: 'API key is invalid.' };
  if (!/^\d+$/.test(ts) || !/^\d+$/.test(rw) || !(Number(ts) >= nowMs - Number(rw) && Number(ts) < nowMs + 1000)) {
    return { ok: false, retCode: 10002, retMsg: `invalid request, please check your server timestamp or recv_window param. req_timestamp[${ts}],server_timestamp[${nowMs}],recv_window[${rw}]` };
  }
  if (sign === '' || !sameText(sign, bybitSign(c.secret, `${ts}${key}${rw}${payload}`))) return { ok: false, retCode: 10004, retMsg: 'Error sign, please check your signature generation algorithm.' };
  return { ok: true };
}

/** WebSocket `auth` args: [apiKey, expires, signature]. */
export function verifyBybitWsAuth(args: unknown, c: BybitCredentials, nowMs: number): BybitAuthResult {
  const refused = { ok: false as const, retCode: 10001, retMsg: 'Params Error' };
  if (!Array.isArray(args) || args.length !== 3) return refused;
  const [key, expires, sign] = args as unknown[];
  if (typeof key !== 'string' || typeof sign !== 'string' || (typeof expires !== 'number' && typeof expires !== 'string')) return refused;
  if (!/^\d+$/.test(String(expires)) || Number(expires) <= nowMs) return refused;
  if (!sameText(key, c.apiKey) || !sameText(sign, bybitSign(c.secret, `GET/realtime${String(expires)}`))) return refused;
  return { ok: true };
}
