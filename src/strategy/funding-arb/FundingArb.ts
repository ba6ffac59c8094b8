/**
 * Funding-rate arbitrage across venues: short the perpetual paying the highest funding, long the one
 * paying the lowest (same asset), so price moves cancel and the funding difference is earned.
 *
 * Rates are compared annualised: rate × (one year / the venue's funding interval), so Binance's
 * 8-hourly and dYdX's hourly rates are on one scale. With the pair (high H, low L) of the freshest
 * rates (none older than `staleAfterUs`):
 * - build: spread ann(H) − ann(L) ≥ `buildAnnual` → add `tradeNotional` (quote units) short H / long L,
 *   up to `maxNotional` per leg; one pair held at a time;
 * - close: the held pair's spread < `closeAnnual` → take `tradeNotional` off both legs.
 * Funding accrues on the held notional at each settlement row: a long pays rate × notional.
 *
 * Pure reducer over funding settlements (`onFunding`); positions are quote notionals. The kernel does
 * not route funding rows to strategies yet and the funding history has no prices, so this runs over
 * the history directly (replayFundingArb): price P&L between the legs (cross-venue basis) is not
 * modelled, fees are charged at `feeRate` per leg per trade. Risks: a venue halts or de-lists (dYdX v3),
 * basis blows out between venues, funding flips right after the build (the close rule then pays fees).
 */
import { ConfigReader } from '../../core/validate.ts';
import type { FundingRate } from '../../model/market.ts';
import type { Decision } from '../Strategy.ts';

export interface FundingArbParams {
  readonly buildAnnual: number;
  readonly closeAnnual: number;
  readonly tradeNotional: number;
  readonly maxNotional: number;
  readonly feeRate: number;
  readonly staleAfterUs: number;
}

export function parseFundingArbParams(params: Readonly<Record<string, unknown>>, source: string): FundingArbParams {
  const r = new ConfigReader(source);
  r.noUnknownKeys(params, '', ['buildAnnual', 'closeAnnual', 'tradeNotional', 'maxNotional', 'feeRate', 'staleAfterUs']);
  const p: FundingArbParams = {
    buildAnnual: r.number(params, 'buildAnnual'),
    closeAnnual: r.number(params, 'closeAnnual'),
    tradeNotional: Number(r.decimal(params, 'tradeNotional')),
    maxNotional: Number(r.decimal(params, 'maxNotional')),
    feeRate: Number(r.decimal(params, 'feeRate', '0')),
    staleAfterUs: r.number(params, 'staleAfterUs', { fallback: 9 * 3600e6, min: 1, integer: true }),
  };
  if (p.closeAnnual >= p.buildAnnual) r.problems.push(`closeAnnual: must be below buildAnnual (${p.buildAnnual}), got ${p.closeAnnual}`);
  if (!(p.tradeNotional > 0)) r.problems.push(`tradeNotional: must be > 0, got ${p.tradeNotional}`);
  if (p.maxNotional < p.tradeNotional) r.problems.push(`maxNotional: must be >= tradeNotional (${p.tradeNotional}), got ${p.maxNotional}`);
  r.done();
  return p;
}

const US_PER_YEAR = 365 * 24 * 3600e6;
export const annualise = (rate: number, intervalUs: number): number => rate * (US_PER_YEAR / intervalUs);

export interface FundingArbTotals { fundingPnl: number; fees: number; builds: number; closes: number; maxNotional: number; heldUs: number }

export class FundingArb {
  /** Signed notional per instrument (long > 0). */
  readonly notional = new Map<string, number>();
  readonly totals: FundingArbTotals = { fundingPnl: 0, fees: 0, builds: 0, closes: 0, maxNotional: 0, heldUs: 0 };
  private readonly last = new Map<string, { annual: number; tsUs: number }>();
  private held: { high: string; low: string } | undefined;
  private lastUs = Number.NaN;

  constructor(readonly id: string, private readonly p: FundingArbParams) {}

  /** Accrues the settlement on the held notional, records the venue's rate. */
  settle(f: FundingRate): void {
    const n = this.notional.get(f.instrument) ?? 0;
    this.totals.fundingPnl += -n * f.rate;
    this.last.set(f.instrument, { annual: annualise(f.rate, f.intervalUs), tsUs: f.tsEvent });
  }

  /** Decides after every settlement at `nowUs` has been applied. */
  decide(nowUs: number): Decision | undefined {
    if (this.held && !Number.isNaN(this.lastUs)) this.totals.heldUs += nowUs - this.lastUs;
    this.lastUs = nowUs;
    let high: string | undefined; let low: string | undefined;
    for (const [id, r] of this.last) {
      if (nowUs - r.tsUs > this.p.staleAfterUs) continue;
      if (high === undefined || r.annual > this.last.get(high)!.annual) high = id;
      if (low === undefined || r.annual < this.last.get(low)!.annual) low = id;
    }
    const ann = (id: string): number => this.last.get(id)!.annual;
    const fresh = (id: string): boolean => { const r = this.last.get(id); return r !== undefined && nowUs - r.tsUs <= this.p.staleAfterUs; };
    const inputs = (action: string, spread: number): Decision['inputs'] => ({
      action, atUs: nowUs, high: high ?? '', low: low ?? '', highAnnual: round(high ? ann(high) : 0), lowAnnual: round(low ? ann(low) : 0), spreadAnnual: round(spread),
      heldHigh: this.held?.high ?? '', heldLow: this.held?.low ?? '', legNotional: this.held ? -(this.notional.get(this.held.high) ?? 0) : 0,
    });
    if (this.held) {
      const { high: h, low: l } = this.held;
      // A stale leg rate counts as no edge: we cannot see what we are paying.
      const spread = fresh(h) && fresh(l) ? ann(h) - ann(l) : Number.NEGATIVE_INFINITY;
      if (spread < this.p.closeAnnual) return this.trade(-1, inputs('close', spread));
      const leg = -(this.notional.get(h) ?? 0);
      if (spread >= this.p.buildAnnual && leg + this.p.tradeNotional <= this.p.maxNotional) return this.trade(1, inputs('build', spread));
      return undefined;
    }
    if (!high || !low || high === low) return undefined;
    const spread = ann(high) - ann(low);
    if (spread < this.p.buildAnnual) return undefined;
    this.held = { high, low };
    return this.trade(1, inputs('build', spread));
  }

  private trade(dir: 1 | -1, inputs: Decision['inputs']): Decision {
    const { high, low } = this.held!;
    const leg = -(this.notional.get(high) ?? 0);
    const size = dir === 1 ? this.p.tradeNotional : Math.min(this.p.tradeNotional, leg);
    const next = leg + dir * size;
    this.notional.set(high, -next); this.notional.set(low, next);
    this.totals.fees += 2 * size * this.p.feeRate;
    if (dir === 1) this.totals.builds++; else this.totals.closes++;
    this.totals.maxNotional = Math.max(this.totals.maxNotional, next);
    if (next <= 0) { this.notional.delete(high); this.notional.delete(low); this.held = undefined; }
    return { trigger: 'funding', inputs: { ...inputs, tradeNotional: size, legNotionalAfter: next }, intents: [] };
  }
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : -1e9);

/** Drives the reducer over settlements (any order; grouped by time, settled before deciding). */
export function replayFundingArb(rows: readonly FundingRate[], p: FundingArbParams): { decisions: Decision[]; totals: FundingArbTotals; strategy: FundingArb } {
  const sorted = [...rows].sort((x, y) => x.tsEvent - y.tsEvent || (x.instrument < y.instrument ? -1 : x.instrument > y.instrument ? 1 : 0));
  const s = new FundingArb('funding-arb', p);
  const decisions: Decision[] = [];
  for (let i = 0; i < sorted.length;) {
    const t = sorted[i]!.tsEvent;
    while (i < sorted.length && sorted[i]!.tsEvent === t) s.settle(sorted[i++]!);
    const d = s.decide(t);
    if (d) decisions.push(d);
  }
  return { decisions, totals: s.totals, strategy: s };
}
