/**
 * Seeded random latency: each call draws median × exp(sigma × z), z standard normal from a
 * SeededRandom, plus a floor (the wire cannot be faster than light), rounded to whole µs. Entry and
 * response draws use separate generators so adding responses does not shift the entry sequence.
 */
import { HftError } from '../core/errors.ts';
import { SeededRandom } from '../core/random.ts';
import type { LatencyModel } from './LatencyModel.ts';

export interface LogNormalLeg {
  readonly medianUs: number;
  readonly sigma: number;
  /** Added to every draw; default 0. */
  readonly floorUs?: number;
}

export interface LogNormalLatencyConfig {
  readonly seed: number;
  readonly entry: LogNormalLeg;
  readonly response: LogNormalLeg;
}

export class LogNormalLatency implements LatencyModel {
  private readonly entryRng: SeededRandom;
  private readonly responseRng: SeededRandom;
  private readonly entry: Required<LogNormalLeg>;
  private readonly response: Required<LogNormalLeg>;
  constructor(config: LogNormalLatencyConfig) {
    if (!Number.isInteger(config.seed)) throw new HftError('HFT_ERR_CONFIG', `LogNormalLatency: seed must be an integer, got ${config.seed}`);
    this.entry = checkLeg('entry', config.entry);
    this.response = checkLeg('response', config.response);
    this.entryRng = new SeededRandom(config.seed);
    this.responseRng = new SeededRandom((config.seed ^ 0x5bd1e995) >>> 0);
  }
  entryLatencyUs(_localTimeUs: number): number { return draw(this.entryRng, this.entry); }
  responseLatencyUs(_venueTimeUs: number): number { return draw(this.responseRng, this.response); }
}

function draw(rng: SeededRandom, leg: Required<LogNormalLeg>): number {
  return Math.round(leg.floorUs + leg.medianUs * Math.exp(leg.sigma * rng.normal()));
}

function checkLeg(name: string, leg: LogNormalLeg): Required<LogNormalLeg> {
  const floorUs = leg.floorUs ?? 0;
  if (!(leg.medianUs > 0) || !Number.isFinite(leg.medianUs)) throw new HftError('HFT_ERR_CONFIG', `LogNormalLatency: ${name}.medianUs must be a positive number, got ${leg.medianUs}`);
  if (!(leg.sigma >= 0) || !Number.isFinite(leg.sigma)) throw new HftError('HFT_ERR_CONFIG', `LogNormalLatency: ${name}.sigma must be >= 0, got ${leg.sigma}`);
  if (!(floorUs >= 0) || !Number.isFinite(floorUs)) throw new HftError('HFT_ERR_CONFIG', `LogNormalLatency: ${name}.floorUs must be >= 0, got ${floorUs}`);
  return { medianUs: leg.medianUs, sigma: leg.sigma, floorUs };
}
