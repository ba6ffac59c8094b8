/**
 * Probability that a depth decrease at our level happened BEHIND our order, given F lots ahead and B
 * lots behind (hftbacktest `PowerProbQueueFunc{,2,3}`, `LogProbQueueFunc{,2}`). The queue model
 * treats a non-finite result (0/0 with an empty level, a fractional power of a negative F) as 1.
 */
export type ProbFunction = (frontLots: number, backLots: number) => number;

/** power: Bⁿ / (Bⁿ + Fⁿ) */
export const powerProb = (n: number): ProbFunction => (f, b) => b ** n / (b ** n + f ** n);
/** power2: Bⁿ / (B + F)ⁿ */
export const power2Prob = (n: number): ProbFunction => (f, b) => b ** n / (b + f) ** n;
/** power3: 1 − (F / (F + B))ⁿ */
export const power3Prob = (n: number): ProbFunction => (f, b) => 1 - (f / (f + b)) ** n;
/** log: ln(1+B) / (ln(1+B) + ln(1+F)) */
export const logProb: ProbFunction = (f, b) => Math.log1p(b) / (Math.log1p(b) + Math.log1p(f));
/** log2: ln(1+B) / ln(1+B+F) */
export const log2Prob: ProbFunction = (f, b) => Math.log1p(b) / Math.log1p(b + f);
