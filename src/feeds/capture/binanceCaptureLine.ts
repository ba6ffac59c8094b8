/**
 * Line format of the binance-capture files (hftbacktest recorder): `<local receive ns> <raw JSON>`.
 * The REST snapshot line is a bare `{"lastUpdateId":...}` body whose symbol is only in the file name.
 */
import { HftError } from '../../core/errors.ts';
import { usFromNs } from '../../core/time.ts';
import type { VenueId } from '../normalizer.ts';

export interface CaptureRecord {
  /** Local receive time, µs. */
  readonly tsRecv: number;
  readonly msg: unknown;
}

/** Parses one line; `where` (e.g. `file.gz:12`) names the line in errors. */
export function parseBinanceCaptureLine(line: string, where: string): CaptureRecord {
  const sp = line.indexOf(' ');
  const ns = sp > 0 ? line.slice(0, sp) : '';
  if (!/^\d{1,20}$/.test(ns)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: expected '<ns> <json>', line starts with ${JSON.stringify(line.slice(0, 30))}`);
  let msg: unknown;
  try { msg = JSON.parse(line.slice(sp + 1)); } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${where}: invalid JSON: ${(e as Error).message}`, {}, { cause: e });
  }
  return { tsRecv: usFromNs(ns), msg };
}

export const isDepthSnapshot = (msg: unknown): boolean =>
  typeof msg === 'object' && msg !== null && typeof (msg as Record<string, unknown>).lastUpdateId === 'number';

/**
 * Venue and symbol of a capture file from its path: `.../{spot,usdm,cm}/<symbol>_<yyyymmdd>.gz`,
 * e.g. `cm/btcusd_perp_20240808.gz` → binance-coinm BTCUSD_PERP.
 */
export function binanceCaptureFile(path: string): { venue: VenueId; symbol: string; day: string } {
  const m = /(?:^|\/)(spot|usdm|cm)\/([a-z0-9_]+)_(\d{8})\.gz$/i.exec(path);
  if (!m) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: not a binance-capture file name (expected <spot|usdm|cm>/<symbol>_<yyyymmdd>.gz)`);
  const venue: VenueId = m[1] === 'spot' ? 'binance-spot' : m[1] === 'usdm' ? 'binance-usdm' : 'binance-coinm';
  return { venue, symbol: m[2]!.toUpperCase(), day: m[3]! };
}
