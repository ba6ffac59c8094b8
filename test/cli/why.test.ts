/**
 * `hft why`: the snapshot of a replayed backtest at one moment, checked against what the recorded log
 * says independently (the decision's own recorded inputs, the orders and positions the log's events
 * imply), on the shipped real BTCUSDT capture.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestFromFile } from '../../src/cli/commands/backtest.ts';
import { parseAt, whyRun } from '../../src/cli/commands/why.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { runSession } from '../../src/cli/commands/paper.ts';
import { DATA, emulatorPerTest } from '../live/futuresEmulator.ts';
import { isHftError } from '../../src/core/errors.ts';
import { isoFromUs, usFromIso } from '../../src/core/time.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { collect } from '../../src/eventstore/port.ts';
import type { EventEnvelope } from '../../src/model/events.ts';
import { instrument, type InstrumentSpec } from '../../src/model/instrument.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'hft-why-'));
const io: CliIO = { out: () => {}, err: () => {}, env: {}, cwd: ROOT, isTTY: false };
const ticksDir = join(work, 'ticks');
const storeUri = `file:${join(work, 'store')}`;
let runId = '';
let log: EventEnvelope[] = [];

beforeAll(async () => {
  // The demo scenario over its first three minutes (same data and models as `npm start`).
  const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios/demo-mm-btcusdt.json'), 'utf8'));
  demo.data.to = '2024-08-08T23:57:00Z';
  const scenarioPath = join(work, 'demo-3min.json');
  writeFileSync(scenarioPath, JSON.stringify(demo));
  runId = (await backtestFromFile({ scenarioPath, storeUri, ticksDir }, io)).runId;
  const store = await FileEventStore.open(join(work, 'store'), { readOnly: true });
  try { log = await collect(store.readStream(`run-${runId}`)); } finally { await store.close(); }
}, 120_000);

/** Open orders and net positions implied by the log's first `n` events, folded here from the events alone. */
function fromLog(n: number): { open: string[]; positions: Map<string, string> } {
  const open = new Set<string>();
  const positions = new Map<string, string>();
  for (const e of log.slice(0, n)) {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'order.requested') open.add(String(d.clientOrderId));
    else if (['order.denied', 'order.rejected', 'order.canceled', 'order.expired'].includes(e.type)) open.delete(String(d.clientOrderId));
    else if (e.type === 'order.filled' && d.leavesLots === 0) open.delete(String(d.clientOrderId));
    else if (e.type === 'position.changed') positions.set(`${d.strategyId}|${d.instrument}`, String(d.quantity));
  }
  return { open: [...open].sort(), positions };
}

describe('hft why on the real BTCUSDT capture', () => {
  it('at a decision: the replayed top of book is the one the decision recorded, and orders and position match the log', async () => {
    // Decisions on a market row: made right after that row, so the rows up to T are the ones they saw (a
    // decision on an order answer at T comes before a market row stamped the same microsecond).
    const decisions = log.filter((e) => e.type === 'decision' && ['bbo', 'book'].includes((e.data as { trigger: string }).trigger));
    expect(decisions.length).toBeGreaterThan(100);
    const btc = instrument((log[0]!.data as { config: { instruments: InstrumentSpec[] } }).config.instruments[0]!);
    for (const d of [decisions[20]!, decisions[Math.floor(decisions.length / 2)]!, decisions.at(-5)!]) {
      const r = await whyRun({ runId, storeUri, ticksDir, at: isoFromUs(d.tsRecv), depth: 3 }, io);
      expect(r.parity.ok).toBe(true);
      expect(r.parity.compared).toBeGreaterThan(d.revision);
      // The last decision at or before T, from the log: the last one stamped <= T.
      const expected = log.filter((e) => e.type === 'decision' && e.tsRecv <= d.tsRecv).at(-1)!;
      expect(r.lastDecision!.id).toBe(expected.id);
      // What the strategy recorded as its inputs is the replayed kernel's last best bid/offer row at T (the
      // capture's bookTicker: the strategy reads those rows once they arrive) and its top.
      const inputs = (expected.data as unknown as { inputs: { bidTicks: number; askTicks: number } }).inputs;
      const book = r.books[0]!;
      expect(btc.tick.toUnits(book.bbo!.bid.price)).toBe(inputs.bidTicks);
      expect(btc.tick.toUnits(book.bbo!.ask.price)).toBe(inputs.askTicks);
      expect(book.topBidTicks).toBe(inputs.bidTicks);
      expect(book.topAskTicks).toBe(inputs.askTicks);
      // The depth book: three levels a side, sorted best first, not crossed.
      expect(book.bids.length).toBe(3);
      expect(Number(book.bids[0]!.price)).toBeGreaterThan(Number(book.bids[2]!.price));
      expect(Number(book.asks[0]!.price)).toBeLessThan(Number(book.asks[2]!.price));
      expect(Number(book.bids[0]!.price)).toBeLessThan(Number(book.asks[0]!.price));
      // Orders the decision placed have their recorded steps, the first being the request.
      for (const o of r.lastDecision!.orders) expect(o.steps[0]!.type).toBe('order.requested');
      // Open orders and positions: the kernel's at the snapshot = the log's first snapshotEvents events folded.
      const folded = fromLog(r.snapshotEvents);
      expect(r.openOrders.map((o) => o.clientOrderId).sort()).toEqual(folded.open);
      const quantities = new Map(r.positions.map((p) => [`${p.strategyId}|${p.instrument}`, p.quantity]));
      for (const [k, q] of folded.positions) expect(quantities.get(k) ?? '0').toBe(q);
      // Every event of the window is within it, and the snapshot's events all precede T or are stamped T.
      for (const e of r.timeline) expect(Math.abs(e.offsetUs)).toBeLessThanOrEqual(500_000);
      expect(log[r.snapshotEvents - 1]!.tsRecv).toBeLessThanOrEqual(d.tsRecv);
    }
  }, 120_000);

  it('before the first market row: nothing seen, flat, no decision', async () => {
    const first = log.find((e) => e.type === 'decision')!;
    const r = await whyRun({ runId, storeUri, ticksDir, at: isoFromUs(first.tsRecv - 60_000_000) }, io);
    expect(r.rowsSeen).toBe(0);
    expect(r.positions).toEqual([]);
    expect(r.openOrders).toEqual([]);
    expect(r.lastDecision).toBeNull();
    expect(r.nextDecision!.id).toBe(first.id);
    expect(r.books[0]!.bids).toEqual([]);
  }, 60_000);

  it('prints the snapshot through the CLI and refuses a malformed --at naming it', async () => {
    const d = log.filter((e) => e.type === 'decision')[50]!;
    const out: string[] = []; const err: string[] = [];
    const cio: CliIO = { ...io, out: (l) => out.push(l), err: (l) => err.push(l) };
    expect(await main(['why', runId, '--store', storeUri, '--ticks', ticksDir, '--at', isoFromUs(d.tsRecv)], cio)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(`last decision: ${d.id}`);
    expect(text).toMatch(/replay: \d+ events up to here identical to the recording/);
    expect(text).toContain('book binance-spot:BTCUSDT as the strategy saw it');
    expect(await main(['why', runId, '--store', storeUri, '--ticks', ticksDir, '--at', 'yesterday'], cio)).not.toBe(0);
    expect(err.join('\n')).toContain("--at 'yesterday'");
  }, 120_000);

  it('refuses an unknown run, naming it, and a live run, saying why', async () => {
    let e: unknown;
    try { await whyRun({ runId: 'rnosuch', storeUri, ticksDir, at: '1' }, io); } catch (x) { e = x; }
    expect(isHftError(e, 'HFT_ERR_NOT_FOUND')).toBe(true);
    expect((e as Error).message).toContain("run 'rnosuch' not found");
    const dir = join(work, 'live-store');
    const store = await FileEventStore.open(dir);
    try {
      await store.append('run-rlive1', [{
        id: 'rlive1-0', type: 'run.started', version: 1, tsEvent: 0, tsRecv: 0, runId: 'rlive1', correlationId: 'rlive1-0', causationId: 'rlive1-0',
        data: { mode: 'live', scenario: 's', configHash: 'h', seed: 1, codeVersion: 'c', datasets: [], config: {} },
      }], { expectedRevision: 'no_stream' });
    } finally { await store.close(); }
    e = undefined;
    try { await whyRun({ runId: 'rlive1', storeUri: `file:${dir}`, ticksDir, at: '1' }, io); } catch (x) { e = x; }
    expect(isHftError(e, 'HFT_ERR_USAGE')).toBe(true);
    expect((e as Error).message).toContain('venue answers are not recorded inputs');
  });

  it('reads a time of day on the run date, and asks for a full time when the run spans two days', () => {
    expect(parseAt('23:55:55.133', '2024-08-08', '2024-08-08')).toBe(usFromIso('2024-08-08T23:55:55.133Z'));
    expect(parseAt('1723161355133060', undefined, 'x')).toBe(1723161355133060);
    let e: unknown;
    try { parseAt('00:01:07.312', undefined, '2024-08-08 to 2024-08-09'); } catch (x) { e = x; }
    expect(isHftError(e, 'HFT_ERR_USAGE')).toBe(true);
    expect((e as Error).message).toContain('2024-08-08 to 2024-08-09');
    expect(() => parseAt('25:00:00', '2024-08-08', '2024-08-08')).toThrow(/not a time of day/);
  });
});

describe('hft why on a paper session (its sealed inputs, replayed as hft parity does)', () => {
  const startEmu = emulatorPerTest();
  it('shows the replayed state at a decision of the session: parity of the whole session, the decision, its top of book', async () => {
    const e = await startEmu(`${DATA}/spot/btcusdt_20240808.gz`);
    const cwd = mkdtempSync(join(tmpdir(), 'hft-why-paper-'));
    const pio: CliIO = { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false };
    const r = await runSession({
      mode: 'paper', scenarioPath: join(ROOT, 'scenarios/demo-mm-btcusdt.json'), storeUri: 'file:store', restUrl: e.url.rest, wsUrl: e.url.ws,
      stopWhen: new Promise((done) => setTimeout(() => done('test: duration'), 5000)),
    }, pio);
    const store = await FileEventStore.open(join(cwd, 'store'), { readOnly: true });
    const events = await collect(store.readStream(`run-${r.runId}`)).finally(() => store.close());
    // A decision on a best bid/offer row that is the last decision of its microsecond.
    const all = events.filter((x) => x.type === 'decision');
    const decisions = all.filter((x) => (x.data as { trigger: string }).trigger === 'bbo' && all.filter((y) => y.tsRecv === x.tsRecv).at(-1) === x);
    expect(decisions.length).toBeGreaterThan(3);
    const d = decisions[Math.floor(decisions.length / 2)]!;
    const w = await whyRun({ runId: r.runId, storeUri: 'file:store', ticksDir, at: String(d.tsRecv) }, pio);
    expect(w.parity.ok).toBe(true);
    expect(w.lastDecision!.id).toBe(d.id);
    // The top the session's strategy recorded is the replayed kernel's (its top and its last best bid/offer row).
    const inputs = (d.data as unknown as { inputs: { bidTicks: number; askTicks: number } }).inputs;
    expect(w.books[0]!.topBidTicks).toBe(inputs.bidTicks);
    expect(w.books[0]!.topAskTicks).toBe(inputs.askTicks);
    expect(Number(w.books[0]!.bbo!.bid.price) * 100).toBeCloseTo(inputs.bidTicks, 6);
    expect(w.rowsSeen).toBeGreaterThan(0);
    const folded = (() => {
      const open = new Set<string>();
      for (const x of events.slice(0, w.snapshotEvents)) {
        const data = x.data as Record<string, unknown>;
        if (x.type === 'order.requested') open.add(String(data.clientOrderId));
        else if (['order.denied', 'order.rejected', 'order.canceled', 'order.expired'].includes(x.type) || (x.type === 'order.filled' && data.leavesLots === 0)) open.delete(String(data.clientOrderId));
      }
      return [...open].sort();
    })();
    expect(w.openOrders.map((o) => o.clientOrderId).sort()).toEqual(folded);
  }, 60_000);
});
