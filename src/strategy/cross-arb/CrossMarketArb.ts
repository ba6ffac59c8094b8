/**
 * Cross-market arbitrage: the same asset on two markets A and B (Binance spot BTCUSDT vs USDⓈ-M
 * BTCUSDT or COIN-M BTCUSD_PERP). Both legs go out together as IOC limits at the touch:
 *
 *   buy A / sell B when  (bidB·(1−fB) − askA·(1+fA)) / midA ≥ threshold   (direction +1)
 *   sell A / buy B when  (bidA·(1−fA) − askB·(1+fB)) / midA ≥ threshold   (direction −1)
 *
 * with f the taker fee of each leg, so the edge is net of fees on both legs. The threshold is
 * `entryBps` when the trade grows the position and `exitBps` when it shrinks it (a negative exitBps
 * pays to close, a positive one waits for the basis to come back).
 *
 * Leg risk: after both IOCs are answered, base exposure A + B must net to zero within half the coarser
 * lot. If not (one leg filled, the other not), `legRisk: 'hedge'` completes the missing leg with an IOC
 * `hedgeSlippageTicks` through the touch, retried until `hedgeTimeoutUs` after the episode began;
 * after that (or at once with `legRisk: 'unwind'`) it unwinds the excess on the leg that did fill.
 * No new entry while legged. USD (COIN-M) and USDT are treated as equal: the residual is quote risk.
 */
import { HftError } from '../../core/errors.ts';
import { ConfigReader } from '../../core/validate.ts';
import type { Instrument } from '../../model/instrument.ts';
import type { MarketKind } from '../../model/market.ts';
import type { Intent, Order, OrderSide } from '../../model/orders.ts';
import type { Decision, Strategy, StrategyContext, StrategyFactory } from '../Strategy.ts';
import { baseOf, feeRate, iocAtTouch, lotsForBase, priceOf, round6, touchOf, type Touch } from './crossArbInternals.ts';

export type ArbDirection = 'both' | 'buy-a-sell-b' | 'sell-a-buy-b';

export interface CrossMarketArbParams {
  /** Base units per entry (decimal string). */
  readonly tradeSize: string;
  /** Maximum absolute base exposure of leg A. */
  readonly maxPosition: string;
  readonly entryBps: number;
  readonly exitBps: number;
  readonly direction: ArbDirection;
  readonly legRisk: 'hedge' | 'unwind';
  readonly hedgeTimeoutUs: number;
  readonly hedgeSlippageTicks: number;
  /** Minimum time between two entries (µs): the touch one sees right after a fill is often stale. */
  readonly minIntervalUs: number;
  /** Period of the basis record (a decision with no intents), µs; 0 = none. */
  readonly basisSampleUs: number;
}

const KEYS = ['tradeSize', 'maxPosition', 'entryBps', 'exitBps', 'direction', 'legRisk', 'hedgeTimeoutUs', 'hedgeSlippageTicks', 'minIntervalUs', 'basisSampleUs'];

export function parseCrossMarketArbParams(params: Readonly<Record<string, unknown>>, source: string, fixed?: { direction: ArbDirection }): CrossMarketArbParams {
  const r = new ConfigReader(source);
  r.noUnknownKeys(params, '', fixed ? KEYS.filter((k) => k !== 'direction') : KEYS);
  const p: CrossMarketArbParams = {
    tradeSize: r.decimal(params, 'tradeSize'),
    maxPosition: r.decimal(params, 'maxPosition'),
    entryBps: r.number(params, 'entryBps'),
    exitBps: r.number(params, 'exitBps', { fallback: 0 }),
    direction: fixed ? fixed.direction : r.oneOf(params, 'direction', ['both', 'buy-a-sell-b', 'sell-a-buy-b'] as const, 'both'),
    legRisk: r.oneOf(params, 'legRisk', ['hedge', 'unwind'] as const, 'hedge'),
    hedgeTimeoutUs: r.number(params, 'hedgeTimeoutUs', { fallback: 500_000, min: 0, integer: true }),
    hedgeSlippageTicks: r.number(params, 'hedgeSlippageTicks', { fallback: 0, min: 0, integer: true }),
    minIntervalUs: r.number(params, 'minIntervalUs', { fallback: 0, min: 0, integer: true }),
    basisSampleUs: r.number(params, 'basisSampleUs', { fallback: 0, min: 0, integer: true }),
  };
  if (Number(p.tradeSize) <= 0) r.problems.push(`tradeSize: must be > 0, got '${p.tradeSize}'`);
  if (Number(p.maxPosition) < Number(p.tradeSize)) r.problems.push(`maxPosition: must be >= tradeSize (${p.tradeSize}), got '${p.maxPosition}'`);
  if (p.entryBps < p.exitBps) r.problems.push(`exitBps: must be <= entryBps (${p.entryBps}), got ${p.exitBps} (else it would close what it just opened)`);
  r.done();
  return p;
}

interface Episode { dir: 1 | -1; startUs: number }

export class CrossMarketArb implements Strategy {
  readonly instruments: readonly string[];
  readonly timerIntervalUs: number;
  private readonly tradeBase: number;
  private readonly maxBase: number;
  private episode: Episode | undefined;
  private lastEntryUs = Number.NEGATIVE_INFINITY;
  private hedges = 0;
  private unwinds = 0;

  constructor(readonly id: string, private readonly a: Instrument, private readonly b: Instrument, private readonly p: CrossMarketArbParams) {
    this.instruments = [a.id, b.id];
    this.timerIntervalUs = p.basisSampleUs;
    this.tradeBase = Number(p.tradeSize);
    this.maxBase = Number(p.maxPosition);
  }

  onMarket(_instrument: string, kind: MarketKind, ctx: StrategyContext): Decision | undefined {
    if (kind !== 'bbo' && kind !== 'book') return undefined;
    return this.evaluate(kind, ctx, false);
  }

  onTimer(ctx: StrategyContext): Decision | undefined { return this.evaluate('timer', ctx, true); }

  onOrder(order: Order, ctx: StrategyContext): Decision | undefined {
    if (order.status === 'filled' || order.status === 'canceled' || order.status === 'expired' || order.status === 'rejected' || order.status === 'denied') return this.evaluate('order', ctx, false);
    return undefined;
  }

  private evaluate(trigger: string, ctx: StrategyContext, record: boolean): Decision | undefined {
    const ta = touchOf(ctx, this.a.id); const tb = touchOf(ctx, this.b.id);
    if (!ta || !tb) return undefined;
    const midA = (ta.bidTicks + ta.askTicks) / 2; const midB = (tb.bidTicks + tb.askTicks) / 2;
    const pA = priceOf(this.a, midA); const pB = priceOf(this.b, midB);
    const fA = feeRate(this.a, 'taker'); const fB = feeRate(this.b, 'taker');
    const edgeBuyA = ((priceOf(this.b, tb.bidTicks) * (1 - fB) - priceOf(this.a, ta.askTicks) * (1 + fA)) / pA) * 1e4;
    const edgeSellA = ((priceOf(this.a, ta.bidTicks) * (1 - fA) - priceOf(this.b, tb.askTicks) * (1 + fB)) / pA) * 1e4;
    const lotsA = ctx.positionLots(this.a.id); const lotsB = ctx.positionLots(this.b.id);
    const baseA = baseOf(this.a, lotsA, midA); const baseB = baseOf(this.b, lotsB, midB);
    const imbalance = baseA + baseB;
    const inputs = (state: string): Record<string, number | string> => ({
      state, basisBps: round6(((pB - pA) / pA) * 1e4), edgeBuyABps: round6(edgeBuyA), edgeSellABps: round6(edgeSellA),
      baseA: round6(baseA), baseB: round6(baseB), imbalanceBase: round6(imbalance), hedges: this.hedges, unwinds: this.unwinds,
    });
    const none = (state: string): Decision | undefined => (record ? { trigger, inputs: inputs(state), intents: [] } : undefined);

    if (ctx.openOrders(this.a.id).length > 0 || ctx.openOrders(this.b.id).length > 0) return none('waiting');
    if (ctx.tradingState !== 'ACTIVE') return none('halted');

    const tolerance = Math.max(baseOf(this.a, 1, midA), baseOf(this.b, 1, midB)) / 2;
    if (Math.abs(imbalance) > tolerance) return this.repairLegs(trigger, ctx, ta, tb, imbalance, inputs);
    this.episode = undefined;

    for (const dir of [1, -1] as const) {
      if (this.p.direction === 'buy-a-sell-b' && dir === -1 && !(baseA > tolerance)) continue;
      if (this.p.direction === 'sell-a-buy-b' && dir === 1 && !(baseA < -tolerance)) continue;
      const edge = dir === 1 ? edgeBuyA : edgeSellA;
      const grows = dir === 1 ? baseA >= -tolerance : baseA <= tolerance;
      if (edge < (grows ? this.p.entryBps : this.p.exitBps)) continue;
      if (grows && ctx.nowUs - this.lastEntryUs < this.p.minIntervalUs) continue;
      const room = grows ? this.maxBase - Math.abs(baseA) : Math.abs(baseA);
      const touchBaseA = baseOf(this.a, dir === 1 ? ta.askLots : ta.bidLots, midA);
      const touchBaseB = baseOf(this.b, dir === 1 ? tb.bidLots : tb.askLots, midB);
      const base = Math.min(this.tradeBase, room, touchBaseA, touchBaseB);
      // Size B first (the coarser contract on COIN-M), then A to the same base amount.
      const legB = lotsForBase(this.b, base, dir === 1 ? tb.bidTicks : tb.askTicks);
      const legA = lotsForBase(this.a, baseOf(this.b, legB, dir === 1 ? tb.bidTicks : tb.askTicks), dir === 1 ? ta.askTicks : ta.bidTicks);
      if (legA <= 0 || legB <= 0) continue;
      this.episode = { dir, startUs: ctx.nowUs };
      if (grows) this.lastEntryUs = ctx.nowUs;
      const sideA: OrderSide = dir === 1 ? 'buy' : 'sell'; const sideB: OrderSide = dir === 1 ? 'sell' : 'buy';
      return {
        trigger,
        inputs: { ...inputs(grows ? 'enter' : 'exit'), edgeBps: round6(edge), legALots: legA, legBLots: legB },
        intents: [
          iocAtTouch(this.id, this.a, sideA, ta, legA, 0, grows ? 'enter-a' : 'exit-a'),
          iocAtTouch(this.id, this.b, sideB, tb, legB, 0, grows ? 'enter-b' : 'exit-b'),
        ],
      };
    }
    return none('idle');
  }

  /** One leg filled and the other did not: complete the missing leg, or unwind the filled one. */
  private repairLegs(trigger: string, ctx: StrategyContext, ta: Touch, tb: Touch, imbalance: number, inputs: (s: string) => Record<string, number | string>): Decision | undefined {
    const needed: OrderSide = imbalance > 0 ? 'sell' : 'buy';
    const ep = this.episode ?? { dir: 1, startUs: ctx.nowUs };
    this.episode = ep;
    const intendedA: OrderSide = ep.dir === 1 ? 'buy' : 'sell';
    const hedgeLeg = intendedA === needed ? 'a' : 'b';
    const inTime = this.p.legRisk === 'hedge' && ctx.nowUs - ep.startUs <= this.p.hedgeTimeoutUs;
    const leg = inTime ? hedgeLeg : hedgeLeg === 'a' ? 'b' : 'a';
    const inst = leg === 'a' ? this.a : this.b; const touch = leg === 'a' ? ta : tb;
    const lots = lotsForBase(inst, Math.abs(imbalance) + baseOf(inst, 1, needed === 'buy' ? touch.askTicks : touch.bidTicks) / 2, needed === 'buy' ? touch.askTicks : touch.bidTicks);
    if (lots <= 0) return undefined;
    if (inTime) this.hedges++; else this.unwinds++;
    return {
      trigger,
      inputs: { ...inputs(inTime ? 'hedge' : 'unwind'), legAgeUs: ctx.nowUs - ep.startUs, repairLots: lots },
      intents: [iocAtTouch(this.id, inst, needed, touch, lots, this.p.hedgeSlippageTicks, inTime ? `hedge-${leg}` : `unwind-${leg}`)],
    };
  }
}

export const crossMarketArbFactory: StrategyFactory = {
  type: 'cross-market-arb',
  summary: 'same asset on two markets: both legs IOC when the spread beats fees on both; hedge or unwind a lone leg',
  create(id, instruments, params, source) {
    const p = parseCrossMarketArbParams(params, source);
    if (instruments.length !== 2) throw new HftError('HFT_ERR_CONFIG', `${source}: cross-market-arb trades exactly two instruments (A, B), got ${instruments.length}`);
    const [a, b] = instruments as [Instrument, Instrument];
    if (a.base !== b.base) throw new HftError('HFT_ERR_CONFIG', `${source}: cross-market-arb legs must share the base asset, got ${a.id} (${a.base}) and ${b.id} (${b.base})`);
    return new CrossMarketArb(id, a, b, p);
  },
};
