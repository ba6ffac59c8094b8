/**
 * The shipped Binance spot capture (~10.8 min) replayed end to end again and again for as long as a
 * soak runs, without holding the copies in memory: messages are made on demand (a Proxy over the
 * loaded capture) with their update ids, trade ids and capture times shifted per lap, so the stream
 * stays one chained session (U == previous u + 1) for the emulator's own book and for the client's
 * book sync. Between laps one synthetic diff takes the book from the capture's end state back to its
 * REST snapshot (levels the end book has and the snapshot has not are deleted, the snapshot's are set),
 * the state the capture's first diff was recorded against.
 */
import type { CaptureMessage, CaptureSession } from '../../src/cli/emulator/binanceCapture.ts';

type Level = [string, string];

export function loopedCapture(c: CaptureSession, laps: number): CaptureSession {
  if (c.venue !== 'binance-spot') throw new Error(`bench/soak: the looped replay chains spot diffs (U == previous u + 1), the capture is ${c.venue}`);
  const msgs = c.messages;
  const diffs = msgs.filter((m) => m.data.e === 'depthUpdate');
  const trades = msgs.filter((m) => m.data.e === 'trade');
  const U0 = diffs[0]!.data.U as number;
  const uEnd = diffs[diffs.length - 1]!.data.u as number;
  // Lap r's ids: the original + r * idShift; the reset diff between laps takes the one id in between.
  const idShift = uEnd + 2 - U0;
  const t0 = trades[0]?.data.t as number ?? 0;
  const tradeShift = trades.length === 0 ? 0 : (trades[trades.length - 1]!.data.t as number) - t0 + 1;
  const spanUs = msgs[msgs.length - 1]!.tsCapUs - msgs[0]!.tsCapUs + 100_000; // a 100 ms pause between laps
  // The book at the end of a lap, as the emulator builds it: the snapshot, then every diff in full.
  const bids = new Map(c.snapshot.bids); const asks = new Map(c.snapshot.asks);
  for (const d of diffs) {
    for (const [p, q] of d.data.b as Level[]) { if (Number(q) === 0) bids.delete(p); else bids.set(p, q); }
    for (const [p, q] of d.data.a as Level[]) { if (Number(q) === 0) asks.delete(p); else asks.set(p, q); }
  }
  const back = (end: Map<string, string>, snap: Level[]): Level[] => {
    const keep = new Set(snap.map(([p]) => p));
    return [...[...end.keys()].filter((p) => !keep.has(p)).map((p): Level => [p, '0']), ...snap];
  };
  const resetB = back(bids, c.snapshot.bids); const resetA = back(asks, c.snapshot.asks);
  const symbol = String(diffs[0]!.data.s);
  const stream = diffs[0]!.stream;
  const perLap = msgs.length + 1; // lap r > 0 starts with its reset diff
  const n = msgs.length + (laps - 1) * perLap;

  const make = (i: number): CaptureMessage | undefined => {
    if (!(i >= 0 && i < n)) return undefined;
    const lap = i < msgs.length ? 0 : 1 + Math.floor((i - msgs.length) / perLap);
    const k = lap === 0 ? i : (i - msgs.length) % perLap - 1;
    if (k < 0) {
      const id = U0 + lap * idShift - 1;
      const data = { e: 'depthUpdate', E: 0, s: symbol, U: id, u: id, b: resetB, a: resetA };
      return { tsCapUs: msgs[0]!.tsCapUs + lap * spanUs - 50_000, stream, dataJson: JSON.stringify(data), data };
    }
    const m = msgs[k]!;
    if (lap === 0) return m;
    const ids = lap * idShift; const tids = lap * tradeShift;
    const data: Record<string, unknown> = { ...m.data };
    if (typeof data.U === 'number') data.U = data.U + ids;
    if (typeof data.u === 'number') data.u = data.u + ids;
    if (data.e === 'trade' && typeof data.t === 'number') data.t = data.t + tids;
    const dataJson = m.dataJson
      .replace(/"([Uu])":(\d+)/g, (_a, key: string, v: string) => `"${key}":${Number(v) + ids}`)
      .replace(/"t":(\d+)/, (a, v: string) => (data.e === 'trade' ? `"t":${Number(v) + tids}` : a));
    return { tsCapUs: m.tsCapUs + lap * spanUs, stream: m.stream, dataJson, data };
  };
  // The replay reads each index two or three times in a row: the last one made is kept.
  let lastI = -1; let last: CaptureMessage | undefined;
  const messages = new Proxy([] as CaptureMessage[], {
    get(target, prop) {
      if (prop === 'length') return n;
      if (typeof prop === 'string' && /^\d+$/.test(prop)) {
        const i = Number(prop);
        if (i !== lastI) { lastI = i; last = make(i); }
        return last;
      }
      return Reflect.get(target, prop);
    },
  });
  return { ...c, messages };
}
