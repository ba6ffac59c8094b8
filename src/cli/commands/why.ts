/**
 * `hft why <runId> --at <time>`: what the strategy saw and did at one moment of a recorded run.
 *
 * The run is replayed from its recorded inputs (the same tick files, checked by content hash, the
 * recorded scenario and seed) up to local time T, where a kernel intervention that records nothing
 * takes a snapshot from the kernel itself: the strategy-side book as the strategies saw it (depth and
 * top of book), the last best bid/offer row and trade, the trading state, every strategy's
 * position and the orders open at T. Beside it, from the recorded log: the last decision at or before
 * T with its inputs and intents and what became of each order it placed, the next decision, and every
 * run event within a window around T. The replayed events up to T are compared with the recorded ones
 * (parity of the prefix): a snapshot is only shown as the run's state when the replay reproduced the
 * recording. A paper session replays from its sealed inputs as `hft parity` does (the whole session,
 * the operator's commands included), the snapshot scheduled among them. A live session cannot be
 * replayed (the venue's answers are not recorded inputs) and is refused.
 *
 * T is the strategy's local time (the time of decisions and order events in the log, `hft events`):
 * ISO-8601 (`2024-08-09T00:01:07.312Z`), integer µs since the epoch, or a time of day
 * (`00:01:07.312`) on the run's market-data date when the run lies within one UTC day.
 */
import { HftError } from '../../core/errors.ts';
import { dayOfUs, isoFromUs, usFromIso } from '../../core/time.ts';
import { Kernel } from '../../engine/Kernel.ts';
import { paperParity } from '../../engine/live/paperParity.ts';
import { compareRuns, type ParityResult } from '../../engine/parity.ts';
import { MemoryEventStore } from '../../eventstore/memory/MemoryEventStore.ts';
import { collect } from '../../eventstore/port.ts';
import type { EventData, EventEnvelope, NewEvent } from '../../model/events.ts';
import { instrument, type Instrument } from '../../model/instrument.ts';
import { Side, type MarketBatch } from '../../model/market.ts';
import { TERMINAL_STATUSES } from '../../model/orders.ts';
import { intFlag, parseFlags, type CliIO, type Command } from '../command.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { DEFAULT_TICKS_DIR } from './backtest.ts';
import { loadRecordedSession } from './parity.ts';
import { loadRecordedBacktest } from './replay.ts';

export interface WhyOptions {
  readonly runId: string;
  readonly storeUri: string;
  readonly ticksDir: string;
  /** ISO-8601, integer µs, or HH:MM:SS[.ffffff] on the run's date. */
  readonly at: string;
  /** Book levels per side (default 5). */
  readonly depth?: number;
  /** Recorded events shown this many ms either side of T (default 500). */
  readonly windowMs?: number;
}

export interface WhyLevel { readonly price: string; readonly size: string }
export interface WhyBook {
  readonly instrument: string;
  /** Best first. */
  readonly bids: readonly WhyLevel[];
  readonly asks: readonly WhyLevel[];
  /**
   * The top of book the strategies read at T (the kernel's: the last best bid/offer row once one has
   * arrived, else the book's best levels), in ticks (null: that side empty).
   */
  readonly topBidTicks: number | null;
  readonly topAskTicks: number | null;
  /** The last best bid/offer row (e.g. Binance bookTicker) by T, rebuilt from the tick rows; null: none. */
  readonly bbo: { readonly bid: WhyLevel; readonly ask: WhyLevel; readonly atIso: string } | null;
  readonly lastTrade: { readonly price: string; readonly size: string; readonly side: 'buy' | 'sell'; readonly atIso: string } | null;
}
export interface WhyOrder {
  readonly clientOrderId: string; readonly strategyId: string; readonly instrument: string; readonly side: string;
  readonly price: string; readonly size: string; readonly filled: string; readonly status: string; readonly tag: string;
}
export interface WhyTimelineRow { readonly position: number; readonly atIso: string; readonly offsetUs: number; readonly type: string; readonly summary: string }
export interface WhyDecision {
  readonly id: string; readonly atIso: string; readonly offsetUs: number; readonly strategyId: string; readonly trigger: string;
  readonly inputs: unknown; readonly intents: unknown;
  /** What became of each order the decision placed, from the recorded log. */
  readonly orders: readonly { readonly clientOrderId: string; readonly steps: readonly { readonly type: string; readonly sinceDecisionUs: number; readonly detail: string }[] }[];
}

export interface WhyOutcome {
  readonly runId: string;
  readonly atUs: number;
  readonly atIso: string;
  /** Market rows the strategies had seen by T. */
  readonly rowsSeen: number;
  /**
   * Run events the kernel had produced when the snapshot was taken (their stream revisions are 0 to
   * this - 1). Events stamped T can follow it: a response the simulated venue produced once its next
   * market row arrived (after T) is stamped with the local time it is delivered at, T.
   */
  readonly snapshotEvents: number;
  readonly firstRowIso: string | null;
  readonly tradingState: string;
  readonly books: readonly WhyBook[];
  /** Net position per strategy and instrument at T (instruments traded so far). */
  readonly positions: readonly { readonly strategyId: string; readonly instrument: string; readonly quantity: string }[];
  readonly openOrders: readonly WhyOrder[];
  readonly lastDecision: WhyDecision | null;
  readonly nextDecision: { readonly id: string; readonly atIso: string; readonly offsetUs: number; readonly trigger: string } | null;
  readonly windowMs: number;
  readonly timeline: readonly WhyTimelineRow[];
  /** The replayed events up to the snapshot against the recorded ones. */
  readonly parity: ParityResult & { readonly replayed: number };
}

const TIME_OF_DAY = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;

/** --at as µs: ISO-8601, integer µs, or a time of day on `day` (YYYY-MM-DD; undefined: the run spans several days). */
export function parseAt(text: string, day: string | undefined, days: string): number {
  const tod = TIME_OF_DAY.exec(text);
  if (tod) {
    if (day === undefined) throw new HftError('HFT_ERR_USAGE', `--at ${text}: the run's market data spans ${days}: give a full ISO-8601 time (e.g. ${days.slice(0, 10)}T${text}Z)`);
    if (Number(tod[1]) > 23 || Number(tod[2]) > 59 || Number(tod[3]) > 59) throw new HftError('HFT_ERR_USAGE', `--at ${text}: not a time of day (HH:MM:SS[.ffffff])`);
    return usFromIso(`${day}T${text}Z`);
  }
  const us = usFromIso(text);
  if (!Number.isSafeInteger(us)) throw new HftError('HFT_ERR_USAGE', `--at '${text}': expected ISO-8601 (2024-08-09T00:01:07.312Z), integer µs since the epoch, or a time of day HH:MM:SS[.ffffff]`);
  return us;
}

/** One line per recorded event type: what an auditor reads first. */
function summarize(e: EventEnvelope, inst: (id: string) => Instrument | undefined): string {
  const d = e.data as Record<string, unknown>;
  const px = (id: unknown, ticks: unknown): string => { const i = inst(String(id)); return i && typeof ticks === 'number' ? i.tick.toDecimal(ticks) : String(ticks); };
  const qty = (id: unknown, lots: unknown): string => { const i = inst(String(id)); return i && typeof lots === 'number' ? i.lot.toDecimal(lots) : String(lots); };
  switch (e.type) {
    case 'decision': {
      const intents = (d.intents as Record<string, unknown>[]).map((x) => (x.kind === 'place'
        ? `place ${x.side} ${qty(x.instrument, x.sizeLots)} @ ${px(x.instrument, x.priceTicks)}${x.tag ? ` [${x.tag}]` : ''}`
        : `${x.kind} ${x.clientOrderId ?? ''}`.trim())).join(', ');
      return `${d.strategyId} on ${d.trigger}: ${intents || 'no intent'}`;
    }
    case 'order.requested': return `${d.clientOrderId} ${d.side} ${qty(d.instrument, d.sizeLots)} @ ${px(d.instrument, d.priceTicks)} ${d.type} ${d.timeInForce}${d.tag ? ` [${d.tag}]` : ''}`;
    case 'order.denied': return `${d.clientOrderId} by ${d.rule}: ${d.reason} ${JSON.stringify(d.values)}`;
    case 'order.filled': return `${d.clientOrderId} ${d.side} ${d.size} @ ${d.price} (${d.liquidity}, leaves ${qty(d.instrument, d.leavesLots)}, fee ${d.fee} ${d.feeCurrency})`;
    case 'position.changed': return `${d.strategyId} ${d.instrument} ${d.quantity} @ ${d.avgEntryPrice} (realized ${d.realizedPnl} ${d.currency})`;
    case 'risk.state-changed': return `${d.from} -> ${d.to}: ${d.reason}`;
    default:
      if (typeof d === 'object' && d !== null && 'clientOrderId' in d) return `${d.clientOrderId}${d.reason ? `: ${d.reason}` : ''}`;
      return '';
  }
}

type Snapshot = Omit<WhyOutcome, 'runId' | 'atUs' | 'atIso' | 'lastDecision' | 'nextDecision' | 'windowMs' | 'timeline' | 'parity'>;

/** The kernel's state at the intervention: the strategy side of the market as the strategies read it, and what they hold. */
function takeSnapshot(kernel: Kernel, tradingState: string, instruments: readonly Instrument[], firstRowUs: number | undefined, depth: number): Snapshot {
  const open = [...kernel.oms.orders.values()].filter((o) => !TERMINAL_STATUSES.has(o.status));
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    rowsSeen: kernel.counters.marketRows,
    snapshotEvents: kernel.nextSeq,
    firstRowIso: firstRowUs === undefined ? null : isoFromUs(firstRowUs),
    tradingState,
    books: instruments.map((inst, k) => {
      const book = kernel.bookView(k);
      const levels = (side: Side): WhyLevel[] => {
        const out: WhyLevel[] = [];
        book.forEachLevel(side, depth, (p, sz) => { out.push({ price: inst.tick.toDecimal(p), size: inst.lot.toDecimal(sz) }); });
        return out;
      };
      const top = kernel.top(k); const q = kernel.lastBbo(k); const t = kernel.lastTrade(k);
      return {
        instrument: inst.id, bids: levels(Side.Bid), asks: levels(Side.Ask), topBidTicks: finite(top.bidTicks), topAskTicks: finite(top.askTicks),
        bbo: q.tsUs < 0 ? null : {
          bid: { price: inst.tick.toDecimal(q.bidTicks), size: inst.lot.toDecimal(q.bidLots) },
          ask: { price: inst.tick.toDecimal(q.askTicks), size: inst.lot.toDecimal(q.askLots) }, atIso: isoFromUs(q.tsUs),
        },
        lastTrade: t ? { price: inst.tick.toDecimal(t.priceTicks), size: inst.lot.toDecimal(t.sizeLots), side: t.side > 0 ? 'buy' : 'sell', atIso: isoFromUs(t.tsUs) } : null,
      };
    }),
    positions: kernel.positionsLots().filter(([, lots]) => lots !== 0).map(([key, lots]) => {
      const bar = key.indexOf('|'); const instrument = key.slice(bar + 1);
      const inst = instruments.find((i) => i.id === instrument)!;
      return { strategyId: key.slice(0, bar), instrument, quantity: inst.lot.toDecimal(lots) };
    }),
    openOrders: open.map((o) => {
      const inst = instruments.find((i) => i.id === o.instrument)!;
      return { clientOrderId: o.clientOrderId, strategyId: o.strategyId, instrument: o.instrument, side: o.side, price: inst.tick.toDecimal(o.priceTicks), size: inst.lot.toDecimal(o.sizeLots), filled: inst.lot.toDecimal(o.filledLots), status: o.status, tag: o.tag ?? '' };
    }),
  };
}

/**
 * Where T falls in the market rows: the snapshot goes after the rows whose local time (`localTimeOf`,
 * the kernel's) is at or before T, i.e. before the first later row (`cut`, its index in stream order).
 */
class RowCut {
  rows = 0;
  cut: number | undefined;
  firstRowUs: number | undefined;
  constructor(private readonly atUs: number, private readonly localTimeOf: (b: MarketBatch, i: number) => number) {}
  /** Counts the batch's rows up to T; true once the cut is found. */
  scan(b: MarketBatch): boolean {
    if (this.cut !== undefined) return true;
    let i = 0;
    for (; i < b.length; i++) {
      const tL = this.localTimeOf(b, i);
      if (tL > this.atUs) break;
      this.firstRowUs ??= tL;
    }
    if (i < b.length) this.cut = this.rows + i;
    this.rows += i;
    return this.cut !== undefined;
  }
}

/** The market-data dates of a run's events (local time): a bare time of day falls on the one day. */
function atOf(text: string, recorded: readonly EventEnvelope[]): number {
  const events = recorded.filter((e) => e.type !== 'run.started' && e.type !== 'run.completed');
  const firstUs = events[0]?.tsRecv; const lastUs = events.at(-1)?.tsRecv;
  const daySpan = firstUs === undefined ? 'no run events' : dayOfUs(firstUs) === dayOfUs(lastUs!) ? dayOfUs(firstUs) : `${dayOfUs(firstUs)} to ${dayOfUs(lastUs!)}`;
  return parseAt(text, daySpan.length === 10 ? daySpan : undefined, daySpan);
}

async function runModeOf(opts: WhyOptions, io: CliIO): Promise<string> {
  const store = await openStore(opts.storeUri, { cwd: io.cwd, readOnly: true });
  let first: EventEnvelope | undefined;
  try { first = (await collect(store.readStream(`run-${opts.runId}`, { maxCount: 1 })))[0]; } finally { await store.close(); }
  if (!first) throw new HftError('HFT_ERR_NOT_FOUND', `run '${opts.runId}' not found in ${opts.storeUri} (stream run-${opts.runId} is empty)`);
  if (first.type !== 'run.started') throw new HftError('HFT_ERR_BAD_INPUT', `run '${opts.runId}': first event is ${first.type}, not run.started`);
  return (first.data as EventData<'run.started'>).mode;
}

/** A backtest: replayed here up to T (and no further), the prefix compared with the recording. */
async function backtestAt(opts: WhyOptions, io: CliIO): Promise<{ recorded: EventEnvelope[]; instruments: readonly Instrument[]; atUs: number; snap: Snapshot; parity: WhyOutcome['parity'] }> {
  const { recorded, run } = await loadRecordedBacktest(opts, io, 'hft why');
  const atUs = atOf(opts.at, recorded);
  const kernel = new Kernel(run.kernel);
  const instruments = run.instruments;
  const side = new RowCut(atUs, (b, i) => kernel.localTimeOf(b, i));
  let snap: Snapshot | undefined;
  const take = (): void => { snap = takeSnapshot(kernel, run.kernel.risk.state, instruments, side.firstRowUs, opts.depth ?? 5); };
  const replayed: NewEvent[] = [...kernel.record('run.started', run.started, 0, 0)];
  let scheduled = false;
  for await (const b of run.source) {
    if (!scheduled && side.scan(b)) { kernel.schedule(side.cut!, atUs, take); scheduled = true; }
    for (const e of kernel.step(b)) replayed.push(e);
    // Past the snapshot: the rest of the run is not needed.
    if (snap) break;
  }
  if (!scheduled) kernel.schedule(side.rows, atUs, take);
  if (!snap) for (const e of kernel.finish()) replayed.push(e);
  if (!snap) throw new HftError('HFT_ERR_PARITY', `run '${opts.runId}': the replay ended without reaching ${isoFromUs(atUs)}`);
  // Parity of the prefix: the replay stopped early, so only as many events as it produced are compared.
  const prefix = recorded.slice(0, Math.min(recorded.length, replayed.length));
  return { recorded, instruments, atUs, snap, parity: { ...compareRuns(prefix, replayed.slice(0, prefix.length)), replayed: replayed.length } };
}

/**
 * A paper session: its sealed rows are read once to find T's row count (local time = receipt
 * time), then replayed whole through the parity replay (hft parity) with the snapshot scheduled among
 * the operator's commands.
 */
async function sessionAt(opts: WhyOptions, io: CliIO): Promise<{ recorded: EventEnvelope[]; instruments: readonly Instrument[]; atUs: number; snap: Snapshot; parity: WhyOutcome['parity'] }> {
  const session = await loadRecordedSession(opts.runId, opts.storeUri, io);
  const atUs = atOf(opts.at, session.recorded);
  const instruments = session.instruments.map((spec) => instrument(spec));
  // A session's local time is its receipt time (live scenarios have no clock offset or feed latency floor).
  const side = new RowCut(atUs, (b, i) => b.tsRecv[i]!);
  for await (const b of session.source()) if (side.scan(b)) break;
  let snap: Snapshot | undefined;
  const report = await paperParity(session.recorded, opts.runId, session.source(), new MemoryEventStore(), session.rolled, session.commands, {
    afterRows: side.cut ?? side.rows, atUs, take: (kernel, api) => { snap = takeSnapshot(kernel, api.tradingState, instruments, side.firstRowUs, opts.depth ?? 5); },
  });
  if (!snap) throw new HftError('HFT_ERR_PARITY', `run '${opts.runId}': the replay ended without reaching ${isoFromUs(atUs)}`);
  return {
    recorded: session.recorded, instruments, atUs, snap,
    parity: { ok: report.ok, compared: report.compared, ...(report.divergence ? { divergence: report.divergence } : {}), replayed: report.replayed },
  };
}

export async function whyRun(opts: WhyOptions, io: CliIO): Promise<WhyOutcome> {
  const windowMs = opts.windowMs ?? 500;
  const mode = await runModeOf(opts, io);
  if (mode !== 'backtest' && mode !== 'paper') {
    throw new HftError('HFT_ERR_USAGE', `run '${opts.runId}' is a ${mode} run: hft why replays backtests and paper sessions (a live session's venue answers are not recorded inputs, so it cannot be replayed)`);
  }
  const { recorded, instruments, atUs, snap, parity } = mode === 'backtest' ? await backtestAt(opts, io) : await sessionAt(opts, io);
  const events = recorded.filter((e) => e.type !== 'run.started' && e.type !== 'run.completed');

  const instOf = (id: string): Instrument | undefined => instruments.find((i) => i.id === id);
  const decisions = events.filter((e) => e.type === 'decision');
  const lastIdx = decisions.findLastIndex((e) => e.tsRecv <= atUs);
  const last = lastIdx >= 0 ? decisions[lastIdx]! : undefined;
  const next = decisions[lastIdx + 1];
  const lastDecision: WhyDecision | null = last ? (() => {
    const d = last.data as EventData<'decision'>;
    const placed = events.filter((e) => e.type === 'order.requested' && e.correlationId === last.id).map((e) => (e.data as { clientOrderId: string }).clientOrderId);
    return {
      id: last.id, atIso: isoFromUs(last.tsRecv), offsetUs: last.tsRecv - atUs, strategyId: d.strategyId, trigger: d.trigger, inputs: d.inputs, intents: d.intents,
      orders: placed.map((cid) => ({
        clientOrderId: cid,
        steps: events.filter((e) => (e.data as { clientOrderId?: string }).clientOrderId === cid).map((e) => ({ type: e.type, sinceDecisionUs: e.tsRecv - last.tsRecv, detail: summarize(e, instOf) })),
      })),
    };
  })() : null;
  const w = windowMs * 1000;
  const timeline = events.filter((e) => e.tsRecv >= atUs - w && e.tsRecv <= atUs + w)
    .map((e) => ({ position: e.revision, atIso: isoFromUs(e.tsRecv), offsetUs: e.tsRecv - atUs, type: e.type, summary: summarize(e, instOf) }));
  return {
    runId: opts.runId, atUs, atIso: isoFromUs(atUs),
    rowsSeen: snap.rowsSeen, snapshotEvents: snap.snapshotEvents, firstRowIso: snap.firstRowIso, tradingState: snap.tradingState, books: snap.books,
    positions: snap.positions, openOrders: snap.openOrders,
    lastDecision, nextDecision: next ? { id: next.id, atIso: isoFromUs(next.tsRecv), offsetUs: next.tsRecv - atUs, trigger: (next.data as EventData<'decision'>).trigger } : null,
    windowMs, timeline, parity,
  };
}

const us = (n: number): string => `${n >= 0 ? '+' : '-'}${(Math.abs(n) / 1000).toFixed(3)} ms`;

export function printWhy(r: WhyOutcome, out: (line: string) => void): void {
  out(`run ${r.runId} at ${r.atIso} (the strategies' local time)`);
  out(r.parity.ok
    ? `replay: ${r.parity.compared} events up to here identical to the recording`
    : `replay: DIVERGED from the recording at event ${r.parity.divergence!.index} (hft replay ${r.runId} shows it): the state below is the replay's, not the recorded run's`);
  out(`market rows seen: ${r.rowsSeen}${r.firstRowIso ? ` (first at ${r.firstRowIso})` : ' (T is before the first market row)'}; trading state ${r.tradingState}`);
  for (const b of r.books) {
    const inst = b.instrument;
    out('');
    out(`book ${inst} as the strategy saw it`);
    if (b.bbo) out(`  best bid/offer (the top the strategy reads): ${b.bbo.bid.size} @ ${b.bbo.bid.price} | ${b.bbo.ask.price} @ ${b.bbo.ask.size}, row at ${b.bbo.atIso}`);
    out(`  depth, best ${Math.max(b.bids.length, b.asks.length)} levels a side${b.bbo ? ' (the depth stream: it can lag the best bid/offer)' : ''}:`);
    out(`  ${'bid size'.padStart(14)} ${'bid'.padStart(12)} | ${'ask'.padEnd(12)} ${'ask size'.padEnd(14)}`);
    for (let k = 0; k < Math.max(b.bids.length, b.asks.length); k++) {
      const bid = b.bids[k]; const ask = b.asks[k];
      out(`  ${(bid?.size ?? '').padStart(14)} ${(bid?.price ?? '').padStart(12)} | ${(ask?.price ?? '').padEnd(12)} ${(ask?.size ?? '').padEnd(14)}`);
    }
    if (b.lastTrade) out(`  last trade: ${b.lastTrade.side} ${b.lastTrade.size} @ ${b.lastTrade.price} at ${b.lastTrade.atIso}`);
  }
  out('');
  out(`positions: ${r.positions.length === 0 ? 'flat' : r.positions.map((p) => `${p.strategyId} ${p.instrument} ${p.quantity}`).join('; ')}`);
  out(`open orders: ${r.openOrders.length === 0 ? 'none' : ''}`);
  for (const o of r.openOrders) out(`  ${o.clientOrderId} ${o.strategyId} ${o.side} ${o.size} @ ${o.price} filled ${o.filled} ${o.status}${o.tag ? ` [${o.tag}]` : ''}`);
  out('');
  if (r.lastDecision) {
    const d = r.lastDecision;
    out(`last decision: ${d.id} at ${d.atIso} (${us(d.offsetUs)}), ${d.strategyId} on ${d.trigger}`);
    out(`  inputs:  ${JSON.stringify(d.inputs)}`);
    out(`  intents: ${JSON.stringify(d.intents)}`);
    for (const o of d.orders) {
      out(`  order ${o.clientOrderId}:`);
      for (const s of o.steps) out(`    ${us(s.sinceDecisionUs).padStart(12)} ${s.type.padEnd(24)} ${s.detail}`);
    }
  } else out('last decision: none before T');
  out(r.nextDecision ? `next decision: ${r.nextDecision.id} at ${r.nextDecision.atIso} (${us(r.nextDecision.offsetUs)}) on ${r.nextDecision.trigger}` : 'next decision: none after T');
  out('');
  out(`run events within ${r.windowMs} ms of T:`);
  let marked = false;
  const mark = (): void => { out('  ── T: the snapshot above'); marked = true; };
  for (const e of r.timeline) {
    if (!marked && e.position >= r.snapshotEvents) mark();
    out(`  ${us(e.offsetUs).padStart(12)} ${e.type.padEnd(24)} ${e.summary}`);
  }
  if (!marked) mark();
  if (r.timeline.some((e) => e.position >= r.snapshotEvents && e.offsetUs <= 0)) {
    out('  (events stamped at or before T below the line came after the snapshot: venue responses the simulated venue');
    out('   produced when its next market row arrived, stamped with the local time they were delivered at)');
  }
}

export const whyCommand: Command = {
  name: 'why',
  summary: 'replay a run up to one moment: the book the strategy saw, its position, open orders and decisions there',
  help: [
    'usage: hft why <runId> --at <time> [--store <uri>] [--ticks <dir>] [--depth N] [--window MS] [--json]',
    '',
    'Replays the run from its recorded inputs (tick files checked by sha256) up to local time T and shows',
    'what the strategy saw and did there: the kernel\'s strategy-side book (depth, top, last bid/offer), the',
    'last trade, the trading state, positions and open orders at T; from the recorded log, the last',
    'decision at or before T with its inputs, intents and what became of each order, the next decision,',
    'and every run event within --window ms of T. The replayed events up to T are compared with the',
    'recorded ones: a divergence is reported (and the exit code is 1). A paper session replays from its',
    'sealed inputs as hft parity does (the whole session), T\'s local time being the receipt time; a live',
    'session is refused (the venue\'s answers are not recorded inputs).',
    '',
    'options:',
    '  --at <time>     ISO-8601 (2024-08-09T00:01:07.312Z), integer µs since the epoch, or a time of day',
    '                  HH:MM:SS[.ffffff] on the run\'s date (when its market data lies within one UTC day)',
    `  --store <uri>   event store holding the run (default ${DEFAULT_STORE_URI})`,
    `  --ticks <dir>   tick store cache (default ${DEFAULT_TICKS_DIR})`,
    '  --depth N       book levels per side (default 5)',
    '  --window MS     recorded events shown this many ms either side of T (default 500)',
    '  --json          print the outcome as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { at: { type: 'string' }, store: { type: 'string' }, ticks: { type: 'string' }, depth: { type: 'string' }, window: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one run id');
    if (values.at === undefined) throw new HftError('HFT_ERR_USAGE', '--at <time> is required');
    const r = await whyRun({
      runId: positionals[0]!, storeUri: values.store ?? DEFAULT_STORE_URI, ticksDir: values.ticks ?? DEFAULT_TICKS_DIR, at: values.at,
      depth: intFlag('depth', values.depth, 5), windowMs: intFlag('window', values.window, 500),
    }, io);
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else printWhy(r, io.out);
    return r.parity.ok ? 0 : 1;
  },
};
