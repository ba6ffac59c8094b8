/**
 * L2 order book in integer ticks and lots.
 *
 * Design (why it is fast): each side keeps a dense tick-indexed window (`Float64Array`, index = price -
 * base) around its best price, so an update is one array store plus a best-price compare; only deleting
 * the best level scans to the next non-empty tick. Levels outside the window (Binance snapshots reach
 * 1000 levels, far from the touch: ~7% of spot BTC updates land beyond ±327 USD) live in a Map, sorted
 * only when a depth walk reaches them. When a level arrives beyond the window on the better side, or
 * the window empties while far levels remain, the side re-centres on its best level (rare: it takes a
 * move of half a window).
 * Invariant after every update: every far level is worse than every window level (bids: none above
 * the window, asks: none below it), so the best is the window's best whenever the window is not empty.
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
  /** One bit per window tick, set when the level is non-empty: finding the next level after the best is deleted scans 32 ticks per word. */
  bits: Uint32Array;
  /** Non-empty levels inside the window. */
  count = 0;
  /** Index of the best level in the window, -1 when the window is empty. */
  best = -1;
  /** Far levels (outside the window, all worse than the window's levels): price -> size. */
  far = new Map<number, number>();
  /** Far prices best-first, built on demand for depth walks; null when stale. */
  private farOrder: number[] | null = null;
  /** Cached best price/size. */
  bestPx: number;
  bestSz = 0;

  constructor(cap: number, dir: 1 | -1) {
    this.cap = cap;
    this.dir = dir;
    this.qty = new Float64Array(cap);
    this.bits = new Uint32Array((cap + 31) >>> 5);
    this.bestPx = dir === 1 ? NO_BID : NO_ASK;
  }

  clear(): void {
    if (this.count > 0) { this.qty.fill(0); this.bits.fill(0); }
    this.count = 0;
    this.best = -1;
    this.far.clear();
    this.farOrder = null;
    this.bestPx = this.dir === 1 ? NO_BID : NO_ASK;
    this.bestSz = 0;
  }

  set(px: number, sz: number): void {
    let idx = px - this.base;
    if (this.count === 0 && this.far.size === 0) { this.base = px - (this.cap >> 1); idx = this.cap >> 1; }
    if (idx >= 0 && idx < this.cap) {
      // Presence comes from the bitmap (16 KB, cache-resident), so the size array is only written:
      // a load from the 1 MB array would stall on a cache miss on most updates.
      this.qty[idx] = sz;
      const w = idx >>> 5;
      const bit = 1 << (idx & 31);
      const word = this.bits[w]!;
      if (sz > 0) {
        if ((word & bit) === 0) {
          this.count++;
          this.bits[w] = word | bit;
          const best = this.best;
          if (best < 0 || (this.dir === 1 ? idx > best : idx < best)) { this.best = idx; this.bestPx = px; }
        }
        if (idx === this.best) this.bestSz = sz;
        return;
      }
      if ((word & bit) === 0) return;
      this.count--;
      this.bits[w] = word & ~bit;
      if (idx !== this.best) return;
      if (this.count > 0) { const b = this.scanFrom(idx); this.best = b; this.bestPx = this.base + b; this.bestSz = this.qty[b]!; return; }
      this.best = -1; this.bestPx = this.dir === 1 ? NO_BID : NO_ASK; this.bestSz = 0;
      if (this.far.size > 0) this.recentre(this.farBest());
      return;
    }
    if (sz > 0) {
      // Outside the window on the better side: the market moved past the window, follow it.
      if (this.dir === 1 ? idx >= this.cap : idx < 0) { this.far.set(px, sz); this.farOrder = null; this.recentre(px); return; }
      if (!this.far.has(px)) this.farOrder = null;
      this.far.set(px, sz);
    } else if (this.far.delete(px)) {
      this.farOrder = null;
    }
  }

  /** Next non-empty index strictly worse than `from`; the window has count > 0 levels. */
  private scanFrom(from: number): number {
    const bits = this.bits;
    if (this.dir === 1) {
      const start = from - 1;
      if (start >= 0) {
        let w = start >>> 5;
        const b = start & 31;
        let m = bits[w]! & (b === 31 ? 0xffffffff : (1 << (b + 1)) - 1);
        for (;;) {
          if (m !== 0) return (w << 5) + 31 - Math.clz32(m);
          if (--w < 0) break;
          m = bits[w]!;
        }
      }
    } else {
      const start = from + 1;
      if (start < this.cap) {
        let w = start >>> 5;
        let m = bits[w]! & (-1 << (start & 31));
        for (;;) {
          if (m !== 0) return (w << 5) + 31 - Math.clz32(m & -m);
          if (++w >= bits.length) break;
          m = bits[w]!;
        }
      }
    }
    throw new HftError('HFT_ERR_BAD_INPUT', 'L2Book: level count out of sync with the window (internal invariant broken)');
  }

  private farBest(): number {
    let best = this.dir === 1 ? NO_BID : NO_ASK;
    for (const p of this.far.keys()) if (this.dir === 1 ? p > best : p < best) best = p;
    return best;
  }

  private recentre(bestPx: number): void {
    const px: number[] = []; const sz: number[] = [];
    const q = this.qty;
    if (this.count > 0) for (let i = 0; i < this.cap; i++) if (q[i]! > 0) { px.push(this.base + i); sz.push(q[i]!); }
    for (const [p, s] of this.far) { px.push(p); sz.push(s); }
    this.clear();
    // Centre the touch so the side has room to move either way.
    this.base = bestPx - (this.cap >> 1);
    for (let k = 0; k < px.length; k++) {
      const idx = px[k]! - this.base;
      if (idx >= 0 && idx < this.cap) {
        q[idx] = sz[k]!; this.count++;
        this.bits[idx >>> 5]! |= 1 << (idx & 31);
        if (this.best < 0 || (this.dir === 1 ? idx > this.best : idx < this.best)) this.best = idx;
      } else this.far.set(px[k]!, sz[k]!);
    }
    this.bestPx = this.base + this.best;
    this.bestSz = q[this.best]!;
  }

  sizeAt(px: number): number {
    const idx = px - this.base;
    if (idx >= 0 && idx < this.cap) return this.qty[idx]!;
    return this.far.get(px) ?? 0;
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
    if (this.far.size === 0) return seen;
    if (this.farOrder === null) this.farOrder = [...this.far.keys()].sort(this.dir === 1 ? (a, b) => b - a : (a, b) => a - b);
    for (const p of this.farOrder) {
      seen++; if (visit(p, this.far.get(p)!) === false || seen >= maxLevels) return seen;
    }
    return seen;
  }

  levelCount(): number { return this.count + this.far.size; }
}

export interface L2BookOptions {
  /** Ticks in each side's dense window (default 131,072 = 1 MB a side: ±655 USD on BTCUSDT at 0.01). */
  readonly windowTicks?: number;
}

export class L2Book implements BookView {
  readonly instrument: string;
  private readonly bids: Ladder;
  private readonly asks: Ladder;

  constructor(instrument: string, options: L2BookOptions = {}) {
    const cap = options.windowTicks ?? 131_072;
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
