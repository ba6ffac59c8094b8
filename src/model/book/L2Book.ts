/**
 * L2 order book in integer ticks and lots.
 *
 * Design (why it is fast): each side keeps a dense tick-indexed window (`Float64Array`, index = price -
 * base) around its best price, so an update is one array store plus a best-price compare; only deleting
 * the best level scans to the next non-empty tick. Levels outside the window (Binance snapshots reach
 * 1000 levels, far from the touch) live in a sorted fallback array. When the best price leaves the
 * window, or the window empties while far levels remain, the side re-centres on its best level (rare:
 * it takes a move of half a window).
 * Invariant after every update: no far level is better than every window level (bids: none above the
 * window, asks: none below it), so the best is the window's best whenever the window is not empty.
 */
import { HftError } from '../../core/errors.ts';
import { BookFlag, Side, type BookDelta } from '../market.ts';
import { NO_ASK, NO_BID, type BookView } from './BookView.ts';

/** One side of the book. `dir` = +1 for bids (higher is better), -1 for asks. */
class Ladder {
  readonly cap: number;
  readonly dir: 1 | -1;
  base = 0;
  qty: Float64Array;
  /** Non-empty levels inside the window. */
  count = 0;
  /** Index of the best level in the window, -1 when the window is empty. */
  best = -1;
  /** Far levels, ascending price, parallel arrays. */
  farPx: number[] = [];
  farSz: number[] = [];
  /** Cached best price/size across window and far levels. */
  bestPx: number;
  bestSz = 0;

  constructor(cap: number, dir: 1 | -1) {
    this.cap = cap;
    this.dir = dir;
    this.qty = new Float64Array(cap);
    this.bestPx = dir === 1 ? NO_BID : NO_ASK;
  }

  clear(): void {
    if (this.count > 0) this.qty.fill(0);
    this.count = 0;
    this.best = -1;
    this.farPx.length = 0;
    this.farSz.length = 0;
    this.bestPx = this.dir === 1 ? NO_BID : NO_ASK;
    this.bestSz = 0;
  }

  set(px: number, sz: number): void {
    if (this.count === 0 && this.farPx.length === 0) this.base = px - (this.cap >> 1);
    const idx = px - this.base;
    if (idx >= 0 && idx < this.cap) {
      const q = this.qty;
      const old = q[idx]!;
      q[idx] = sz;
      if (sz > 0) {
        if (old === 0) {
          this.count++;
          if (this.best < 0 || (this.dir === 1 ? idx > this.best : idx < this.best)) this.best = idx;
        }
      } else if (old > 0) {
        this.count--;
        if (idx === this.best) this.best = this.count === 0 ? -1 : this.scanFrom(idx);
      }
    } else {
      this.setFar(px, sz);
    }
    this.refreshBest();
  }

  /** Next non-empty index strictly worse than `from`; the window has count > 0 levels. */
  private scanFrom(from: number): number {
    const q = this.qty;
    if (this.dir === 1) {
      for (let i = from - 1; i >= 0; i--) if (q[i]! > 0) return i;
    } else {
      for (let i = from + 1; i < this.cap; i++) if (q[i]! > 0) return i;
    }
    throw new HftError('HFT_ERR_BAD_INPUT', 'L2Book: level count out of sync with the window (internal invariant broken)');
  }

  private farIndex(px: number): number {
    const a = this.farPx;
    let lo = 0; let hi = a.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! < px) lo = mid + 1; else hi = mid; }
    return lo;
  }

  private setFar(px: number, sz: number): void {
    const i = this.farIndex(px);
    const hit = i < this.farPx.length && this.farPx[i] === px;
    if (sz > 0) {
      if (hit) this.farSz[i] = sz;
      else { this.farPx.splice(i, 0, px); this.farSz.splice(i, 0, sz); }
    } else if (hit) {
      this.farPx.splice(i, 1); this.farSz.splice(i, 1);
    }
  }

  farSizeAt(px: number): number {
    const i = this.farIndex(px);
    return i < this.farPx.length && this.farPx[i] === px ? this.farSz[i]! : 0;
  }

  private refreshBest(): void {
    const n = this.farPx.length;
    if (n > 0) {
      // A far level better than the window, or an empty window with far levels: re-centre.
      const farBetter = this.dir === 1 ? this.farPx[n - 1]! >= this.base + this.cap : this.farPx[0]! < this.base;
      if (farBetter || this.best < 0) { this.recentre(this.dir === 1 ? this.farPx[n - 1]! : this.farPx[0]!); return; }
    }
    if (this.best >= 0) { this.bestPx = this.base + this.best; this.bestSz = this.qty[this.best]!; }
    else { this.bestPx = this.dir === 1 ? NO_BID : NO_ASK; this.bestSz = 0; }
  }

  private recentre(bestPx: number): void {
    const px: number[] = []; const sz: number[] = [];
    const q = this.qty;
    if (this.count > 0) for (let i = 0; i < this.cap; i++) if (q[i]! > 0) { px.push(this.base + i); sz.push(q[i]!); }
    for (let i = 0; i < this.farPx.length; i++) { px.push(this.farPx[i]!); sz.push(this.farSz[i]!); }
    this.clear();
    // Centre the touch so the side has room to move either way; asks mirror bids.
    this.base = bestPx - (this.cap >> 1);
    const farP: number[] = []; const farS: number[] = [];
    for (let k = 0; k < px.length; k++) {
      const idx = px[k]! - this.base;
      if (idx >= 0 && idx < this.cap) {
        q[idx] = sz[k]!; this.count++;
        if (this.best < 0 || (this.dir === 1 ? idx > this.best : idx < this.best)) this.best = idx;
      } else { farP.push(px[k]!); farS.push(sz[k]!); }
    }
    // px was built ascending within the window then ascending far; far levels are all outside the window, re-sort them.
    const order = farP.map((_, i) => i).sort((a, b) => farP[a]! - farP[b]!);
    this.farPx = order.map((i) => farP[i]!);
    this.farSz = order.map((i) => farS[i]!);
    this.bestPx = this.base + this.best;
    this.bestSz = q[this.best]!;
  }

  sizeAt(px: number): number {
    const idx = px - this.base;
    if (idx >= 0 && idx < this.cap) return this.qty[idx]!;
    return this.farSizeAt(px);
  }

  /** Visits levels best-first; returns the number visited. */
  forEach(maxLevels: number, visit: (px: number, sz: number) => boolean | void): number {
    let seen = 0;
    if (maxLevels <= 0) return 0;
    const q = this.qty;
    if (this.best >= 0) {
      if (this.dir === 1) {
        for (let i = this.best; i >= 0; i--) {
          if (q[i]! > 0) { seen++; if (visit(this.base + i, q[i]!) === false || seen >= maxLevels) return seen; }
        }
      } else {
        for (let i = this.best; i < this.cap; i++) {
          if (q[i]! > 0) { seen++; if (visit(this.base + i, q[i]!) === false || seen >= maxLevels) return seen; }
        }
      }
    }
    const fp = this.farPx; const fs = this.farSz;
    if (this.dir === 1) {
      for (let i = fp.length - 1; i >= 0; i--) {
        if (fp[i]! >= this.base + this.cap) continue;
        seen++; if (visit(fp[i]!, fs[i]!) === false || seen >= maxLevels) return seen;
      }
    } else {
      for (let i = 0; i < fp.length; i++) {
        if (fp[i]! < this.base) continue;
        seen++; if (visit(fp[i]!, fs[i]!) === false || seen >= maxLevels) return seen;
      }
    }
    return seen;
  }

  levelCount(): number { return this.count + this.farPx.length; }
}

export interface L2BookOptions {
  /** Ticks in each side's dense window (default 65,536: ±327 USD on BTCUSDT at 0.01). */
  readonly windowTicks?: number;
}

export class L2Book implements BookView {
  readonly instrument: string;
  private readonly bids: Ladder;
  private readonly asks: Ladder;

  constructor(instrument: string, options: L2BookOptions = {}) {
    const cap = options.windowTicks ?? 65_536;
    if (!Number.isInteger(cap) || cap < 2) throw new HftError('HFT_ERR_CONFIG', `L2Book windowTicks must be an integer >= 2, got ${cap}`);
    this.instrument = instrument;
    this.bids = new Ladder(cap, 1);
    this.asks = new Ladder(cap, -1);
  }

  /** Applies one normalized delta (Clear flag drops the book first). */
  apply(d: BookDelta): void {
    this.applyRow(d.side, d.priceTicks, d.sizeLots, d.flags);
  }

  /** Column-wise hot path: new absolute size at a price; 0 deletes the level. */
  applyRow(side: number, priceTicks: number, sizeLots: number, flags: number): void {
    if ((flags & BookFlag.Clear) !== 0) this.clear();
    (side === Side.Bid ? this.bids : this.asks).set(priceTicks, sizeLots);
  }

  /** Sets a level (no flags): `applyRow` without the flag test. */
  set(side: number, priceTicks: number, sizeLots: number): void {
    (side === Side.Bid ? this.bids : this.asks).set(priceTicks, sizeLots);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  bestBid(): number { return this.bids.bestPx; }
  bestAsk(): number { return this.asks.bestPx; }
  bestBidSize(): number { return this.bids.bestSz; }
  bestAskSize(): number { return this.asks.bestSz; }

  sizeAt(side: Side, priceTicks: number): number {
    return (side === Side.Bid ? this.bids : this.asks).sizeAt(priceTicks);
  }

  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, sizeLots: number) => boolean | void): number {
    return (side === Side.Bid ? this.bids : this.asks).forEach(maxLevels, visit);
  }

  /** The best `n` levels of a side as [priceTicks, sizeLots] pairs. */
  depth(side: Side, n: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.forEachLevel(side, n, (p, s) => { out.push([p, s]); });
    return out;
  }

  levelCount(side: Side): number {
    return (side === Side.Bid ? this.bids : this.asks).levelCount();
  }

  isCrossed(): boolean {
    return this.bids.bestSz > 0 && this.asks.bestSz > 0 && this.bids.bestPx >= this.asks.bestPx;
  }

  /**
   * Volume-weighted average price (ticks, fractional) of taking `sizeLots` from `side` (Ask = buying
   * through the asks). NaN when the side holds less than `sizeLots`.
   */
  vwap(side: Side, sizeLots: number): number {
    let left = sizeLots; let notional = 0;
    this.forEachLevel(side, Number.MAX_SAFE_INTEGER, (p, s) => {
      const take = s < left ? s : left;
      notional += take * p; left -= take;
      return left > 0;
    });
    return left > 0 || sizeLots <= 0 ? Number.NaN : notional / sizeLots;
  }

  /** Worst price (ticks) reached when taking `sizeLots` from `side`; NaN when the side is too thin. */
  impactPrice(side: Side, sizeLots: number): number {
    let left = sizeLots; let last = Number.NaN;
    this.forEachLevel(side, Number.MAX_SAFE_INTEGER, (p, s) => {
      last = p; left -= s;
      return left > 0;
    });
    return left > 0 || sizeLots <= 0 ? Number.NaN : last;
  }
}
