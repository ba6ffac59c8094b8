/**
 * Latency interpolated from recorded order round trips: rows of (request sent locally, processed by
 * the venue, response received locally), all in µs.
 *
 * - Entry latency at local time t: linear interpolation of (venueUs - requestUs) between the two rows
 *   whose requestUs bracket t; before the first row / after the last row, that row's latency.
 * - A row with venueUs <= 0 records a request the venue rejected without processing (how exchanges
 *   answer under overload; hftbacktest's convention for "exchange timestamp zero"). When either
 *   bracketing row is such a row, the entry latency is the NEGATED interpolated round trip
 *   (responseUs - requestUs): the request is rejected and the strategy learns it that much later.
 * - Response latency at venue time v: linear interpolation of (responseUs - venueUs) between the two
 *   processed rows whose venueUs bracket v, clamped to the first/last processed row outside them.
 * Results are rounded to the nearest µs (half away from zero).
 */
import { HftError } from '../core/errors.ts';
import type { LatencyModel } from './LatencyModel.ts';

export interface LatencyRow {
  readonly requestUs: number;
  readonly venueUs: number;
  readonly responseUs: number;
}

const roundUs = (x: number): number => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
const lerp = (x: number, x1: number, y1: number, x2: number, y2: number): number =>
  x2 === x1 ? y1 : y1 + ((y2 - y1) * (x - x1)) / (x2 - x1);

export class InterpolatedLatency implements LatencyModel {
  private readonly req: Float64Array;
  private readonly venue: Float64Array;
  private readonly resp: Float64Array;
  /** Rows the venue processed (venueUs > 0), for the response side. */
  private readonly okVenue: Float64Array;
  private readonly okResp: Float64Array;

  constructor(rows: readonly LatencyRow[]) {
    if (rows.length === 0) throw new HftError('HFT_ERR_CONFIG', 'InterpolatedLatency: at least one latency row is required');
    const n = rows.length;
    this.req = new Float64Array(n); this.venue = new Float64Array(n); this.resp = new Float64Array(n);
    const ok: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      for (const f of ['requestUs', 'venueUs', 'responseUs'] as const) {
        if (!Number.isFinite(r[f])) throw new HftError('HFT_ERR_BAD_INPUT', `InterpolatedLatency: row ${i} field ${f} is not a finite number (${r[f]})`, { row: i, field: f });
      }
      if (i > 0 && r.requestUs < rows[i - 1]!.requestUs) throw new HftError('HFT_ERR_BAD_INPUT', `InterpolatedLatency: row ${i} requestUs ${r.requestUs} is before row ${i - 1} (rows must be sorted by requestUs)`, { row: i, field: 'requestUs' });
      if (r.responseUs < r.requestUs) throw new HftError('HFT_ERR_BAD_INPUT', `InterpolatedLatency: row ${i} responseUs is before requestUs`, { row: i, field: 'responseUs' });
      if (r.venueUs > 0) {
        if (r.venueUs < r.requestUs || r.responseUs < r.venueUs) throw new HftError('HFT_ERR_BAD_INPUT', `InterpolatedLatency: row ${i} timestamps are not ordered request <= venue <= response`, { row: i, field: 'venueUs' });
        ok.push([r.venueUs, r.responseUs]);
      }
      this.req[i] = r.requestUs; this.venue[i] = r.venueUs; this.resp[i] = r.responseUs;
    }
    if (ok.length === 0) throw new HftError('HFT_ERR_CONFIG', 'InterpolatedLatency: no row was processed by the venue (every venueUs <= 0), response latency is undefined');
    // A later request can be processed first (venue queues), so the response side sorts by venue time.
    ok.sort((a, b) => a[0] - b[0]);
    this.okVenue = Float64Array.from(ok, (x) => x[0]); this.okResp = Float64Array.from(ok, (x) => x[1]);
  }

  entryLatencyUs(localTimeUs: number): number {
    const n = this.req.length;
    if (localTimeUs < this.req[0]!) return this.entryOfRow(0);
    if (localTimeUs >= this.req[n - 1]!) return this.entryOfRow(n - 1);
    const i = upperBound(this.req, localTimeUs) - 1; // req[i] <= t < req[i+1]
    const j = i + 1;
    if (this.venue[i]! <= 0 || this.venue[j]! <= 0) {
      return -roundUs(lerp(localTimeUs, this.req[i]!, this.resp[i]! - this.req[i]!, this.req[j]!, this.resp[j]! - this.req[j]!));
    }
    return roundUs(lerp(localTimeUs, this.req[i]!, this.venue[i]! - this.req[i]!, this.req[j]!, this.venue[j]! - this.req[j]!));
  }

  responseLatencyUs(venueTimeUs: number): number {
    const v = this.okVenue; const r = this.okResp; const n = v.length;
    if (venueTimeUs < v[0]!) return roundUs(r[0]! - v[0]!);
    if (venueTimeUs >= v[n - 1]!) return roundUs(r[n - 1]! - v[n - 1]!);
    const i = upperBound(v, venueTimeUs) - 1;
    return roundUs(lerp(venueTimeUs, v[i]!, r[i]! - v[i]!, v[i + 1]!, r[i + 1]! - v[i + 1]!));
  }

  private entryOfRow(i: number): number {
    return this.venue[i]! <= 0 ? -roundUs(this.resp[i]! - this.req[i]!) : roundUs(this.venue[i]! - this.req[i]!);
  }
}

/** First index whose value is > x. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0; let hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid]! <= x) lo = mid + 1; else hi = mid; }
  return lo;
}
