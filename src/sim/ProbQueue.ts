/**
 * Probabilistic queue model (Rigtorp, "Estimating order queue position", 2013; hftbacktest
 * `ProbQueueModel`): a depth decrease not explained by trades is split between the quantity ahead
 * and behind us with probability p = prob(F, B) of having happened behind.
 *
 * On a depth change Q_prev → Q_new: Δ = (Q_prev − Q_new) − C, then C = 0 (trades already moved F and
 * are part of the drop). Δ < 0 (the level grew): F = min(F, Q_new). Otherwise B = Q_prev − F and
 * F = min(F − (1 − p)·Δ + min(B − p·Δ, 0), Q_new).
 */
import type { ProbFunction } from './probFunctions.ts';
import type { QueueModel, QueuePosition } from './QueueModel.ts';

export class ProbQueue implements QueueModel {
  readonly name: string;
  private readonly prob: ProbFunction;
  constructor(prob: ProbFunction, name = 'prob') {
    this.prob = prob;
    this.name = name;
  }
  onNew(pos: QueuePosition, levelLots: number): void { pos.frontLots = levelLots; pos.tradedLots = 0; }
  onTrade(pos: QueuePosition, tradeLots: number): void {
    pos.frontLots -= tradeLots;
    pos.tradedLots += tradeLots;
  }
  onDepth(pos: QueuePosition, prevLots: number, newLots: number): void {
    const delta = prevLots - newLots - pos.tradedLots;
    pos.tradedLots = 0;
    const front = pos.frontLots;
    if (delta < 0) {
      if (newLots < front) pos.frontLots = newLots;
      return;
    }
    const back = prevLots - front;
    let p = this.prob(front, back);
    if (!Number.isFinite(p)) p = 1;
    const back2 = back - p * delta;
    const est = front - (1 - p) * delta + (back2 < 0 ? back2 : 0);
    pos.frontLots = est < newLots ? est : newLots;
  }
}
