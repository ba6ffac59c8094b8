/**
 * OKX v5 request authentication, checked the way the venue documents it
 * (https://www.okx.com/docs-v5/en/#overview-rest-authentication-making-requests):
 *
 * - REST: headers OK-ACCESS-KEY, OK-ACCESS-PASSPHRASE, OK-ACCESS-TIMESTAMP (ISO 8601 UTC with
 *   milliseconds, e.g. 2020-12-08T09:08:57.715Z, within 30 s of the server) and OK-ACCESS-SIGN =
 *   base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)); requestPath includes the
 *   query string of a GET, body is the raw JSON of a POST. Failures are HTTP 401 with OKX's codes.
 * - WebSocket `login`: the same signature over timestamp (Unix seconds) + 'GET' + '/users/self/verify'.
 */
import { createHmac } from 'node:crypto';
import { headerText, sameText } from './signatureShared.ts';

export interface OkxCredentials { readonly apiKey: string; readonly secretKey: string; readonly passphrase: string }

export type OkxAuthResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly msg: string };

export const okxSign = (secretKey: string, prehash: string): string => createHmac('sha256', secretKey).update(prehash).digest('base64');

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** OKX refuses a request whose timestamp is more than 30 s away from its clock. */
export const OKX_TIMESTAMP_WINDOW_MS = 30_000;


/** REST: `requestPath` is the path with its query string (`/api/v5/trade/order?instId=BTC-USDT&clOrdId=x`). */
export function verifyOkxRest(headers: Readonly<Record<string, string | string[] | undefined>>, method: string, requestPath: string, body: string, c: OkxCredentials, nowMs: number): OkxAuthResult {
  const key = headerText(headers, 'OK-ACCESS-KEY'); const pass = headerText(headers, 'OK-ACCESS-PASSPHRASE');
  const sign = headerText(headers, 'OK-ACCESS-SIGN'); const ts = headerText(headers, 'OK-ACCESS-TIMESTAMP');
  if (key === '') return { ok: false, code: '50103', msg: 'Request header OK-ACCESS-KEY cannot be empty.' };
  if (pass === '') return { ok: false, code: '50104', msg: 'Request header OK-ACCESS-PASSPHRASE cannot be empty.' };
  if (sign === '') return { ok: false, code: '50106', msg: 'Request header OK-ACCESS-SIGN cannot be empty.' };
  if (ts === '') return { ok: false, code: '50107', msg: 'Request header OK-ACCESS-TIMESTAMP cannot be empty.' };
  if (!sameText(key, c.apiKey)) return { ok: false, code: '50111', msg: 'Invalid OK-ACCESS-KEY.' };
  if (!ISO_MS.test(ts) || Number.isNaN(Date.parse(ts))) return { ok: false, code: '50112', msg: 'Invalid OK-ACCESS-TIMESTAMP.' };
  if (Math.abs(nowMs - Date.parse(ts)) > OKX_TIMESTAMP_WINDOW_MS) return { ok: false, code: '50102', msg: 'Timestamp request expired.' };
  if (!sameText(pass, c.passphrase)) return { ok: false, code: '50105', msg: 'OK-ACCESS-PASSPHRASE incorrect.' };
  if (!sameText(sign, okxSign(c.secretKey, `${ts}${method}${requestPath}${body}`))) return { ok: false, code: '50113', msg: 'Invalid Sign' };
  return { ok: true };
}

/** WebSocket login arguments ({apiKey, passphrase, timestamp, sign}); the timestamp is Unix seconds. */
export function verifyOkxLogin(arg: Record<string, unknown>, c: OkxCredentials, nowMs: number): OkxAuthResult {
  const { apiKey, passphrase, timestamp, sign } = arg;
  if (typeof apiKey !== 'string' || typeof passphrase !== 'string' || typeof timestamp !== 'string' || typeof sign !== 'string') {
    return { ok: false, code: '60009', msg: 'Login failed.' };
  }
  if (!sameText(apiKey, c.apiKey)) return { ok: false, code: '60005', msg: 'Invalid OK-ACCESS-KEY' };
  if (!/^\d+(\.\d+)?$/.test(timestamp)) return { ok: false, code: '60004', msg: 'Invalid timestamp' };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > OKX_TIMESTAMP_WINDOW_MS) return { ok: false, code: '60006', msg: 'Timestamp request expired' };
  if (!sameText(passphrase, c.passphrase)) return { ok: false, code: '60024', msg: 'Wrong passphrase' };
  if (!sameText(sign, okxSign(c.secretKey, `${timestamp}GET/users/self/verify`))) return { ok: false, code: '60007', msg: 'Invalid sign' };
  return { ok: true };
}
