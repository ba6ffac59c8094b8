/**
 * Tick-to-order latency against the local emulator (real Binance spot BTCUSDT capture, 10x speed):
 * the demo market maker running live through the whole path (ws message -> normalizer/book sync ->
 * kernel step -> strategy, risk, OMS -> execution adapter -> ccxt -> HTTP request out). Only orders
 * decided on a market message are counted (not timer or fill-driven ones).
 *
 * Stages, each from the moment the ws 'message' callback starts:
 *   decision   the kernel hands the order to the venue adapter (submit)
 *   adapter    our adapter calls ccxt.createOrder (after the request-weight bucket)
 *   wire       ccxt calls fetch for POST /api/v3/order (signing and request building done)
 * Peer: ccxt alone, createOrder call -> fetch, on the same emulator. Orders the request-weight bucket
 * holds back (the demo quoter asks for more than Binance's 100 orders / 10 s) are counted apart.
 *
 * Run: npx tsx bench/live/index.ts [seconds=20]
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { BinanceSpotMarketData } from '../../src/adapters/binance/BinanceSpotMarketData.ts';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { sessionInstruments } from '../../src/cli/commands/paper.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import type { ExecutionVenue } from '../../src/engine/ports.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { instrument } from '../../src/model/instrument.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const seconds = Number(process.argv[2] ?? 20);
const emu = await startEmulator({
  captures: ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'].map((f) => join(ROOT, f)),
  speed: 10, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET,
}, ROOT);

const { scenario } = loadScenario('scenarios/demo-mm-btcusdt.json', ROOT);
const specs = sessionInstruments(scenario, 'demo');
const clock = wallClockUs();
const client = createBinanceCcxt({ apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest });

// Probes: the message start time; which orders a message decided; when each stage saw them.
let msgT = 0; let inMessage = false; let waited = 0;
const trigger = new Map<string, number>();
const decision: number[] = []; const adapter: number[] = []; const wire: number[] = [];
const origFetch = client.fetch.bind(client);
let wireCid: string | undefined;
client.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
  if (method === 'POST' && url.includes('/api/v3/order') && wireCid !== undefined) {
    const t0 = trigger.get(wireCid);
    if (t0 !== undefined) wire.push(performance.now() - t0);
    wireCid = undefined;
  }
  return origFetch(url, method, headers as never, body as never);
};

let session: LiveSession | undefined;
const exec = new BinanceExecution({
  client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: specs.map((s) => instrument(s)), clockUs: clock,
  onReport: () => queueMicrotask(() => session?.poke()),
  onOrderOut: (cid, throttled) => { const t0 = trigger.get(cid); if (t0 === undefined) return; if (throttled) { waited++; trigger.delete(cid); return; } adapter.push(performance.now() - t0); wireCid = cid; },
});
const venue: ExecutionVenue = {
  onMarketRow: (b, r, i) => exec.onMarketRow(b, r, i), advanceTo: (t) => exec.advanceTo(t),
  submit: (o, t) => { if (inMessage) { trigger.set(o.clientOrderId, msgT); decision.push(performance.now() - msgT); } exec.submit(o, t); },
  cancel: (id, t) => exec.cancel(id, t), modify: (id, p, s, t) => exec.modify(id, p, s, t),
  nextResponseUs: () => exec.nextResponseUs(), takeResponses: (t) => exec.takeResponses(t),
};
const store = new MemoryEventStore();
const run = createLiveRun({ mode: 'live', scenario, scenarioPath: 'scenarios/demo-mm-btcusdt.json', instruments: specs, store, codeVersion: 'bench', startUs: clock(), venue });
session = new LiveSession({ kernel: run.kernel, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: true, summarize: run.summarize });
await session.start();
await exec.start();
const md = new BinanceSpotMarketData({
  restUrl: emu.url.rest, wsUrl: emu.url.ws, instruments: specs, clockUs: clock,
  onEvents: (events) => { session!.onMarket(events); },
});
// The message start: patch the ws client's emit so the stamp is taken before any parsing.
const origEmit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function (this: WebSocket, ev: string, ...args: unknown[]) {
  if (ev === 'message') { msgT = performance.now(); inMessage = true; try { return origEmit.call(this, ev, ...args); } finally { inMessage = false; } }
  return origEmit.call(this, ev, ...args);
} as typeof WebSocket.prototype.emit;
md.start();
await new Promise((r) => setTimeout(r, seconds * 1000));
md.stop();
await session.stop({ reason: 'bench', cancelOpen: async () => { await exec.cancelAll(); } });
exec.stop();
WebSocket.prototype.emit = origEmit;

// Peer: ccxt's own createOrder -> fetch, same emulator, resting orders far from the touch.
const peer: number[] = [];
let peerT = 0;
client.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
  if (method === 'POST' && url.includes('/api/v3/order')) peer.push(performance.now() - peerT);
  return origFetch(url, method, headers as never, body as never);
};
const depth = (await (await fetch(`${emu.url.rest}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json()) as { bids: [string, string][] };
const px = Math.floor(Number(depth.bids[0]![0]) - 500);
for (let i = 0; i < 200; i++) {
  peerT = performance.now();
  await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, px, { newClientOrderId: `peer${i}`, postOnly: true });
}
await client.cancelAllOrders('BTC/USDT');
await emu.close();

const q = (xs: number[], p: number): string => {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000).toFixed(0);
};
const row = (name: string, xs: number[]): string => `| ${name.padEnd(44)} | ${String(xs.length).padStart(6)} | ${q(xs, 0.5).padStart(8)} | ${q(xs, 0.99).padStart(8)} | ${q(xs, 1).padStart(8)} |`;
console.log(`tick-to-order against the emulator (${seconds} s of the real BTCUSDT capture at 10x; ${session.kernel.counters.marketRows} market rows, ${session.kernel.counters.ordersRequested} orders)`);
console.log('| stage (from ws message in)                   | orders |  p50 µs  |  p99 µs  |  max µs  |');
console.log('|----------------------------------------------|--------|----------|----------|----------|');
console.log(row('decision: kernel hands order to the adapter', decision));
console.log(row('adapter: ccxt.createOrder called', adapter));
console.log(row('wire: ccxt fetch POST /api/v3/order (ours)', wire));
console.log(row('peer: ccxt alone, createOrder -> fetch', peer));
console.log(`${waited} message-decided orders waited for Binance's ORDERS limit (100 per 10 s) in the token bucket and are left out of the adapter/wire rows.`);
