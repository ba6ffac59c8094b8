import { describe, expect, it } from 'vitest';
import { ProbQueue } from '../../src/sim/ProbQueue.ts';
import { queueFillLots, type QueuePosition } from '../../src/sim/QueueModel.ts';
import { RiskAverseQueue } from '../../src/sim/RiskAverseQueue.ts';
import { log2Prob, logProb, power2Prob, power3Prob, powerProb } from '../../src/sim/probFunctions.ts';

const pos = (): QueuePosition => ({ frontLots: 0, tradedLots: 0 });

describe('prob functions (F = 2 ahead, B = 3 behind, n = 2)', () => {
  it('power = B^n / (B^n + F^n) = 9/13', () => expect(powerProb(2)(2, 3)).toBeCloseTo(9 / 13, 12));
  it('power2 = B^n / (B + F)^n = 9/25', () => expect(power2Prob(2)(2, 3)).toBeCloseTo(0.36, 12));
  it('power3 = 1 - (F / (F + B))^n = 0.84', () => expect(power3Prob(2)(2, 3)).toBeCloseTo(0.84, 12));
  it('log = ln 4 / (ln 4 + ln 3)', () => expect(logProb(2, 3)).toBeCloseTo(1.3862943611 / (1.3862943611 + 1.0986122887), 9));
  it('log2 = ln 4 / ln 6', () => expect(log2Prob(2, 3)).toBeCloseTo(1.3862943611 / 1.7917594692, 9));
  it('power with n = 1 is the plain share of the queue behind us', () => expect(powerProb(1)(1, 3)).toBe(0.75));
  it('is 0/0 (undefined) on an empty level, which the model reads as 1', () => {
    expect(Number.isNaN(powerProb(2)(0, 0))).toBe(true);
    const q = new ProbQueue(powerProb(2));
    const p = pos();
    q.onNew(p, 0);
    q.onDepth(p, 0, 0); // p undefined -> 1: est = 0 - 0 + min(0 - 0, 0) = 0
    expect(p.frontLots).toBe(0);
  });
});

describe('RiskAverseQueue', () => {
  it('starts at the level size, moves only by trades, and a depth drop only clamps to the new size', () => {
    const q = new RiskAverseQueue();
    const p = pos();
    q.onNew(p, 10);
    expect(p.frontLots).toBe(10);
    q.onTrade(p, 3);
    expect(p.frontLots).toBe(7);
    q.onDepth(p, 7, 9); // growth behind us
    expect(p.frontLots).toBe(7);
    q.onDepth(p, 9, 8); // a cancel: assumed behind us
    expect(p.frontLots).toBe(7);
    q.onDepth(p, 8, 4); // the level is smaller than what we thought was ahead
    expect(p.frontLots).toBe(4);
    q.onTrade(p, 6);
    expect(p.frontLots).toBe(-2);
  });
});

describe('ProbQueue', () => {
  it('accumulates trades into C and subtracts them from the next depth change', () => {
    const q = new ProbQueue(powerProb(1));
    const p = pos();
    q.onNew(p, 10);
    q.onTrade(p, 4);
    expect(p).toEqual({ frontLots: 6, tradedLots: 4 });
    // drop 10 -> 6 fully explained by the trades: Δ = 4 - 4 = 0, F stays, C resets
    q.onDepth(p, 10, 6);
    expect(p).toEqual({ frontLots: 6, tradedLots: 0 });
  });
  it('on growth keeps F (capped by the new size)', () => {
    const q = new ProbQueue(powerProb(2));
    const p = pos();
    q.onNew(p, 10);
    q.onDepth(p, 10, 12);
    expect(p.frontLots).toBe(10);
  });
  // F = 10, the level grew to 12 (B = 2), then drops to 6: Δ = 6
  const dropCase = (prob: ConstructorParameters<typeof ProbQueue>[0]): number => {
    const q = new ProbQueue(prob);
    const p = pos();
    q.onNew(p, 10);
    q.onDepth(p, 10, 12);
    q.onDepth(p, 12, 6);
    return p.frontLots;
  };
  it('power n=2: p = 4/104, F = 10 - (25/26)·6 = 55/13', () => expect(dropCase(powerProb(2))).toBeCloseTo(55 / 13, 12));
  it('power2 n=2: p = 4/144, F = 10 - (35/36)·6 = 25/6', () => expect(dropCase(power2Prob(2))).toBeCloseTo(25 / 6, 12));
  it('power3 n=2: p = 11/36, F = 10 - (25/36)·6 = 35/6', () => expect(dropCase(power3Prob(2))).toBeCloseTo(35 / 6, 12));
  it('log: F = 10 - 6·ln 11 / (ln 3 + ln 11)', () => expect(dropCase(logProb)).toBeCloseTo(10 - (6 * Math.log(11)) / (Math.log(3) + Math.log(11)), 12));
  it('log2: p·Δ exceeds B, so F = F + B - Δ = 6 (the back is exhausted first)', () => expect(dropCase(log2Prob)).toBeCloseTo(6, 12));
  it('can push F below zero on a depth drop (a fill), e.g. power2: F=1, B=9, Δ=10 gives -0.9', () => {
    const q = new ProbQueue(power2Prob(2));
    const p = pos();
    q.onNew(p, 1);
    q.onDepth(p, 1, 10);
    q.onDepth(p, 10, 0); // p = 81/100: est = 1 - 0.19·10 + min(9 - 8.1, 0) = -0.9, min(-0.9, 0)
    expect(p.frontLots).toBeCloseTo(-0.9, 12);
  });
});

describe('queueFillLots', () => {
  it('fills round-half-away-from-zero(-F) lots and resets F to 0', () => {
    const p = { frontLots: -2.5, tradedLots: 0 };
    expect(queueFillLots(p, 10)).toBe(3);
    expect(p.frontLots).toBe(0);
  });
  it('fills one lot at exactly half a lot', () => {
    expect(queueFillLots({ frontLots: -0.5, tradedLots: 0 }, 10)).toBe(1);
  });
  it('fills nothing under half a lot and keeps F for the next trade', () => {
    const p = { frontLots: -0.49, tradedLots: 0 };
    expect(queueFillLots(p, 10)).toBe(0);
    expect(p.frontLots).toBe(-0.49);
  });
  it('caps the fill at the lots the order has left', () => {
    expect(queueFillLots({ frontLots: -7, tradedLots: 0 }, 4)).toBe(4);
  });
  it('fills nothing while F >= 0', () => {
    expect(queueFillLots({ frontLots: 0, tradedLots: 0 }, 4)).toBe(0);
  });
});
