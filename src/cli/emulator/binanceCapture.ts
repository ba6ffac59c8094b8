/**
 * Loads a binance-capture session (spot, USDⓈ-M or COIN-M) (`<ns> <json>` gz lines, one or more consecutive files) for the
 * emulator: the REST depth snapshot the recorder took, and every stream message from the first diff
 * that chains after it, as raw JSON text (sent verbatim, only the time fields re-stamped).
 *
 * The messages before the sync point are dropped because the emulator serves its own `/api/v3/depth`
 * from the book those messages build: a client that connects sees a stream that chains into it.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { HftError } from '../../core/errors.ts';
import { binanceCaptureFile, isDepthSnapshot, parseBinanceCaptureLine } from '../../feeds/capture/binanceCaptureLine.ts';
import type { VenueId } from '../../feeds/normalizer.ts';

export interface CaptureMessage {
  /** Recorder receive time, µs (the replay schedule). */
  readonly tsCapUs: number;
  /** Stream name, e.g. `btcusdt@depth@100ms`. */
  readonly stream: string;
  /** The `data` object's raw JSON text as recorded. */
  readonly dataJson: string;
  readonly data: Record<string, unknown>;
}

export interface CaptureSession {
  readonly venue: VenueId;
  readonly symbol: string;
  readonly snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
  readonly messages: readonly CaptureMessage[];
  /** Lines read, for reports. */
  readonly lines: number;
}

export function loadBinanceCapture(files: readonly string[]): CaptureSession {
  if (files.length === 0) throw new HftError('HFT_ERR_USAGE', 'emulator: no capture file given');
  const first = binanceCaptureFile(files[0]!);
  let snapshot: CaptureSession['snapshot'] | undefined;
  const messages: CaptureMessage[] = [];
  let lines = 0;
  for (const file of files) {
    const f = binanceCaptureFile(file);
    if (f.venue !== first.venue || f.symbol !== first.symbol) throw new HftError('HFT_ERR_USAGE', `emulator: ${file} is ${f.venue} ${f.symbol}, the session is ${first.venue} ${first.symbol}`);
    let text: string;
    try { text = gunzipSync(readFileSync(file)).toString('utf8'); } catch (e) {
      throw new HftError('HFT_ERR_NOT_FOUND', `emulator: cannot read capture ${file}: ${(e as Error).message}`);
    }
    let n = 0;
    for (const line of text.split('\n')) {
      n++;
      if (line === '') continue;
      lines++;
      const rec = parseBinanceCaptureLine(line, `${file}:${n}`);
      if (isDepthSnapshot(rec.msg)) {
        if (!snapshot) snapshot = rec.msg as CaptureSession['snapshot'];
        continue;
      }
      const env = rec.msg as { stream?: unknown; data?: unknown };
      if (typeof env.stream !== 'string' || typeof env.data !== 'object' || env.data === null) {
        throw new HftError('HFT_ERR_BAD_INPUT', `${file}:${n}: expected a combined-stream envelope {stream, data}`);
      }
      const sp = line.indexOf(' ');
      const raw = line.slice(sp + 1);
      const at = raw.indexOf('"data":');
      const dataJson = raw.slice(at + 7, raw.lastIndexOf('}'));
      messages.push({ tsCapUs: rec.tsRecv, stream: env.stream, dataJson, data: env.data as Record<string, unknown> });
    }
  }
  if (!snapshot) throw new HftError('HFT_ERR_BAD_INPUT', `emulator: no REST depth snapshot line in ${files.join(', ')}`);
  // Start at the first diff that chains into the snapshot. Spot: it straddles it (U <= lastUpdateId + 1
  // <= u). Futures: U <= lastUpdateId <= u, or pu == lastUpdateId (futures ids are not dense per
  // symbol: usdm/ethusdt_20240808 has U > lastUpdateId right after it; see BinanceBookSync).
  const L = snapshot.lastUpdateId;
  const futures = first.venue !== 'binance-spot';
  const start = messages.findIndex((m) => {
    if (m.data.e !== 'depthUpdate') return false;
    const U = m.data.U as number; const u = m.data.u as number;
    return futures ? u >= L && (U <= L || m.data.pu === L) : U <= L + 1 && u >= L + 1;
  });
  if (start < 0) throw new HftError('HFT_ERR_BAD_INPUT', `emulator: no diff in ${files.join(', ')} chains into the snapshot (lastUpdateId ${L})`);
  return { venue: first.venue, symbol: first.symbol, snapshot, messages: messages.slice(start), lines };
}
