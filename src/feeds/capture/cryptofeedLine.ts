/**
 * Line formats of the cryptofeed raw captures:
 * - `<unix seconds>: <raw ws message>` — a received WebSocket message,
 * - `<url> -> <unix seconds>: <body>` — a REST response (instrument lists, depth snapshots),
 * - `<url> <- <ts>: <sent>` (outbound subscription) and `<url> <-> <ts>` (connect),
 * - `configuration: {...}` (the recorder's own settings).
 * Receive times are float seconds; converted to µs (rounded: the float carries ~0.1 µs of noise).
 */
import { HftError } from '../../core/errors.ts';

export type CryptofeedRecord =
  | { readonly type: 'ws'; readonly tsRecv: number; readonly msg: unknown }
  | { readonly type: 'rest'; readonly tsRecv: number; readonly url: string; readonly msg: unknown }
  | { readonly type: 'sent' | 'connect' | 'config'; readonly tsRecv: number };

const usFromSeconds = (text: string): number => Math.round(Number(text) * 1e6);

function json(text: string, where: string): unknown {
  try { return JSON.parse(text); } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: invalid JSON: ${(e as Error).message}`, {}, { cause: e });
  }
}

export function parseCryptofeedLine(line: string, where: string): CryptofeedRecord {
  let m = /^(\d+(?:\.\d+)?): /.exec(line);
  if (m) return { type: 'ws', tsRecv: usFromSeconds(m[1]!), msg: json(line.slice(m[0].length), where) };
  m = /^(\S+) -> (\d+(?:\.\d+)?): /.exec(line);
  if (m) return { type: 'rest', url: m[1]!, tsRecv: usFromSeconds(m[2]!), msg: json(line.slice(m[0].length), where) };
  m = /^\S+ <- (\d+(?:\.\d+)?): /.exec(line);
  if (m) return { type: 'sent', tsRecv: usFromSeconds(m[1]!) };
  m = /^\S+ <-> (\d+(?:\.\d+)?)$/.exec(line);
  if (m) return { type: 'connect', tsRecv: usFromSeconds(m[1]!) };
  if (line.startsWith('configuration: ')) return { type: 'config', tsRecv: 0 };
  throw new HftError('HFT_ERR_BAD_INPUT', `${where}: not a cryptofeed capture line: ${JSON.stringify(line.slice(0, 60))}`);
}

/** The `symbol` query parameter of a REST URL (Binance depth snapshots), or undefined. */
export function symbolOfUrl(url: string): string | undefined {
  const m = /[?&]symbol=([^&]+)/.exec(url);
  return m ? decodeURIComponent(m[1]!) : undefined;
}
