/**
 * Test helper: a paper session on any venue's live feed, composed exactly as `hft paper`'s runSession
 * does it for Binance spot (createLiveRun + LiveSession + TickRecorder into the session tick store, the
 * simulated venue row-driven, clean stop with cancels and sealed inputs), with the feed built by
 * createMarketData. The run it leaves in the store is what `hft parity` (parityOfRun) replays.
 */
import { relative, resolve } from 'node:path';
import { createMarketData } from '../../src/adapters/feed/createMarketData.ts';
import type { MarketDataStats } from '../../src/adapters/feed/LiveWsFeed.ts';
import { codeVersion } from '../../src/cli/codeVersion.ts';
import { loadScenario } from '../../src/cli/commands/backtest.ts';
import { SESSIONS_DIR } from '../../src/cli/commands/paper.ts';
import { openStore } from '../../src/cli/store.ts';
import { createLiveRun } from '../../src/engine/live/createLiveRun.ts';
import { LiveSession } from '../../src/engine/live/LiveSession.ts';
import { TickRecorder } from '../../src/engine/live/TickRecorder.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { openTickStore } from '../../src/feeds/tickstore/TickStore.ts';
import type { InstrumentSpec } from '../../src/model/instrument.ts';

export interface VenuePaperResult {
  readonly runId: string;
  readonly summary: Record<string, unknown>;
  readonly feed: MarketDataStats;
  readonly marketRows: number;
}

export async function venuePaperSession(o: {
  readonly cwd: string; readonly scenarioPath: string; readonly storeUri: string; readonly specs: readonly InstrumentSpec[];
  readonly restUrl: string; readonly wsUrl: string; readonly durationMs: number;
}): Promise<VenuePaperResult> {
  const { scenario, path } = loadScenario(o.scenarioPath, o.cwd);
  const scenarioPath = relative(o.cwd, path) || path;
  const store = await openStore(o.storeUri, { cwd: o.cwd });
  const clock = wallClockUs();
  const run = createLiveRun({
    mode: 'paper', scenario, scenarioPath, instruments: o.specs, store, codeVersion: codeVersion(), startUs: clock(),
    session: { restUrl: o.restUrl, wsUrl: o.wsUrl, sandbox: false },
  });
  const tickRoot = resolve(o.cwd, SESSIONS_DIR, run.runId, 'ticks');
  let failure: unknown;
  const session = new LiveSession({
    kernel: run.kernel, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: true,
    recorder: new TickRecorder(openTickStore(tickRoot), o.specs), tickStoreRoot: relative(o.cwd, tickRoot), summarize: run.summarize,
    onError: (e) => { failure ??= e; },
  });
  await session.start();
  const md = createMarketData({ restUrl: o.restUrl, wsUrl: o.wsUrl, instruments: o.specs, clockUs: clock, onEvents: (events) => session.onMarket(events) });
  md.start();
  await new Promise((r) => setTimeout(r, o.durationMs));
  md.stop();
  const sim = run.simVenue!;
  let result;
  try {
    result = await session.stop({ reason: 'test duration', finish: true, beforeFinish: () => sim.release(), cancelOpen: (ids, now) => { for (const id of ids) sim.inner.cancel(id, now); } });
  } finally { await store.close(); }
  if (failure !== undefined) throw failure;
  return { runId: run.runId, summary: result.summary, feed: md.stats, marketRows: session.kernel.counters.marketRows };
}
