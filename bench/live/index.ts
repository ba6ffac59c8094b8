/**
 * Tick-to-order latency against the local emulator (real Binance spot BTCUSDT capture, 10x speed):
 * the demo market maker running live through the whole path (ws message -> normalizer/book sync ->
 * kernel step -> strategy, risk, OMS -> execution adapter -> signed HTTP request out). Only orders
 * decided on a market message are counted (not timer or fill-driven ones).
 *
 * Stages, each from the moment the ws 'message' event starts (before any parsing):
 *   normalized the feed (JSON parse, book sync, normalizer) hands the message's events to the session
 *   decision   the kernel hands the order to the venue adapter (submit)
 *   adapter    the adapter lets the request go (after the request-weight bucket)
 *   wire       the signed POST /api/v3/order is handed to the socket layer: net.Socket.write called
 *              with the request bytes, final body included (patched here, independent of the
 *              adapter's own hooks)
 * Beside the wall-clock wire latency, per order: the time the main thread sat runnable but not
 * running (Linux /proc/thread-self/schedstat: other processes on the machine) and the process's CPU
 * time, both read when the message's handling returns (not in the write path: see `settle`), and the
 * GC pauses that fell inside message in -> wire (perf_hooks 'gc' entries); and the wire latency by
 * the kind of message that decided the order.
 * Peer: ccxt alone, createOrder call -> its fetch of the POST, on the same emulator. Orders the
 * request-weight bucket holds back (the demo quoter asks for more than Binance's 100 orders / 10 s) are
 * counted apart.
 *
 * The emulator runs as its own process (`hft emulator`, as the venue is another machine in
 * production) unless `--emulator inproc` (same process and event loop, the earlier set-up).
 *
 * Hot-path warming (`hft live --warm-every-ms`, default 1 ms, here `--warm MS`, 0 = off): a shadow
 * kernel requotes around the real top of book and the adapter signs its orders without sending them
 * (src/engine/live/HotPathWarmer.ts), so the rare real decision finds its code and data in the caches.
 * `--prime N`: warm steps run before the feed starts, around the venue's book from a REST depth
 * request (HotPathWarmer.prime; default `hft live`'s 20,000), and the feed's and session's message
 * path run on synthetic messages (BinanceMarketData.warm, LiveSession.warm); 0 = none of it (the
 * set-up before 2026-12-07).
 * `--speed N`: the emulator's replay speed (default 10). `--rebuild-every N`: the warmer's shadow
 * rebuild period in steps (default the warmer's own: never).
 * `--no-rehearse`: the adapter's submit path is not rehearsed before the feed (VenuePort.rehearseSubmit,
 * which `hft live` runs). `--no-ws-warm`: nor the ws client's receive path (warmWsReceive).
 * `--pin`: this process's main thread (the hot path) alone on CPU 1, the emulator and this process's
 * other threads (GC and compiler helpers, libuv's pool) on CPU 0 (`taskset`, Linux): the venue is
 * another machine in production, so here it is kept off the engine's core, as a desk gives the hot
 * thread a core of its own. Needs `--emulator child`.
 * `--rt N`: the main thread at real-time priority N (SCHED_FIFO, `chrt`, Linux, needs CAP_SYS_NICE): the
 * scheduler runs it as soon as its socket has data instead of after another runnable thread's slice.
 * `--record`: the session as `hft live` runs it: its log in a file event store (fsync per append) and
 * every market row recorded into a tick store sealed every 5 s (TickRecorder: Parquet files, fsynced,
 * hashed, manifest replaced), both under the OS temp folder; without it the log is in memory and
 * nothing is recorded (the earlier set-up, the kernel-to-wire path alone).
 *
 * Run: npx tsx bench/live/index.ts [seconds=20] [--emulator child|inproc] [--warm MS] [--speed N] [--prime N] [--record] [--rebuild-every N] [--no-rehearse] [--no-ws-warm] [--pin] [--rt N]
 *      (npx tsx --max-semi-space-size=64 bench/live/index.ts ... : the flags `hft` runs with, on the Node
 *      `npm install` brought; tsx passes node flags on)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as wsModule from 'ws';
import { createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { BinanceSpotMarketData } from '../../src/adapters/binance/BinanceSpotMarketData.ts';
import { warmWsReceive } from '../../src/adapters/feed/warmWsReceive.ts';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import { PRIME_STEPS, sessionInstruments } from '../../src/cli/commands/paper.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { HotPathWarmer, QUIET_BEFORE_FEED_MS, SETTLE_STEPS, type WarmTop } from '../../src/engine/live/HotPathWarmer.ts';
import { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { VenuePort } from '../../src/engine/live/VenuePort.ts';
import { TickRecorder } from '../../src/engine/live/TickRecorder.ts';
import { FileEventStore } from '../../src/eventstore/file/FileEventStore.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import type { ExecutionVenue } from '../../src/engine/ports.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/MemoryEventStore.ts';
import { instrument } from '../../src/model/instrument.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const emuFlag = args.indexOf('--emulator');
const emuMode = emuFlag >= 0 ? args[emuFlag + 1] : 'child';
if (emuMode !== 'child' && emuMode !== 'inproc') throw new Error(`bench/live: --emulator must be child or inproc, got '${emuMode}'`);
const speedFlag = args.indexOf('--speed');
const SPEED = speedFlag >= 0 ? Number(args[speedFlag + 1]) : 10;
if (!(SPEED > 0)) throw new Error(`bench/live: --speed must be a positive number, got '${args[speedFlag + 1]}'`);
const warmFlag = args.indexOf('--warm');
const WARM_MS = warmFlag >= 0 ? Number(args[warmFlag + 1]) : 1;
if (!(WARM_MS === 0 || WARM_MS >= 1)) throw new Error(`bench/live: --warm must be 0 (off) or a number of ms >= 1, got '${args[warmFlag + 1]}'`);
const RECORD = args.includes('--record');
const PIN = args.includes('--pin');
const NO_REHEARSE = args.includes('--no-rehearse');
const NO_WS_WARM = args.includes('--no-ws-warm');
const rtFlag = args.indexOf('--rt');
const RT = rtFlag >= 0 ? Number(args[rtFlag + 1]) : 0;
if (rtFlag >= 0 && !(Number.isInteger(RT) && RT >= 1 && RT <= 99)) throw new Error(`bench/live: --rt must be a priority from 1 to 99, got '${args[rtFlag + 1]}'`);
if (PIN && (emuMode !== 'child' || cpus().length < 2)) throw new Error('bench/live: --pin needs --emulator child and at least 2 CPUs');
const primeFlag = args.indexOf('--prime');
const PRIME = primeFlag >= 0 ? Number(args[primeFlag + 1]) : PRIME_STEPS;
if (!(Number.isSafeInteger(PRIME) && PRIME >= 0)) throw new Error(`bench/live: --prime must be a number of steps >= 0, got '${args[primeFlag + 1]}'`);
const rebuildFlag = args.indexOf('--rebuild-every');
const REBUILD_EVERY = rebuildFlag >= 0 ? Number(args[rebuildFlag + 1]) : undefined;
if (REBUILD_EVERY !== undefined && !(Number.isSafeInteger(REBUILD_EVERY) && REBUILD_EVERY > 0)) throw new Error(`bench/live: --rebuild-every must be a positive integer, got '${args[rebuildFlag + 1]}'`);
const positional = args.filter((a, i) => !a.startsWith('--') && ![emuFlag, speedFlag, warmFlag, rebuildFlag, rtFlag, primeFlag].some((f) => f >= 0 && i === f + 1));
const seconds = Number(positional[0] ?? 20);
if (!(seconds > 0)) throw new Error(`bench/live: seconds must be a positive number, got '${positional[0]}'`);
const CAPTURES = ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'];
const loadBefore = loadavg();

// ------------------------------------------------------------------------------------- emulator
let emuUrl: { rest: string; ws: string };
let closeEmu: () => Promise<void>;
if (emuMode === 'inproc') {
  const emu = await startEmulator({ captures: CAPTURES.map((f) => join(ROOT, f)), speed: SPEED, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, ROOT);
  emuUrl = emu.url; closeEmu = () => emu.close();
} else {
  const env = { ...process.env }; delete env.HFT_EMULATOR_API_KEY; delete env.HFT_EMULATOR_API_SECRET; // the demo pair
  const emuArgs = [process.execPath, join(ROOT, 'src/cli/hft.mjs'), 'emulator', '--speed', String(SPEED), ...CAPTURES.flatMap((f) => ['--capture', f])];
  const [cmd, ...rest] = PIN ? ['taskset', '-c', '0', ...emuArgs] : emuArgs;
  const child: ChildProcess = spawn(cmd!, rest, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  emuUrl = await new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /emulator: rest (\S+)\s+ws (\S+)/.exec(out);
      if (m) res({ rest: m[1]!, ws: m[2]! });
    });
    child.once('exit', (code) => rej(new Error(`bench/live: hft emulator exited (${code}) before printing its URLs: ${out}`)));
  });
  closeEmu = async () => { const gone = new Promise((r) => child.once('exit', r)); child.kill('SIGTERM'); await gone; };
  if (PIN) pinThreads();
}

/**
 * --pin: the main thread (the hot path) alone on CPU 1; every other thread of this process (V8's GC
 * and compiler helpers, libuv's pool) on CPU 0 with the emulator. Run again once the session has
 * started, for the threads created since (they inherit the main thread's CPU).
 */
function pinThreads(): void {
  for (const tid of readdirSync('/proc/self/task')) {
    const cpu = Number(tid) === process.pid ? '1' : '0';
    const r = spawnSync('taskset', ['-p', '-c', cpu, tid], { encoding: 'utf8' });
    // A thread can end between the listing and the call: only a live thread's failure is an error.
    if (r.status !== 0 && existsSync(`/proc/self/task/${tid}`)) throw new Error(`bench/live: taskset -p -c ${cpu} ${tid} failed (${r.status}): ${r.stderr}`);
  }
}

const { scenario } = loadScenario('scenarios/demo-mm-btcusdt.json', ROOT);
const specs = sessionInstruments(scenario, 'demo');
const clock = wallClockUs();
const client = createBinanceCcxt({ apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emuUrl.rest });

// ------------------------------------------------------------------------------------- probes
// Main-thread scheduler stats: field 2 = ns runnable but waiting for a CPU (Linux). (Field 1, on-CPU
// time, is only brought up to date at scheduler ticks: too coarse here; process.cpuUsage is exact.)
const schedFd = openSync('/proc/thread-self/schedstat', 'r');
const schedBuf = Buffer.alloc(128);
const sched = (): [number, number] => {
  const n = readSync(schedFd, schedBuf, 0, 128, 0);
  const s = schedBuf.toString('latin1', 0, n).split(' ');
  return [Number(s[0]) / 1000, Number(s[1]) / 1000];
};
const gcs: { start: number; end: number }[] = [];
const gcObs = new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration }); });
gcObs.observe({ entryTypes: ['gc'] });

let msgT = 0; let msgCpu = 0; let msgWait = 0; let inMessage = false; let waited = 0; let msgKind = ''; let normT = 0; let msgRows = 0;
interface Probe { t0: number; cpu0: number; wait0: number; kind: string; out: number; nth: number; rows: number; norm: number; dec: number; recv: number }
/** Socket data in -> the ws 'message' event of the message (frame parse; before the measured window). */
let msgRecv = 0;
let nthInMessage = 0;
/** The stream of the message that decided an order (combined-stream envelope: {"stream":"btcusdt@..."}). */
const kindOf = (raw: unknown): string => {
  const head = Buffer.isBuffer(raw) ? raw.toString('latin1', 0, 48) : String(raw).slice(0, 48);
  return head.includes('@depth') ? 'depth' : head.includes('@bookTicker') ? 'bookTicker' : head.includes('@trade') ? 'trade' : 'other';
};
const trigger = new Map<string, Probe>();
const normalized: number[] = []; const decision: number[] = []; const adapter: number[] = []; const wire: number[] = []; const wireKind: string[] = [];
const adapterToWire: number[] = []; const wireProbe: Probe[] = []; const wireNth: number[] = [];
const wireWait: number[] = []; const wireCpu: number[] = []; const windows: [number, number][] = [];
let measuring = true;

// The finish line: the request bytes of a POST /api/v3/order, final signed body included, go to a socket.
// Only the stamp and the client id are taken here: the per-order probes (a read of
// /proc/thread-self/schedstat, process.cpuUsage) cost ~20-30 µs and ran before the socket's own write,
// so a later order of the same message waited for the earlier one's probes. Inside a market message
// they run when the message's handling returns (`settle`), over message in -> handler return: a window
// that holds every order of the message, so runnable-wait and CPU are upper bounds for each order
// (GC pauses are still cut at the wire stamp).
const origWrite = net.Socket.prototype.write;
const written: { p: Probe; t: number }[] = [];
/** How long the socket write call of each order request took (the syscall on loopback included). */
const writeCall: number[] = [];
net.Socket.prototype.write = function (this: net.Socket, ...a: unknown[]) {
  const data = a[0];
  if (measuring && typeof data === 'string' && data.startsWith('POST /api/v3/order ')) {
    const t = performance.now();
    const k = data.indexOf('newClientOrderId=');
    const end = k < 0 ? -1 : data.indexOf('&', k);
    const id = k < 0 ? undefined : decodeURIComponent(data.slice(k + 17, end < 0 ? undefined : end));
    const p = id === undefined ? undefined : trigger.get(id);
    if (p) {
      trigger.delete(id!);
      written.push({ p, t });
      if (!inMessage) settle(); // written on a connect, after its message (none in a warm pool)
      const t1 = performance.now();
      const ok = (origWrite as (...x: unknown[]) => boolean).apply(this, a);
      writeCall.push(performance.now() - t1);
      return ok;
    }
  }
  return (origWrite as (...x: unknown[]) => boolean).apply(this, a);
} as typeof net.Socket.prototype.write;
/** The probes of the orders written since the last call, read now (see above). */
function settle(): void {
  if (written.length === 0) return;
  const [, wait] = sched();
  const c = process.cpuUsage();
  for (const { p, t } of written) {
    wireProbe.push(p);
    wire.push(t - p.t0); wireCpu.push((c.user + c.system - p.cpu0) / 1000); wireWait.push((wait - p.wait0) / 1000); windows.push([p.t0, t]); wireKind.push(p.kind);
    adapterToWire.push(t - p.out); wireNth.push(p.nth);
  }
  written.length = 0;
}

let session: LiveSession | undefined;
const exec = new BinanceExecution({
  client, restUrl: emuUrl.rest, wsUrl: emuUrl.ws, apiKey: EMULATOR_DEMO_KEY, instruments: specs.map((s) => instrument(s)), clockUs: clock,
  onReport: () => queueMicrotask(() => session?.poke()),
  onOrderOut: (cid, throttled) => { const p = trigger.get(cid); if (p === undefined) return; if (throttled) { waited++; trigger.delete(cid); return; } p.out = performance.now(); adapter.push(p.out - p.t0); },
});
const venue: ExecutionVenue = {
  onMarketRow: (b, r, i) => exec.onMarketRow(b, r, i), advanceTo: (t) => exec.advanceTo(t),
  submit: (o, t) => {
    if (inMessage) { const dec = performance.now() - msgT; trigger.set(o.clientOrderId, { t0: msgT, cpu0: msgCpu, wait0: msgWait, kind: msgKind, out: 0, nth: nthInMessage++, rows: msgRows, norm: normT - msgT, dec, recv: msgRecv }); decision.push(dec); normalized.push(normT - msgT); }
    exec.submit(o, t);
  },
  cancel: (id, t) => exec.cancel(id, t), modify: (id, p, s, t) => exec.modify(id, p, s, t),
  nextResponseUs: () => exec.nextResponseUs(), takeResponses: (t) => exec.takeResponses(t),
  rehearse: (via) => exec.rehearse(via),
};
// The order of `hft live` (paper.ts): the venue adapter started (markets, order connections, user
// stream), the run, the warmer primed around the venue's book (REST depth, BinanceExecution.fetchTops),
// then the session's kernel built (after the priming: see HotPathWarmer.prime) and started.
await exec.start();
const recordDir = RECORD ? mkdtempSync(join(tmpdir(), 'hft-bench-live-')) : undefined;
const store = recordDir ? await FileEventStore.open(join(recordDir, 'store'), { fsync: 'always' }) : new MemoryEventStore();
const recorder = recordDir ? new TickRecorder(openTickStore(join(recordDir, 'ticks')), specs) : undefined;
// Behind a VenuePort, as `hft live` hands its adapter to the kernel (the warmer's shadow holds its dry venue so).
const port = new VenuePort(venue);
const run = createLiveRun({ mode: 'live', scenario, scenarioPath: 'scenarios/demo-mm-btcusdt.json', instruments: specs, store, codeVersion: 'bench', startUs: clock(), venue: port });
const warmer = WARM_MS > 0 ? new HotPathWarmer({
  shadow: (v) => createLiveRun({ mode: 'live', scenario, scenarioPath: 'scenarios/demo-mm-btcusdt.json', instruments: specs, store: new MemoryEventStore(), codeVersion: 'bench', startUs: clock(), venue: v }).kernel,
  top: (idx) => session!.kernel.top(idx), warmOrder: (o) => exec.warmOrder(o), startUs: clock(),
  ...(REBUILD_EVERY !== undefined ? { rebuildEvery: REBUILD_EVERY } : {}),
}) : undefined;
let primed = { steps: 0, ms: 0 };
let tops: WarmTop[] = [];
if (warmer && PRIME > 0) {
  tops = await exec.fetchTops();
  const t0 = performance.now();
  primed = { steps: warmer.prime(PRIME, (idx) => tops[idx]!), ms: performance.now() - t0 };
}
session = new LiveSession({
  kernel: run.kernel, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: true, summarize: run.summarize,
  ...(recorder && recordDir ? { recorder, tickStoreRoot: join(recordDir, 'ticks') } : {}),
});
// Building the session's kernel invalidated code the priming had compiled: run it again (SETTLE_STEPS).
if (warmer && PRIME > 0) {
  const t0 = performance.now();
  const n = warmer.prime(SETTLE_STEPS, (idx) => tops[idx]!);
  primed = { steps: primed.steps + n, ms: primed.ms + performance.now() - t0 };
}
await session.start();
// The session's own warm ticker (LiveSession warmEveryMs) is not used here: the bench builds its
// session by hand; the same step on the same period.
const warmTimer = warmer ? setInterval(() => warmer.step(), WARM_MS) : undefined;
const md = new BinanceSpotMarketData({
  restUrl: emuUrl.rest, wsUrl: emuUrl.ws, instruments: specs, clockUs: clock,
  onEvents: (events) => {
    normT = performance.now(); msgRows = events.length; session!.onMarket(events);
  },
});
// The message start: patch the ws client's emit so the stamp is taken before any parsing (the
// scheduler stats are read first, so their cost is not inside the measured window).
const origEmit = WebSocket.prototype.emit;
// Before it, the socket's data: ws's client hands each chunk to its frame parser (Receiver.write,
// from the socket's 'data' handler); stamped per parser (ws internals, here only to measure).
const receiverProto = (wsModule as unknown as { Receiver: { prototype: { write: (...a: unknown[]) => boolean } } }).Receiver.prototype;
const origReceiverWrite = receiverProto.write;
const chunkIn = new WeakMap<object, number>();
receiverProto.write = function (this: object, ...a: unknown[]) { chunkIn.set(this, performance.now()); return origReceiverWrite.apply(this, a); };
WebSocket.prototype.emit = function (this: WebSocket, ev: string, ...a: unknown[]) {
  if (ev === 'message') {
    const tIn = performance.now();
    const chunk = chunkIn.get((this as unknown as { _receiver: object })._receiver);
    msgRecv = chunk === undefined ? Number.NaN : tIn - chunk;
    [, msgWait] = sched();
    const c = process.cpuUsage(); msgCpu = c.user + c.system; msgKind = kindOf(a[0]);
    msgT = performance.now(); inMessage = true; nthInMessage = 0;
    try { return origEmit.call(this, ev, ...a); } finally { inMessage = false; settle(); }
  }
  return origEmit.call(this, ev, ...a);
} as typeof WebSocket.prototype.emit;
// And, as `hft live` does, the feed's parse/normalize path and the session's copy into its step
// batch on synthetic bookTicker and trade messages, nothing stepped (BinanceMarketData.warm, LiveSession.warm).
if (warmer && PRIME > 0) session.warm(md.warm(undefined, tops));
if (PIN) pinThreads();
if (RT > 0) {
  // The main thread only (its tid is the pid); SCHED_RESET_ON_FORK: threads it creates later (libuv's pool) stay ordinary.
  const r = spawnSync('chrt', ['-R', '-f', '-p', String(RT), String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/live: chrt -R -f -p ${RT} ${process.pid} failed (${r.status}): ${r.stderr}`);
}
// As `hft live`: a GET ping on each idle order connection (warmConnections), then the warm-up's
// compile jobs finished before the feed starts (QUIET_BEFORE_FEED_MS).
if (warmer && PRIME > 0) await exec.warmConnections();
// As `hft live`: the adapter's submit path rehearsed through the kernel's port (and this bench's probe).
const rehearsals = warmer && PRIME > 0 && !NO_REHEARSE ? port.rehearseSubmit(clock()) : 0;
// As `hft live`: the ws client's receive path run on a loopback connection (warmWsReceive).
const wsWarmed = warmer && PRIME > 0 && !NO_WS_WARM ? await warmWsReceive() : 0;
if (warmer && PRIME > 0) await new Promise((r) => setTimeout(r, QUIET_BEFORE_FEED_MS));
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
md.start();
await new Promise((r) => setTimeout(r, seconds * 1000));
md.stop();
if (warmTimer) clearInterval(warmTimer);
const cpu = process.cpuUsage(cpu0);
const wallS = (performance.now() - wall0) / 1000;
measuring = false;
await session.stop({ reason: 'bench', cancelOpen: async () => { await exec.cancelAll(); } });
exec.stop();
if (store instanceof FileEventStore) await store.close();
if (recordDir) rmSync(recordDir, { recursive: true, force: true });
WebSocket.prototype.emit = origEmit;
receiverProto.write = origReceiverWrite;
const loadAfter = loadavg();

// Peer: ccxt's own createOrder -> fetch, same emulator, resting orders far from the touch.
const peer: number[] = [];
let peerT = 0;
const origFetch = client.fetch.bind(client);
client.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
  if (method === 'POST' && url.includes('/api/v3/order')) peer.push(performance.now() - peerT);
  return origFetch(url, method, headers as never, body as never);
};
const depth = (await (await fetch(`${emuUrl.rest}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json()) as { bids: [string, string][] };
const px = Math.floor(Number(depth.bids[0]![0]) - 500);
for (let i = 0; i < 200; i++) {
  peerT = performance.now();
  await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, px, { newClientOrderId: `peer${i}`, postOnly: true });
}
await client.cancelAllOrders('BTC/USDT');
await closeEmu();
net.Socket.prototype.write = origWrite;
gcObs.disconnect();
closeSync(schedFd);

// GC time inside each order's window (message in -> wire).
const gcIn = windows.map(([a, b]) => gcs.reduce((s, g) => s + Math.max(0, Math.min(b, g.end) - Math.max(a, g.start)), 0));
const q = (xs: number[], p: number): string => {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000).toFixed(0);
};
const row = (name: string, xs: number[]): string => `| ${name.padEnd(50)} | ${String(xs.length).padStart(6)} | ${q(xs, 0.5).padStart(7)} | ${q(xs, 0.99).padStart(7)} | ${q(xs, 0.999).padStart(7)} | ${q(xs, 1).padStart(7)} |`;
const la = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
console.log(`tick-to-order against the emulator (${emuMode === 'child' ? 'its own process' : 'in this process'}; ${seconds} s of the real BTCUSDT capture at ${SPEED}x; ${session.kernel.counters.marketRows} market rows, ${session.kernel.counters.ordersRequested} orders)`);
console.log(`cpu ${cpus()[0]!.model} x${cpus().length}, node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--') && !a.includes('tsx')).join(' ')}; load average ${la(loadBefore)} before, ${la(loadAfter)} after`);
if (RT > 0) console.log(`real-time priority (--rt): the main thread SCHED_FIFO ${RT}`);
if (PIN) console.log('pinned (--pin): the main thread on CPU 1; the emulator and this process\'s other threads on CPU 0');
console.log(RECORD ? `recording as hft live: file event log (fsync per append), ${recorder!.rows} market rows sealed into Parquet every 5 s (--record)` : 'not recording: log in memory, no tick recording (--record records as hft live does)');
if (!warmer) console.log('hot-path warmer: off (--warm 0)');
else console.log(`hot-path warmer: primed with ${primed.steps} steps in ${primed.ms.toFixed(0)} ms before the feed (--prime), then every ${WARM_MS} ms, ${warmer.stats.steps - primed.steps} steps (${warmer.stats.skipped} skipped), ${warmer.stats.orders} dry orders signed, ${warmer.stats.rebuilds} shadow kernels; the adapter's submit rehearsed ${rehearsals} times${NO_REHEARSE ? ' (--no-rehearse)' : ''}; ${wsWarmed} ws messages received on a loopback warm-up${NO_WS_WARM ? ' (--no-ws-warm)' : ''}`);
console.log(`this process during the session: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in ${wallS.toFixed(1)} s (${((cpu.user + cpu.system) / 1e4 / wallS).toFixed(0)}% of one core); ${gcs.length} GC pauses`);
console.log('| stage (from ws message in)                         | orders | p50 µs  | p99 µs  | p999 µs | max µs  |');
console.log('|----------------------------------------------------|--------|---------|---------|---------|---------|');
console.log(row('before the window: socket data -> ws message event', wireProbe.map((p) => p.recv).filter(Number.isFinite)));
console.log(row('normalized: feed hands the events to the session', normalized));
console.log(row('decision: kernel hands order to the adapter', decision));
console.log(row('adapter: request leaves the adapter', adapter));
console.log(row('wire: POST /api/v3/order bytes handed to the socket', wire));
console.log(row('  of which: main thread runnable, not running', wireWait));
console.log(row('  of which: GC pause', gcIn));
console.log(row('  process CPU (all threads) in the window', wireCpu));
console.log(row('wire minus runnable-wait and GC (this process\'s own time)', wire.map((w, i) => w - Math.min(w, wireWait[i]! + gcIn[i]!))));
console.log(row('wire from the socket data (first row + wire)', wire.map((w, i) => w + wireProbe[i]!.recv).filter(Number.isFinite)));
console.log(row('adapter -> wire of the same order (sign + write)', adapterToWire));
console.log(row('socket write call (after wire; later orders wait)', writeCall));
const own = wire.map((w, i) => w - Math.min(w, wireWait[i]! + gcIn[i]!));
console.log(row('own time, first order the message decided', own.filter((_, i) => wireNth[i] === 0)));
console.log(row('own time, later orders of the same message', own.filter((_, i) => wireNth[i]! > 0)));
console.log(row('wire, first order of its message (tick-to-first-order)', wire.filter((_, i) => wireNth[i] === 0)));
console.log(row('wire, later orders of the same message', wire.filter((_, i) => wireNth[i]! > 0)));
console.log(row('decision, first order of its message', wireProbe.filter((p) => p.nth === 0).map((p) => p.dec)));
console.log(row('decision, later orders of the same message', wireProbe.filter((p) => p.nth > 0).map((p) => p.dec)));
for (const k of ['bookTicker', 'depth', 'trade', 'other']) {
  const xs = wire.filter((_, i) => wireKind[i] === k);
  if (xs.length > 0) console.log(row(`wire, orders decided on a ${k} message`, xs));
}
console.log(row('peer: ccxt alone, createOrder -> fetch', peer));
// The slowest orders one by one: what their window held (message size, nth order of the message, where the time went).
const slow = wire.map((w, i) => i).sort((a, b) => wire[b]! - wire[a]!).slice(0, Math.max(3, Math.ceil(wire.length * 0.02)));
console.log(`slowest ${slow.length} orders (µs): wire = normalized + to decision + decision to wire; message kind/rows; nth order of its message; runnable-wait; GC; CPU`);
for (const i of slow) {
  const p = wireProbe[i]!;
  console.log(`  wire ${(wire[i]! * 1000).toFixed(0).padStart(6)} = ${(p.norm * 1000).toFixed(0)} + ${((p.dec - p.norm) * 1000).toFixed(0)} + ${((wire[i]! - p.dec) * 1000).toFixed(0)}; ${p.kind}/${p.rows} rows; nth ${p.nth}; wait ${(wireWait[i]! * 1000).toFixed(0)}; gc ${(gcIn[i]! * 1000).toFixed(0)}; cpu ${(wireCpu[i]! * 1000).toFixed(0)}`);
}
// The session's first market message meets code and objects V8 has not seen from the real run yet
// (HotPathWarmer.prime): its orders, apart (they are in every row above).
if (wireProbe.length > 0) {
  const t0 = Math.min(...wireProbe.map((p) => p.t0));
  const us = (x: number): string => (x * 1000).toFixed(0);
  const first = wire.flatMap((w, i) => {
    const p = wireProbe[i]!;
    return p.t0 === t0 ? [`${us(w)} (nth ${p.nth}: ${us(p.norm)} + ${us(p.dec - p.norm)} + ${us(w - p.dec)})`] : [];
  });
  const recvFirst = wireProbe.find((p) => p.t0 === t0)!.recv;
  const rank = (w: number): number => wire.filter((x) => x > w).length + 1;
  const worst = Math.max(...wire.filter((_, i) => wireProbe[i]!.t0 === t0));
  console.log(`the session's first message that decided orders (${((t0 - wall0) / 1000).toFixed(2)} s in): wire ${first.join(', ')} µs (normalized + to decision + decision to wire), after ${us(recvFirst)} µs from its socket data to the ws message event; its slowest order ranks ${rank(worst)} of ${wire.length}`);
}
if ('entry' in exec) { const st = (exec as unknown as { entry: { pool: { stats: Record<string, number> } } }).entry.pool.stats; console.log(`order connections: ${st.immediate} requests written at once, ${st.waitedForConnect} waited for a connection to open (${st.connects} connects, warm-up included)`); }
console.log(`${waited} message-decided orders waited for Binance's ORDERS limit (100 per 10 s) in the token bucket and are left out of the adapter/wire rows.`);
