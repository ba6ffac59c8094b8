/**
 * Funding-rate arbitrage: hand-built settlements, then the real 2022–2023 BTC-USDT funding history of
 * seven venues (/work/shared/data/funding), checked against the CSV text itself.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fundingCsvVenue, fundingInstrument, parseFundingRow } from '../../src/feeds/importers/importFundingCsv.ts';
import type { FundingRate } from '../../src/model/market.ts';
import { annualise, FundingArb, parseFundingArbParams, replayFundingArb } from '../../src/strategy/funding-arb/FundingArb.ts';

const H8 = 8 * 3600e6;
const row = (instrument: string, tsEvent: number, rate: number, intervalUs = H8): FundingRate => ({ kind: 'funding', instrument, tsEvent, tsRecv: tsEvent, rate, intervalUs, fundingTimeUs: tsEvent, markPriceTicks: 0 });
const params = parseFundingArbParams({ buildAnnual: 0.2, closeAnnual: 0.05, tradeNotional: '1000', maxNotional: '2000', feeRate: '0.0005' }, 'test');

describe('funding-rate arbitrage (hand-built settlements)', () => {
  it('annualises 8-hourly and hourly rates onto one scale', () => {
    expect(annualise(0.0001, H8)).toBeCloseTo(0.1095, 10); // 1 bp × 3 × 365
    expect(annualise(0.0001, 3600e6)).toBeCloseTo(0.876, 10);
  });

  it('given venue A paying 32.85%/yr and B 0%, when they settle, then it shorts A and longs B; A\'s next payment is earned', () => {
    const { decisions, totals, strategy } = replayFundingArb([row('a', 0, 0.0003), row('b', 0, 0), row('a', H8, 0.0003), row('b', H8, 0)], params);
    expect(decisions[0]!.inputs).toMatchObject({ action: 'build', high: 'a', low: 'b', legNotionalAfter: 1000 });
    expect(decisions[0]!.inputs.spreadAnnual).toBeCloseTo(0.3285, 6);
    // second settlement: short 1000 on A receives 1000 × 0.0003 = 0.30, then builds to 2000 (spread still ≥ 20%)
    expect(decisions[1]!.inputs).toMatchObject({ action: 'build', legNotionalAfter: 2000 });
    expect(totals.fundingPnl).toBeCloseTo(0.3, 12);
    expect(totals.fees).toBeCloseTo(2 * 2000 * 0.0005, 12);
    expect(strategy.notional.get('a')).toBe(-2000);
    expect(strategy.notional.get('b')).toBe(2000);
  });

  it('given a spread of 10%/yr (between close 5% and build 20%), when flat, then it does not open', () => {
    const { decisions } = replayFundingArb([row('a', 0, 0.0001 * (0.1 / 0.1095)), row('b', 0, 0)], params);
    expect(decisions).toEqual([]);
  });

  it('given a held pair, when its spread falls below the close threshold, then it takes one trade size off both legs per settlement', () => {
    const rows = [row('a', 0, 0.0003), row('b', 0, 0), row('a', H8, 0.0003), row('b', H8, 0), row('a', 2 * H8, 0.00003), row('b', 2 * H8, 0), row('a', 3 * H8, 0.00003), row('b', 3 * H8, 0)];
    const { decisions, strategy } = replayFundingArb(rows, params);
    expect(decisions.map((d) => [d.inputs.action, d.inputs.legNotionalAfter])).toEqual([['build', 1000], ['build', 2000], ['close', 1000], ['close', 0]]);
    expect(strategy.notional.size).toBe(0);
  });

  it('given a leg whose rate went stale (no settlement for > staleAfterUs), when deciding, then it closes', () => {
    const s = new FundingArb('f', params);
    s.settle(row('a', 0, 0.0003)); s.settle(row('b', 0, 0)); s.decide(0);
    s.settle(row('a', 10 * 3600e6, 0.0003));
    expect(s.decide(10 * 3600e6)!.inputs.action).toBe('close');
  });
});

const FUNDING = '/work/shared/data/funding/BTC-USDT';

describe('funding-rate arbitrage over the real 2022–2023 BTC-USDT history (seven venues)', () => {
  it('builds only when the two venues\' latest CSV rates, annualised by hand, are ≥ 20%/yr apart', () => {
    if (!existsSync(FUNDING)) throw new Error(`${FUNDING} is missing: this test needs the shared funding history (see /work/shared/data/README.md)`);
    const rows: FundingRate[] = [];
    const raw: { inst: string; ts: number; rate: number; intervalH: number }[] = [];
    for (const f of readdirSync(FUNDING).sort()) {
      const venue = fundingCsvVenue(f);
      const spec = fundingInstrument(venue, 'BTC-USDT');
      const lines = readFileSync(join(FUNDING, f), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
      for (const l of lines) {
        const r = parseFundingRow(l, venue, spec, 'BTC-USDT');
        if (r.tsEvent < Date.UTC(2022, 0, 1) * 1000) continue;
        rows.push(r);
        // the oracle: rate and time straight from the text (UTC+3 venues shifted back 3 h, dYdX hourly)
        const [, date, rate] = l.split(',');
        const utc3 = ['binance', 'bybit', 'htx', 'kucoin', 'mexc'].includes(venue);
        raw.push({ inst: spec.id, ts: Date.parse(`${date!.replace(' ', 'T').slice(0, 19)}Z`) * 1000 - (utc3 ? 3 * 3600e6 : 0), rate: Number(rate), intervalH: venue === 'dydx' ? 1 : 8 });
      }
    }
    const p = parseFundingArbParams({ buildAnnual: 0.2, closeAnnual: 0.05, tradeNotional: '10000', maxNotional: '50000', feeRate: '0.0005' }, 'test');
    const { decisions, totals } = replayFundingArb(rows, p);
    const builds = decisions.filter((d) => d.inputs.action === 'build');
    expect(builds.length).toBeGreaterThan(0);
    expect(totals.closes).toBeGreaterThan(0);
    // first build: recompute both legs' latest annualised rates from the CSV text at that moment
    const first = decisions[0]!;
    const atUs = first.inputs.atUs as number;
    const at = raw.filter((r) => r.ts <= atUs).sort((x, y) => x.ts - y.ts);
    const latest = (inst: string) => at.filter((r) => r.inst === inst).at(-1)!;
    const h = latest(first.inputs.high as string); const l = latest(first.inputs.low as string);
    const spread = h.rate * (8760 / h.intervalH) - l.rate * (8760 / l.intervalH);
    expect(spread).toBeGreaterThanOrEqual(0.2);
    expect(first.inputs.spreadAnnual as number).toBeCloseTo(spread, 5);
    for (const d of builds) expect(d.inputs.spreadAnnual as number).toBeGreaterThanOrEqual(0.2);
    expect(totals.maxNotional).toBeLessThanOrEqual(50_000);
  }, 60_000);
});
