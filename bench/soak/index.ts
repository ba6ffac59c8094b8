/**
 * Soak (issue #8): does a live session's memory stay flat? A professional engine runs for days, so a
 * structure that grows with every market row or order would end a session that a 20 s bench never sees.
 *
 * What runs: `hft live`'s own session (runSession in src/cli/commands/paper.ts, mode live: the demo market
 * maker of scenarios/demo-mm-btcusdt.json, the Binance spot feed and order entry, the hot-path warmer, the
 * run log in a file event store and every market row recorded into a tick store sealed every 5 s) against
 * the local Binance emulator in its own process (as bench/live and production: the venue is another
 * machine) replaying the real spot BTCUSDT capture at `--speed`, looped end to end for as long as the soak
 * runs (bench/soak/loopedCapture.ts: ids shifted per lap so the stream stays one chained session).
 *
 * What it measures, every `--every` seconds, in this process (the session alone; the emulator's memory is
 * not counted): RSS, and V8 heapUsed / external right after a full GC (`global.gc`, needs --expose-gc: the
 * live heap, not the garbage not yet collected). Printed: a table of samples; the slope of heapUsed and
 * RSS over the second half (least squares, after the warm-up) in MB per million market rows and in MB per
 * hour of replayed market time (messages handled at the capture's own pace) and per 1000 orders sent
 * (the adapter's onOrderOut; at a high speed the order rate per replayed hour is held down by Binance's
 * 100 orders / 10 s of wall time, so per order is the unit that carries over to a real-time session); the orders and fills the session made; and whether it
 * kept up (messages the emulator replayed minus messages the session handled, per sample: a lag that grows
 * means the speed is too high and the backlog, not the session, is being measured).
 * `--snapshots`: V8 heap snapshots at the start of the second half and at the end (session still running),
 * written to the OS temp folder (compare them in Chrome DevTools, or with `--diff`: the constructors whose
 * count and size grew most). Writing one stops the session for seconds (it falls behind, RSS jumps): take
 * the memory numbers from a run without it.
 *
 * Run: npx tsx --expose-gc bench/soak/index.ts [seconds=60] [--speed N=20] [--every S] [--snapshots] [--diff]
 *      (tsx passes node flags on; a bare `node` is the machine's Node 20, npx tsx the pinned Node 24)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET } from '../../src/cli/commands/emulator.ts';
import { runSession } from '../../src/cli/commands/paper.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CAPTURE_S = 650; // the shipped capture: 2024-08-08T23:54:14Z -> 2024-08-09T00:05:04Z
/** Market time the session has been through: the messages it handled, at the capture's own pace (not wall x speed, which counts a replay that falls behind). */
const replayedH = (msgs: number): number => msgs / msgsPerLap * CAPTURE_S / 3600;
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const valued = ['--speed', '--every'];
const positional = args.filter((a, i) => !a.startsWith('--') && !valued.includes(args[i - 1] ?? ''));
const seconds = Number(positional[0] ?? 60);
if (!(seconds > 0)) throw new Error(`bench/soak: seconds must be a positive number, got '${positional[0]}'`);
const SPEED = Number(flag('--speed') ?? 20);
if (!(SPEED > 0)) throw new Error(`bench/soak: --speed must be a positive number, got '${flag('--speed')}'`);
const EVERY_S = Number(flag('--every') ?? Math.max(1, seconds / 30));
if (!(EVERY_S > 0)) throw new Error(`bench/soak: --every must be a positive number of seconds, got '${flag('--every')}'`);
const SNAPSHOTS = args.includes('--snapshots') || args.includes('--diff');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) process.stderr.write('bench/soak: no global.gc (run with npx tsx --expose-gc ...): heapUsed is read without a full GC first, garbage included\n');

// ------------------------------------------------------------------------------------- emulator
const laps = Math.ceil((seconds + 30) * SPEED / CAPTURE_S) + 1;
const env = { ...process.env }; delete env.HFT_EMULATOR_API_KEY; delete env.HFT_EMULATOR_API_SECRET;
const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/soak/emulator.ts'), String(SPEED), String(laps)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
let replayed = 0;
let msgsPerLap = 0;
const emuUrl = await new Promise<{ rest: string; ws: string }>((res, rej) => {
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
      const m = /emulator: rest (\S+)\s+ws (\S+)\s+\((\d+) messages/.exec(line);
      if (m) { msgsPerLap = Number(m[3]) / laps; res({ rest: m[1]!, ws: m[2]! }); }
      const r = /^replayed (\d+)/.exec(line);
      if (r) replayed = Number(r[1]);
    }
  });
  child.once('exit', (code) => rej(new Error(`bench/soak: the emulator exited (${code}) before printing its URLs`)));
});

// ------------------------------------------------------------------------------------- session
const work = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'hft-soak-'));
interface Sample { wallS: number; msgs: number; orders: number; lag: number; rssMB: number; heapMB: number; extMB: number; gcMs: number }
const samples: Sample[] = [];
let msgs = 0;
let ordersOut = 0;
let wall0 = 0;
const snapshots: string[] = [];
const MB = 1024 * 1024;
const sample = (): void => {
  const t = performance.now();
  gc?.();
  const gcMs = performance.now() - t;
  const m = process.memoryUsage();
  samples.push({ wallS: (t - wall0) / 1000, msgs, orders: ordersOut, lag: replayed - msgs, rssMB: m.rss / MB, heapMB: m.heapUsed / MB, extMB: (m.external + m.arrayBuffers) / MB, gcMs });
};
let timer: NodeJS.Timeout | undefined;
let halfTimer: NodeJS.Timeout | undefined;
// The last sample is taken while the session still runs (after the stop, the feed is closed).
// `seconds` of running session, counted from its start (after the warmer's priming).
let startStop = (): void => {};
const stopWhen = new Promise<string>((res) => { startStop = () => setTimeout(() => { clearInterval(timer); clearTimeout(halfTimer);
  if ((performance.now() - wall0) / 1000 - samples[samples.length - 1]!.wallS > EVERY_S / 4) sample(); // unless the interval just took one
  // The end snapshot while the session still holds everything it holds when running (after the stop it has let go).
  if (SNAPSHOTS) { gc?.(); snapshots.push(writeHeapSnapshot(join(work, 'end.heapsnapshot'))); }
  res(`soak ${seconds}s`); }, seconds * 1000); });
const errors: string[] = [];
const result = await runSession({
  mode: 'live', scenarioPath: join(ROOT, 'scenarios/demo-mm-btcusdt.json'), storeUri: `file:${join(work, 'store')}`,
  restUrl: emuUrl.rest, wsUrl: emuUrl.ws, credentials: { apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET },
  stopWhen, probe: { onMessage: () => { msgs++; }, onOrderOut: () => { ordersOut++; } },
  onStarted: () => {
    wall0 = performance.now();
    startStop();
    sample();
    timer = setInterval(sample, EVERY_S * 1000);
    if (SNAPSHOTS) halfTimer = setTimeout(() => { gc?.(); snapshots.push(writeHeapSnapshot(join(work, 'half.heapsnapshot'))); }, seconds * 500);
  },
}, { out: (l) => console.log(l), err: (l) => { errors.push(l); process.stderr.write(`${l}\n`); }, env: {}, cwd: work, isTTY: false });
{ const gone = new Promise((r) => child.once('exit', r)); child.kill('SIGTERM'); await gone; }

// ------------------------------------------------------------------------------------- report
const rowsPerMsg = result.marketRows / Math.max(1, result.feed.messages);
const s = result.summary;
const fit = (xs: number[], ys: number[]): number => {
  const n = xs.length; const mx = xs.reduce((a, b) => a + b, 0) / n; const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0; let sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; }
  return sxx === 0 ? NaN : sxy / sxx;
};
console.log(`soak: hft live session (demo market maker, file store + tick recording, warmer on) against the emulator in its own process, real spot BTCUSDT capture looped at ${SPEED}x for ${seconds} s`);
console.log(`cpu ${cpus()[0]!.model} x${cpus().length}, node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--') && !a.includes('tsx')).join(' ')}; samples every ${EVERY_S} s${gc ? ', each after a full GC (global.gc)' : ', NO forced GC (heap includes garbage)'}`);
console.log(`session: ${result.marketRows.toLocaleString('en-US')} market rows in ${result.feed.messages.toLocaleString('en-US')} messages (${rowsPerMsg.toFixed(2)} rows/message), ${replayedH(result.feed.messages).toFixed(2)} h of replayed market time; `
  + `${String(s.decisions)} decisions, ${String(s.ordersRequested)} orders requested (${String(s.ordersDenied)} denied, ${String(s.rejects)} rejected), ${String(s.cancels)} cancels, ${String(s.fills)} fills; ${result.runEvents.toLocaleString('en-US')} run events; feed gaps ${JSON.stringify(result.feed.gaps)}`);
if (result.venueStats) console.log(`venue adapter: ${JSON.stringify(result.venueStats)}`);
console.log('| wall s | replayed h | market rows | orders | lag msgs | RSS MB | heapUsed MB | external+AB MB | gc ms |');
console.log('|--------|------------|-------------|--------|----------|--------|-------------|----------------|-------|');
for (const x of samples) {
  console.log(`| ${x.wallS.toFixed(1).padStart(6)} | ${replayedH(x.msgs).toFixed(3).padStart(10)} | ${Math.round(x.msgs * rowsPerMsg).toLocaleString('en-US').padStart(11)} | ${String(x.orders).padStart(6)} | ${String(x.lag).padStart(8)} | ${x.rssMB.toFixed(1).padStart(6)} | ${x.heapMB.toFixed(2).padStart(11)} | ${x.extMB.toFixed(2).padStart(14)} | ${x.gcMs.toFixed(0).padStart(5)} |`);
}
const second = samples.filter((x) => x.wallS >= seconds / 2);
if (second.length >= 3) {
  const rowsM = second.map((x) => x.msgs * rowsPerMsg / 1e6); const hours = second.map((x) => replayedH(x.msgs)); const kOrders = second.map((x) => x.orders / 1000);
  const line = (name: string, ys: number[]): string => `| ${name.padEnd(14)} | ${fit(rowsM, ys).toFixed(3).padStart(17)} | ${fit(hours, ys).toFixed(2).padStart(19)} | ${fit(kOrders, ys).toFixed(2).padStart(18)} | ${(ys[ys.length - 1]! - ys[0]!).toFixed(2).padStart(14)} |`;
  console.log(`slope over the second half (${second.length} samples from ${second[0]!.wallS.toFixed(0)} s, least squares):`);
  console.log('| memory         | MB per 1M rows    | MB per replayed h   | MB per 1000 orders | MB in the half |');
  console.log('|----------------|-------------------|---------------------|--------------------|----------------|');
  console.log(line('heapUsed', second.map((x) => x.heapMB)));
  console.log(line('external+AB', second.map((x) => x.extMB)));
  console.log(line('RSS', second.map((x) => x.rssMB)));
  const lags = second.map((x) => x.lag);
  // The emulator replays from its start, before the session has connected and primed its warmer: the
  // lag at the first sample is that head start; only a lag that grows past it is a backlog.
  const lag0 = samples[0]!.lag; const rate = (samples[samples.length - 1]!.msgs - samples[0]!.msgs) / (samples[samples.length - 1]!.wallS - samples[0]!.wallS);
  const worst = Math.max(...lags) - lag0;
  console.log(`kept up? messages the emulator replayed minus those the session handled: ${lag0} at the first sample (the replay's head start), ${Math.min(...lags)}..${Math.max(...lags)} over the second half `
    + `(the emulator reports every 100 ms: ~${Math.round(rate / 10)} messages of jitter); worst backlog ${worst} messages = ${(worst / rate).toFixed(2)} s of feed at ${Math.round(rate)} messages/s: ${worst / rate < 1 ? 'kept up' : 'FELL BEHIND: lower --speed'}`);
} else console.log('too few samples in the second half for a slope: run longer or sample more often (--every)');
if (errors.length > 0) console.log(`session log lines: ${errors.length} (printed above on stderr)`);
if (snapshots.length > 0) {
  console.log(`heap snapshots: ${snapshots.join(', ')}`);
  if (args.includes('--diff')) diffSnapshots(snapshots[0]!, snapshots[1]!);
} else rmSync(work, { recursive: true, force: true });

/** Per constructor name: objects and self size in the end snapshot minus the half one (the top growers). */
function diffSnapshots(a: string, b: string): void {
  const count = (file: string): Map<string, { n: number; size: number }> => {
    const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
    const f = snap.snapshot.meta.node_fields; const w = f.length;
    const iType = f.indexOf('type'); const iName = f.indexOf('name'); const iSize = f.indexOf('self_size');
    const types = snap.snapshot.meta.node_types[0];
    const out = new Map<string, { n: number; size: number }>();
    for (let i = 0; i < snap.nodes.length; i += w) {
      const type = types[snap.nodes[i + iType]!]!;
      const key = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]!]}` : `(${type})`;
      const e = out.get(key) ?? { n: 0, size: 0 };
      e.n++; e.size += snap.nodes[i + iSize]!;
      out.set(key, e);
    }
    return out;
  };
  const before = count(a); const after = count(b);
  const rows = [...after].map(([k, v]) => { const o = before.get(k) ?? { n: 0, size: 0 }; return { k, dn: v.n - o.n, ds: v.size - o.size, n: v.n }; })
    .sort((x, y) => y.ds - x.ds).slice(0, 15);
  console.log('heap growth, second half (end snapshot minus half snapshot), by constructor:');
  console.log('| constructor                                   | objects +  | bytes +     | objects at end |');
  for (const r of rows) console.log(`| ${r.k.slice(0, 45).padEnd(45)} | ${String(r.dn).padStart(10)} | ${String(r.ds).padStart(11)} | ${String(r.n).padStart(14)} |`);
}
