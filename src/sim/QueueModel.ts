/**
 * Queue position of a resting limit order on an L2 book (no order ids, so the position is estimated).
 * F (`frontLots`) is the quantity ahead of our order at its price, C (`tradedLots`) the quantity
 * traded at that price since the last depth change. Models mutate the position in place; the venue
 * owns the fill rule (`queueFillLots`), the trade-through and the crossing rules, so a plugged-in
 * model only decides how F moves.
 *
 * Semantics: hftbacktest `RiskAdverseQueueModel` / `ProbQueueModel`
 * (hftbacktest/src/backtest/models/queue.rs).
 */
export interface QueuePosition {
  frontLots: number;
  tradedLots: number;
}

export interface QueueModel {
  readonly name: string;
  /** The order joins the back of its level, which holds `levelLots` (the market's, not ours). */
  onNew(pos: QueuePosition, levelLots: number): void;
  /** A trade printed at our price (aggressor on the other side). */
  onTrade(pos: QueuePosition, tradeLots: number): void;
  /** The level at our price changed from `prevLots` to `newLots`. */
  onDepth(pos: QueuePosition, prevLots: number, newLots: number): void;
}

/**
 * Lots filled from the queue: when F < 0 the order fills round-half-away-from-zero(-F) lots, capped by
 * what it has left, and F resets to 0. A shortfall under half a lot fills nothing and F keeps its
 * (slightly negative) value, so a later trade can complete it.
 */
export function queueFillLots(pos: QueuePosition, leavesLots: number): number {
  const f = pos.frontLots;
  if (!(f < 0)) return 0;
  const lots = Math.floor(-f + 0.5);
  if (lots < 1) return 0;
  pos.frontLots = 0;
  return lots < leavesLots ? lots : leavesLots;
}
