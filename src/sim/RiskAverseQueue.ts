/**
 * Risk-averse (conservative) queue model: only trades at our price move us forward; a depth drop
 * can only clamp F to the new level size (cancels are assumed to come from behind us).
 */
import type { QueueModel, QueuePosition } from './QueueModel.ts';

export class RiskAverseQueue implements QueueModel {
  readonly name = 'risk-averse';
  onNew(pos: QueuePosition, levelLots: number): void { pos.frontLots = levelLots; pos.tradedLots = 0; }
  onTrade(pos: QueuePosition, tradeLots: number): void { pos.frontLots -= tradeLots; }
  onDepth(pos: QueuePosition, _prevLots: number, newLots: number): void {
    if (newLots < pos.frontLots) pos.frontLots = newLots;
  }
}
