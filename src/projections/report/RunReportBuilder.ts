/**
 * Builds a RunReport in two passes, memory bounded by what is drawn plus one entry per fill and per
 * position change: first every event of the run (addEvents, in log order), then the market rows of the
 * run's window (addMarket, in time order) which give the mid for the equity curve, the spread capture
 * of each fill and the price chart.
 *
 * The mid is the BBO's (market rows of kind bbo; on data without them, the L2 book's top after each
 * complete venue message), as the kernel marks it: round((bid + ask) / 2) ticks for equity, so the final equity equals the kernel's own; spread capture uses the exact half-tick mid.
 * Fills and position changes are matched to the market by the venue clock (event tsEvent against the
 * market row's tsEvent): a fill counts against the last BBO the exchange published before it.
 */
import { HftError } from '../../core/errors.ts';
import { Increment } from '../../core/fixed.ts';
import { Money, ZERO } from '../../model/accounting/Money.ts';
import type { DatasetRef, EventEnvelope, TradingState } from '../../model/events.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { L2Book } from '../../model/book/L2Book.ts';
import { BookFlag, KindCode, type MarketBatch } from '../../model/market.ts';
import { downsampleIndices } from './downsampleIndices.ts';
import { latencyHistogram } from './latencyHistogram.ts';
import type { PriceSeries, RiskChange, RunReport, Series } from './RunReport.ts';

export interface RunReportBudget {
  /** Most points drawn per price series (bid/ask), per quote series, of fills, of equity, per inventory. */
  readonly pricePoints: number;
  readonly quotePoints: number;
  readonly fillMarkers: number;
  readonly equityPoints: number;
  readonly inventoryPoints: number;
}

export const DEFAULT_REPORT_BUDGET: RunReportBudget = { pricePoints: 40_000, quotePoints: 20_000, fillMarkers: 20_000, equityPoints: 6_000, inventoryPoints: 10_000 };

interface Inst {
  readonly spec: InstrumentSpec;
  readonly tick: number; readonly lot: number; readonly mult: number; readonly inverse: boolean;
  readonly tickInc: Increment; readonly lotInc: Increment;
  bid: number; ask: number;
  /** L2 book for the top of book until the first BBO row (book-only data has none). */
  book: L2Book | undefined;
  /** Drawn price points (one per change of bid or ask). */
  readonly pt: number[]; readonly pbid: number[]; readonly pask: number[];
  readonly working: Map<string, OrderInfo>;
  quoteBid: number | null; quoteAsk: number | null;
  readonly qt: number[]; readonly qbid: (number | null)[]; readonly qask: (number | null)[];
  /** Σ side × ((bid + ask) − 2 × price) × lots: twice the spread capture in tick·lots, exact. */
  spreadHalfTickLots: bigint;
}

interface OrderInfo {
  readonly inst: number; readonly side: 1 | -1; priceTicks: number; readonly sizeLots: number;
  submittedUs: number; acceptedUs: number; filledLots: number; working: boolean;
}

interface Ledger {
  readonly key: string; readonly inst: number; readonly currency: string;
  qty: number; avg: number; realizedNet: number;
  // exact cumulative figures of the last change
  qtyS: string; avgS: string; realizedS: string; feesS: string; fundingS: string;
  readonly it: number[]; readonly ilots: number[];
}

const TERMINAL = new Set(['order.rejected', 'order.canceled', 'order.expired', 'order.denied']);

export class RunReportBuilder {
  private started: EventEnvelope<'run.started'> | undefined;
  private completed: Record<string, unknown> | null = null;
  private runId = '';
  private streamId = '';
  private readonly insts: Inst[] = [];
  private readonly instIndex = new Map<string, number>();
  private readonly orders = new Map<string, OrderInfo>();
  private readonly ledgers: Ledger[] = [];
  private readonly ledgerIndex = new Map<string, number>();
  private currency = '';
  private initialBalance = ZERO;
  private equityIntervalUs = 1_000_000;
  private initialTradingState = 'ACTIVE';
  private events = 0;
  private firstUs = 0;
  private lastUs = 0;
  private readonly counts = { decisions: 0, orders: 0, fills: 0, cancels: 0, rejects: 0, denials: 0 };
  private readonly outcomes = { requested: 0, filled: 0, partiallyFilledThenCanceled: 0, canceled: 0, expired: 0, rejected: {} as Record<string, number>, denied: {} as Record<string, number> };
  private readonly risk: RiskChange[] = [];
  // fills, in log order
  private readonly fT: number[] = []; private readonly fInst: number[] = []; private readonly fSide: number[] = [];
  private readonly fPx: number[] = []; private readonly fLots: number[] = [];
  // position changes, in log order
  private readonly pT: number[] = []; private readonly pLedger: number[] = []; private readonly pQty: number[] = [];
  private readonly pAvg: number[] = []; private readonly pNet: number[] = [];
  private readonly ackUs: number[] = []; private readonly fillUs: number[] = []; private readonly queueUs: number[] = [];
  // market pass
  private marketStarted = false;
  private fillCursor = 0;
  private fillOrder: Uint32Array | undefined;
  private posCursor = 0;
  private posOrder: Uint32Array | undefined;
  private realizedNetSum = 0;
  private nextSampleUs = NaN;
  private readonly eqT: number[] = []; private readonly eqV: number[] = [];
  private marketRows = 0;

  constructor(private readonly budget: RunReportBudget = DEFAULT_REPORT_BUDGET) {}

  /** Folds a batch of the run's events (one run, log order). */
  addEvents(batch: readonly EventEnvelope[]): void {
    if (this.marketStarted) throw new HftError('HFT_ERR_BAD_INPUT', 'run report: every event must be added before the market rows');
    for (const e of batch) this.addEvent(e);
  }

  /** The instrument ids of the run, in the order of run.started's config. */
  get instrumentIds(): string[] { return this.insts.map((i) => i.spec.id); }
  get datasets(): readonly DatasetRef[] { return this.started?.data.datasets ?? []; }
  /** Scenario definition and path as recorded in run.started (to rebuild its market stream). */
  get scenario(): { readonly scenario: unknown; readonly scenarioPath: string | undefined } {
    const c = this.started?.data.config as { scenario?: unknown; scenarioPath?: string } | undefined;
    return { scenario: c?.scenario, scenarioPath: c?.scenarioPath };
  }

  private addEvent(e: EventEnvelope): void {
    this.events++;
    if (this.events === 1) { this.runId = e.runId; this.streamId = e.streamId; }
    else if (e.runId !== this.runId) throw new HftError('HFT_ERR_BAD_INPUT', `run report: event ${e.id} at position ${e.position} belongs to run '${e.runId}', not '${this.runId}'`);
    if (e.tsEvent > 0) { if (this.firstUs === 0) this.firstUs = e.tsEvent; if (e.tsEvent > this.lastUs) this.lastUs = e.tsEvent; }
    switch (e.type) {
      case 'run.started': this.onStarted(e as EventEnvelope<'run.started'>); return;
      case 'run.completed': this.completed = (e as EventEnvelope<'run.completed'>).data.summary; return;
      case 'decision': this.counts.decisions++; return;
      case 'order.requested': {
        const d = (e as EventEnvelope<'order.requested'>).data;
        this.counts.orders++; this.outcomes.requested++;
        this.orders.set(d.clientOrderId, { inst: this.inst(d.instrument, e), side: d.side === 'buy' ? 1 : -1, priceTicks: d.priceTicks, sizeLots: d.sizeLots, submittedUs: NaN, acceptedUs: NaN, filledLots: 0, working: false });
        return;
      }
      case 'order.submitted': { const o = this.orders.get((e.data as { clientOrderId: string }).clientOrderId); if (o) o.submittedUs = e.tsEvent; return; }
      case 'order.accepted': {
        const o = this.orders.get((e.data as { clientOrderId: string }).clientOrderId);
        if (!o) return;
        o.acceptedUs = e.tsEvent;
        if (!Number.isNaN(o.submittedUs)) this.ackUs.push(e.tsRecv - o.submittedUs);
        o.working = true;
        this.insts[o.inst]!.working.set((e.data as { clientOrderId: string }).clientOrderId, o);
        this.requote(o.inst, e.tsEvent);
        return;
      }
      case 'order.updated': {
        const d = (e as EventEnvelope<'order.updated'>).data;
        const o = this.orders.get(d.clientOrderId);
        if (o) { o.priceTicks = d.priceTicks; if (o.working) this.requote(o.inst, e.tsEvent); }
        return;
      }
      case 'order.filled': this.onFill(e as EventEnvelope<'order.filled'>); return;
      case 'position.changed': this.onPosition(e as EventEnvelope<'position.changed'>); return;
      case 'risk.state-changed': {
        const d = (e as EventEnvelope<'risk.state-changed'>).data;
        this.risk.push({ tUs: e.tsEvent, from: d.from, to: d.to as TradingState, reason: d.reason });
        return;
      }
      default:
        if (TERMINAL.has(e.type)) this.onTerminal(e);
    }
  }

  private onStarted(e: EventEnvelope<'run.started'>): void {
    this.started = e;
    const cfg = e.data.config as { instruments?: InstrumentSpec[]; scenario?: { accounting?: { initialBalances?: Record<string, string>; equityIntervalUs?: number }; risk?: { tradingState?: string } } } | undefined;
    const specs = cfg?.instruments;
    if (!Array.isArray(specs) || specs.length === 0) throw new HftError('HFT_ERR_BAD_INPUT', `run ${e.runId}: run.started (position ${e.position}) has no config.instruments`);
    for (const spec of specs) this.addInstrument(spec);
    const balances = cfg?.scenario?.accounting?.initialBalances ?? {};
    this.currency = specs[0]!.settle;
    this.initialBalance = new Money(balances[this.currency] ?? '0');
    this.equityIntervalUs = cfg?.scenario?.accounting?.equityIntervalUs ?? 1_000_000;
    this.initialTradingState = cfg?.scenario?.risk?.tradingState ?? 'ACTIVE';
  }

  private addInstrument(spec: InstrumentSpec): void {
    const inverse = spec.kind === 'inverse_perp' || spec.kind === 'inverse_future';
    this.instIndex.set(spec.id, this.insts.length);
    this.insts.push({
      spec, tick: Number(spec.tickSize), lot: Number(spec.lotSize), mult: Number(spec.contractMultiplier), inverse,
      tickInc: new Increment(spec.tickSize), lotInc: new Increment(spec.lotSize),
      bid: NaN, ask: NaN, book: new L2Book(spec.id), pt: [], pbid: [], pask: [], working: new Map(), quoteBid: null, quoteAsk: null, qt: [], qbid: [], qask: [], spreadHalfTickLots: 0n,
    });
  }

  private inst(id: string, e: EventEnvelope): number {
    const i = this.instIndex.get(id);
    if (i === undefined) throw new HftError('HFT_ERR_BAD_INPUT', `run ${e.runId}: event ${e.type} at position ${e.position} names instrument '${id}', not in run.started config.instruments (${this.instrumentIds.join(', ')})`);
    return i;
  }

  private onFill(e: EventEnvelope<'order.filled'>): void {
    const d = e.data;
    this.counts.fills++;
    const inst = this.inst(d.instrument, e);
    this.fT.push(e.tsEvent); this.fInst.push(inst); this.fSide.push(d.side === 'buy' ? 1 : -1); this.fPx.push(d.priceTicks); this.fLots.push(d.sizeLots);
    const o = this.orders.get(d.clientOrderId);
    if (!o) return;
    if (!Number.isNaN(o.submittedUs)) this.fillUs.push(e.tsRecv - o.submittedUs);
    if (!Number.isNaN(o.acceptedUs)) this.queueUs.push(e.tsEvent - o.acceptedUs);
    o.filledLots += d.sizeLots;
    if (d.leavesLots === 0) {
      this.outcomes.filled++;
      this.end(d.clientOrderId, o, e.tsEvent);
    }
  }

  private onTerminal(e: EventEnvelope): void {
    const d = e.data as { clientOrderId: string; reason?: string; rule?: string };
    const o = this.orders.get(d.clientOrderId);
    if (e.type === 'order.denied') { this.counts.denials++; bump(this.outcomes.denied, d.rule ?? '?'); }
    else if (e.type === 'order.rejected') { this.counts.rejects++; bump(this.outcomes.rejected, d.reason ?? '?'); }
    else if (e.type === 'order.canceled') {
      this.counts.cancels++;
      if (o && o.filledLots > 0) this.outcomes.partiallyFilledThenCanceled++; else this.outcomes.canceled++;
    } else if (e.type === 'order.expired') this.outcomes.expired++;
    if (o) this.end(d.clientOrderId, o, e.tsEvent);
  }

  /** A finished order leaves the working set and the map (memory stays flat over long runs). */
  private end(clientOrderId: string, o: OrderInfo, tUs: number): void {
    this.orders.delete(clientOrderId);
    if (o.working) { o.working = false; this.insts[o.inst]!.working.delete(clientOrderId); this.requote(o.inst, tUs); }
  }

  private requote(instIdx: number, tUs: number): void {
    const inst = this.insts[instIdx]!;
    let bid: number | null = null, ask: number | null = null;
    for (const o of inst.working.values()) {
      if (o.side === 1) { if (bid === null || o.priceTicks > bid) bid = o.priceTicks; }
      else if (ask === null || o.priceTicks < ask) ask = o.priceTicks;
    }
    if (bid === inst.quoteBid && ask === inst.quoteAsk) return;
    inst.quoteBid = bid; inst.quoteAsk = ask;
    inst.qt.push(tUs); inst.qbid.push(bid); inst.qask.push(ask);
  }

  private onPosition(e: EventEnvelope<'position.changed'>): void {
    const d = e.data;
    const key = `${d.strategyId}|${d.instrument}`;
    let li = this.ledgerIndex.get(key);
    if (li === undefined) {
      li = this.ledgers.length;
      this.ledgerIndex.set(key, li);
      this.ledgers.push({ key, inst: this.inst(d.instrument, e), currency: d.currency, qty: 0, avg: 0, realizedNet: 0, qtyS: '0', avgS: '0', realizedS: '0', feesS: '0', fundingS: '0', it: [], ilots: [] });
    }
    const l = this.ledgers[li]!;
    l.qtyS = d.quantity; l.avgS = d.avgEntryPrice; l.realizedS = d.realizedPnl; l.feesS = d.fees; l.fundingS = d.funding;
    const qty = Number(d.quantity);
    this.pT.push(e.tsEvent); this.pLedger.push(li); this.pQty.push(qty); this.pAvg.push(Number(d.avgEntryPrice));
    this.pNet.push(Number(d.realizedPnl) - Number(d.fees) + Number(d.funding));
    l.it.push(e.tsEvent); l.ilots.push(Math.round(qty / this.insts[l.inst]!.lot));
  }

  /** Folds a batch of market rows; `instruments` is the table the batch's instrument column indexes. */
  addMarket(b: MarketBatch, instruments: readonly string[]): void {
    if (!this.started) throw new HftError('HFT_ERR_BAD_INPUT', `run report: no run.started among the ${this.events} events added`);
    if (!this.marketStarted) this.startMarket();
    const map = instruments.map((id) => this.instIndex.get(id) ?? -1);
    const kind = b.kind, ins = b.instrument, te = b.tsEvent, px = b.price, px2 = b.price2;
    this.marketRows += b.length;
    for (let i = 0; i < b.length; i++) {
      const k = kind[i]!;
      if (k !== KindCode.bbo && k !== KindCode.book && k !== KindCode.gap) continue;
      const idx = map[ins[i]!]!;
      if (idx < 0) continue;
      const inst = this.insts[idx]!;
      if (k === KindCode.bbo) {
        inst.book = undefined; // as the kernel: once a BBO stream exists, it alone gives the top of book
        this.onTop(inst, te[i]!, px[i]!, px2[i]!);
        continue;
      }
      // No BBO (yet): the top of the L2 book after each complete venue message, as the kernel marks it.
      const book = inst.book;
      if (!book) continue;
      if (k === KindCode.gap) { book.clear(); continue; }
      book.applyRow(b.side[i]!, px[i]!, b.size[i]!, b.flags[i]!);
      if ((b.flags[i]! & BookFlag.EndOfMessage) === 0) continue;
      const bid = book.bestBid(), ask = book.bestAsk();
      if (Number.isFinite(bid) && Number.isFinite(ask) && bid > 0 && ask > 0) this.onTop(inst, te[i]!, bid, ask);
    }
  }

  private onTop(inst: Inst, t: number, bid: number, ask: number): void {
    if (Number.isNaN(this.nextSampleUs)) this.nextSampleUs = (Math.floor(t / this.equityIntervalUs) + 1) * this.equityIntervalUs;
    if (t >= this.nextSampleUs) {
      // The sample sees the fills before its time and the mids as they stood then (no BBO since).
      this.advanceTo(this.nextSampleUs);
      this.sample(this.nextSampleUs);
      this.nextSampleUs = (Math.floor(t / this.equityIntervalUs) + 1) * this.equityIntervalUs;
    }
    this.advanceTo(t);
    if (bid !== inst.bid || ask !== inst.ask) {
      inst.bid = bid; inst.ask = ask;
      inst.pt.push(t); inst.pbid.push(bid); inst.pask.push(ask);
    }
  }

  private startMarket(): void {
    this.marketStarted = true;
    this.fillOrder = stableOrder(this.fT);
    this.posOrder = stableOrder(this.pT);
  }

  /** Applies fills and position changes the venue made before `t` (with the mids as they were). */
  private advanceTo(t: number): void {
    const fo = this.fillOrder!, po = this.posOrder!;
    while (this.fillCursor < fo.length && this.fT[fo[this.fillCursor]!]! < t) {
      const k = fo[this.fillCursor++]!;
      const inst = this.insts[this.fInst[k]!]!;
      // A fill before any BBO has no mid to measure against: it counts as captured at its own price.
      if (Number.isNaN(inst.bid)) continue;
      inst.spreadHalfTickLots += BigInt(this.fSide[k]! * (inst.bid + inst.ask - 2 * this.fPx[k]!) * this.fLots[k]!);
    }
    while (this.posCursor < po.length && this.pT[po[this.posCursor]!]! < t) {
      const k = po[this.posCursor++]!;
      const l = this.ledgers[this.pLedger[k]!]!;
      if (l.currency === this.currency) this.realizedNetSum += this.pNet[k]! - l.realizedNet;
      l.qty = this.pQty[k]!; l.avg = this.pAvg[k]!; l.realizedNet = this.pNet[k]!;
    }
  }

  private sample(tUs: number): void {
    let eq = this.initialBalance.toNumber() + this.realizedNetSum;
    for (const l of this.ledgers) {
      if (l.currency !== this.currency || l.qty === 0) continue;
      const inst = this.insts[l.inst]!;
      if (Number.isNaN(inst.bid)) continue;
      const mark = Math.round((inst.bid + inst.ask) / 2) * inst.tick;
      eq += inst.inverse ? l.qty * inst.mult * (1 / l.avg - 1 / mark) : l.qty * (mark - l.avg) * inst.mult;
    }
    this.eqT.push(tUs); this.eqV.push(eq);
  }

  finish(): RunReport {
    const st = this.started;
    if (!st) throw new HftError('HFT_ERR_BAD_INPUT', `run report: no run.started among the ${this.events} events added`);
    if (!this.marketStarted) this.startMarket();
    const endUs = Math.max(this.lastUs, this.eqT.length ? this.eqT[this.eqT.length - 1]! : 0);
    this.advanceTo(Infinity);
    this.sample(endUs);
    // Exact money: cumulative ledger figures of the last change, unrealized at the last mark.
    let realized = ZERO, fees = ZERO, funding = ZERO, unrealized = ZERO, spread = ZERO;
    for (const l of this.ledgers) {
      if (l.currency !== this.currency) continue;
      realized = realized.plus(l.realizedS); fees = fees.plus(l.feesS); funding = funding.plus(l.fundingS);
      const inst = this.insts[l.inst]!;
      const qty = new Money(l.qtyS);
      if (qty.isZero() || Number.isNaN(inst.bid)) continue;
      const mark = new Money(inst.tickInc.toDecimal(Math.round((inst.bid + inst.ask) / 2)));
      const mult = new Money(inst.spec.contractMultiplier);
      unrealized = unrealized.plus(inst.inverse
        ? qty.mul(mult).mul(new Money(1).div(l.avgS).minus(new Money(1).div(mark)))
        : qty.mul(mark.minus(l.avgS)).mul(mult));
    }
    for (const inst of this.insts) {
      if (inst.spec.settle !== this.currency || inst.spreadHalfTickLots === 0n) continue;
      const v = new Money(inst.spreadHalfTickLots.toString()).div(2).mul(inst.spec.tickSize).mul(inst.spec.lotSize).mul(inst.spec.contractMultiplier);
      // Inverse: a tick·lot is worth mult / price² in coin; the last mid is close enough for attribution.
      spread = spread.plus(inst.inverse ? v.div(new Money((inst.bid + inst.ask) / 2 * inst.tick).pow(2)) : v);
    }
    const net = realized.minus(fees).plus(funding).plus(unrealized);
    const finalEquity = this.initialBalance.plus(net);
    // Drawdown over every sample, the last one being the exact final equity.
    this.eqV[this.eqV.length - 1] = finalEquity.toNumber();
    const ddV = new Array<number>(this.eqV.length);
    let peak = -Infinity, maxDd = 0;
    for (let i = 0; i < this.eqV.length; i++) {
      if (this.eqV[i]! > peak) peak = this.eqV[i]!;
      ddV[i] = this.eqV[i]! - peak;
      if (peak - this.eqV[i]! > maxDd) maxDd = peak - this.eqV[i]!;
    }
    const prices: PriceSeries[] = this.insts.map((inst, idx) => {
      const pk = downsampleIndices(inst.pt, [inst.pbid, inst.pask], this.budget.pricePoints);
      const qk = downsampleIndices(inst.qt, [inst.qbid, inst.qask], this.budget.quotePoints);
      const fk = this.fillOrder ? [...this.fillOrder].filter((k) => this.fInst[k] === idx) : [];
      const fkDrawn = fk.length <= this.budget.fillMarkers ? fk : evenly(fk, this.budget.fillMarkers);
      return {
        instrument: inst.spec.id, t: pick(inst.pt, pk), bid: pick(inst.pbid, pk), ask: pick(inst.pask, pk), total: inst.pt.length,
        quotes: { t: pick(inst.qt, qk), bid: pick(inst.qbid, qk), ask: pick(inst.qask, qk), total: inst.qt.length },
        fills: { t: pick(this.fT, fkDrawn), priceTicks: pick(this.fPx, fkDrawn), sizeLots: pick(this.fLots, fkDrawn), side: pick(this.fSide, fkDrawn), total: fk.length },
      };
    });
    const ek = downsampleIndices(this.eqT, [this.eqV], this.budget.equityPoints);
    const dk = downsampleIndices(this.eqT, [ddV], this.budget.equityPoints);
    const equity: Series = { t: pick(this.eqT, ek), v: pick(this.eqV, ek), total: this.eqT.length };
    const drawdown: Series = { t: pick(this.eqT, dk), v: pick(ddV, dk), total: this.eqT.length };
    const d = st.data;
    return {
      runId: this.runId, streamId: this.streamId, scenario: d.scenario, mode: d.mode, seed: d.seed, codeVersion: d.codeVersion,
      configHash: d.configHash, config: d.config, datasets: d.datasets, instruments: this.insts.map((i) => i.spec),
      startUs: this.firstUs, endUs, completed: this.completed !== null, events: this.events, marketRows: this.marketRows,
      currency: this.currency, initialBalance: this.initialBalance.toString(), finalEquity: finalEquity.toString(),
      maxDrawdown: String(maxDd), equitySamples: this.eqT.length, equityIntervalUs: this.equityIntervalUs, equity, drawdown,
      pnl: {
        currency: this.currency, spreadCapture: spread.toString(), fees: fees.toString(), funding: funding.toString(),
        markToMarket: net.minus(spread).plus(fees).minus(funding).toString(), realized: realized.toString(), unrealized: unrealized.toString(), net: net.toString(),
      },
      prices,
      inventory: this.ledgers.map((l) => {
        const k = downsampleIndices(l.it, [l.ilots], this.budget.inventoryPoints);
        return { key: l.key, instrument: this.insts[l.inst]!.spec.id, t: pick(l.it, k), lots: pick(l.ilots, k), total: l.it.length };
      }),
      outcomes: { ...this.outcomes, open: this.orders.size },
      latency: { ack: latencyHistogram(Float64Array.from(this.ackUs)), fill: latencyHistogram(Float64Array.from(this.fillUs)), queueWait: latencyHistogram(Float64Array.from(this.queueUs)) },
      risk: this.risk, initialTradingState: this.initialTradingState, counts: { ...this.counts }, summary: this.completed,
    };
  }
}

function bump(m: Record<string, number>, k: string): void { m[k] = (m[k] ?? 0) + 1; }

function pick<T>(a: readonly T[], idx: readonly number[]): T[] {
  const out = new Array<T>(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]!]!;
  return out;
}

function evenly(a: readonly number[], n: number): number[] {
  const out: number[] = [];
  const step = a.length / n;
  for (let i = 0; i < n; i++) out.push(a[Math.floor(i * step)]!);
  return out;
}

/** Indices of `t` sorted by time, log order kept among equal times. */
function stableOrder(t: readonly number[]): Uint32Array {
  const idx = new Uint32Array(t.length);
  let sorted = true;
  for (let i = 0; i < t.length; i++) { idx[i] = i; if (i > 0 && t[i]! < t[i - 1]!) sorted = false; }
  if (!sorted) idx.sort((a, b) => t[a]! - t[b]! || a - b);
  return idx;
}
