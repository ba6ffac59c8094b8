/**
 * Loads a cryptofeed OKX v5 public capture (`<unix seconds>: <raw ws message>` lines, e.g.
 * data/cryptofeed/OKX.ws.1.0) for the OKX emulator: every `books`, `trades` and `tickers` push as
 * raw text (sent verbatim, only `ts` re-stamped), with its receive time as the replay schedule.
 * Subscription answers (`{"event":...}`) and the recorder's own lines are left out: the emulator
 * answers subscriptions itself.
 */
import { readFileSync } from 'node:fs';
import { HftError } from '../../core/errors.ts';
import { parseCryptofeedLine } from '../../feeds/capture/cryptofeedLine.ts';

export interface OkxCaptureMessage {
  /** Recorder receive time, µs. */
  readonly tsCapUs: number;
  readonly channel: 'books' | 'trades' | 'tickers';
  readonly instId: string;
  /** The message as received. */
  readonly text: string;
  readonly msg: { action?: string; data: Record<string, unknown>[] };
}

export interface OkxCapture {
  readonly file: string;
  readonly messages: readonly OkxCaptureMessage[];
  readonly instIds: readonly string[];
}

export function loadOkxCapture(file: string, instIds?: readonly string[]): OkxCapture {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new HftError('HFT_ERR_NOT_FOUND', `okx emulator: cannot read capture ${file}: ${(e as Error).message}`);
  }
  const messages: OkxCaptureMessage[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const rec = parseCryptofeedLine(line, `${file}:${i + 1}`);
    if (rec.type !== 'ws') return;
    const m = rec.msg as { arg?: { channel?: unknown; instId?: unknown }; event?: unknown; data?: unknown };
    if (m.event !== undefined || !m.arg) return;
    const channel = m.arg.channel; const instId = m.arg.instId;
    if ((channel !== 'books' && channel !== 'trades' && channel !== 'tickers') || typeof instId !== 'string') return;
    if (!Array.isArray(m.data)) throw new HftError('HFT_ERR_BAD_INPUT', `${file}:${i + 1}: ${channel} push without a 'data' array`);
    if (instIds && !instIds.includes(instId)) return;
    seen.add(instId);
    messages.push({ tsCapUs: rec.tsRecv, channel, instId, text: line.slice(line.indexOf(': ') + 2), msg: m as OkxCaptureMessage['msg'] });
  });
  if (messages.length === 0) throw new HftError('HFT_ERR_BAD_INPUT', `okx emulator: no books/trades/tickers push in ${file}${instIds ? ` for ${instIds.join(', ')}` : ''}`);
  return { file, messages, instIds: [...seen] };
}
