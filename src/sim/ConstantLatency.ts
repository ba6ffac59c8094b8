/** Fixed entry and response latency (a negative entry latency rejects every request, see LatencyModel). */
import { HftError } from '../core/errors.ts';
import type { LatencyModel } from './LatencyModel.ts';

export class ConstantLatency implements LatencyModel {
  readonly entryUs: number;
  readonly responseUs: number;
  constructor(entryUs: number, responseUs: number) {
    if (!Number.isFinite(entryUs)) throw new HftError('HFT_ERR_CONFIG', `ConstantLatency: entryUs must be a finite number, got ${entryUs}`);
    if (!Number.isFinite(responseUs) || responseUs < 0) throw new HftError('HFT_ERR_CONFIG', `ConstantLatency: responseUs must be a finite number >= 0, got ${responseUs}`);
    this.entryUs = entryUs;
    this.responseUs = responseUs;
  }
  entryLatencyUs(_localTimeUs: number): number { return this.entryUs; }
  responseLatencyUs(_venueTimeUs: number): number { return this.responseUs; }
}
