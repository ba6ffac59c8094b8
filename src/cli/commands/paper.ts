/**
 * `hft paper <scenario>`: the scenario's strategies on a venue's live feed (Binance spot / USDⓈ-M /
 * COIN-M, OKX, Bybit: createMarketData picks it by the instruments' venue) against the simulated venue,
 * on the wall clock, everything recorded (run events in the store, market inputs in a tick store of
 * the session). Also home of `runSession`, which `hft live` shares: only the venue differs, and live
 * order entry exists for Binance (spot, USDⓈ-M, COIN-M), OKX spot and Bybit (spot, linear).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../adapters/binance/BinanceExecution.ts';
import { bybitCaptureInstruments } from '../../adapters/bybit/bybitCaptureInstruments.ts';
import { createBybitCcxt } from '../../adapters/bybit/bybitCcxt.ts';
import { BybitExecution } from '../../adapters/bybit/BybitExecution.ts';
import { okxCaptureInstruments } from '../../adapters/okx/okxCaptureInstruments.ts';
import { createOkxCcxt } from '../../adapters/okx/okxCcxt.ts';
import { OkxExecution } from '../../adapters/okx/OkxExecution.ts';
import { createMarketData, LIVE_FEED_VENUES } from '../../adapters/feed/createMarketData.ts';
import { warmWsReceive } from '../../adapters/feed/warmWsReceive.ts';
import type { MarketDataStats } from '../../adapters/feed/LiveWsFeed.ts';
import { HftError } from '../../core/errors.ts';
import { createLiveRun, type LiveRun } from '../../engine/live/createLiveRun.ts';
import { HotPathWarmer, QUIET_BEFORE_FEED_MS, SETTLE_STEPS, type WarmTop } from '../../engine/live/HotPathWarmer.ts';
import { VenuePort } from '../../engine/live/VenuePort.ts';
import { LiveSession } from '../../engine/live/LiveSession.ts';
import { PositionWatch, type DriftDetector } from '../../engine/live/PositionWatch.ts';
import type { ExecutionVenue } from '../../engine/ports.ts';
import { MemoryEventStore } from '../../eventstore/memory/MemoryEventStore.ts';
import type { EventData, OrderIntentData, VenuePosition } from '../../model/events.ts';
import { adoptionsOf, parseStartPosition } from '../../engine/live/adoptPositions.ts';
import { SessionControl } from '../../engine/live/SessionControl.ts';
import { TickRecorder } from '../../engine/live/TickRecorder.ts';
import { wallClockUs } from '../../engine/live/wallClock.ts';
import type { Scenario } from '../../engine/scenario.ts';
import { captureInstruments } from '../../feeds/binance/captureInstruments.ts';
import { okxInstruments } from '../../feeds/okx/okxInstruments.ts';
import { openTickStore } from '../../feeds/tickstore/TickStore.ts';
import { instrument as makeInstrument, type InstrumentSpec } from '../../model/instrument.ts';
import { codeVersion } from '../codeVersion.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { openControlFollower } from '../server/controlStore.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { loadScenario } from './backtest.ts';

export const BINANCE_SPOT_REST = 'https://api.binance.com';
export const BINANCE_SPOT_WS = 'wss://stream.binance.com:9443';
export const SESSIONS_DIR = '.hft/sessions';

export type LiveFeedVenue = (typeof LIVE_FEED_VENUES)[number];

/**
 * Production public endpoints per venue. Binance: REST base (depth snapshots) + WebSocket host (the
 * feed appends `/stream?streams=`). OKX and Bybit snapshot over the socket: the WebSocket URL is the
 * full public path and REST is only recorded in the run.
 * Docs: https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info,
 * https://developers.binance.com/docs/derivatives/coin-margined-futures/general-info,
 * https://www.okx.com/docs-v5/en/#overview-production-trading-services,
 * https://bybit-exchange.github.io/docs/v5/ws/connect
 */
export const VENUE_DEFAULT_URLS: Readonly<Record<LiveFeedVenue, { readonly rest: string; readonly ws: string }>> = {
  'binance-spot': { rest: BINANCE_SPOT_REST, ws: BINANCE_SPOT_WS },
  'binance-usdm': { rest: 'https://fapi.binance.com', ws: 'wss://fstream.binance.com' },
  'binance-coinm': { rest: 'https://dapi.binance.com', ws: 'wss://dstream.binance.com' },
  okx: { rest: 'https://www.okx.com', ws: 'wss://ws.okx.com:8443/ws/v5/public' },
  'bybit-spot': { rest: 'https://api.bybit.com', ws: 'wss://stream.bybit.com/v5/public/spot' },
  'bybit-linear': { rest: 'https://api.bybit.com', ws: 'wss://stream.bybit.com/v5/public/linear' },
  'bybit-inverse': { rest: 'https://api.bybit.com', ws: 'wss://stream.bybit.com/v5/public/inverse' },
};

/** Specs a session finds without an --instruments file: the Binance capture table and the OKX and Bybit captures' lists. */
export const BUILTIN_SESSION_INSTRUMENTS: readonly InstrumentSpec[] = Object.freeze([...captureInstruments, ...okxCaptureInstruments, ...bybitCaptureInstruments]);

export interface SessionOptions {
  readonly mode: 'paper' | 'live';
  readonly scenarioPath: string;
  readonly storeUri: string;
  /** Default: the venue's production endpoint (VENUE_DEFAULT_URLS). */
  readonly restUrl?: string;
  /** Default: the venue's production endpoint. OKX and Bybit: the full public path. */
  readonly wsUrl?: string;
  /** Instrument specs file (loadInstrumentsFile), looked up before the built-in specs. */
  readonly instrumentsFile?: string;
  /** Resolves when the session should stop (signal, duration, kill). */
  readonly stopWhen: Promise<string>;
  /** Live only; never printed or stored. OKX also needs the API key's passphrase. */
  readonly credentials?: { readonly apiKey: string; readonly secret: string; readonly passphrase?: string };
  readonly sandbox?: boolean;
  readonly staleAfterMs?: number;
  /** Seal the recorded inputs into new tick files this often (default 5000 ms; LiveSession). */
  readonly rollEveryMs?: number;
  /** Live: a hot-path warm step this often, ms (default 1; 0 = off). Paper has no order path to warm. */
  readonly warmEveryMs?: number;
  /**
   * Live: start holding the venue's positions in the instruments the run trades (position.adopted)
   * instead of refusing to start (assertNoVenuePosition).
   */
  readonly adoptPositions?: boolean;
  /**
   * Live, USDⓈ-M / COIN-M: compare the venue's positions with the ledger every this many seconds
   * (PositionWatch; default DEFAULT_POSITION_CHECK_S, 0 = off); a confirmed drift halts the run.
   */
  readonly positionCheckEveryS?: number;
  /** Paper: start holding these positions (a rehearsal of an adopted live start). */
  readonly startPositions?: readonly VenuePosition[];
  /** Called once the session runs (run id known). */
  readonly onStarted?: (info: { runId: string; strategyHash: string }) => void;
  /** Tick-to-order probe (bench): WS message in / order request out. */
  readonly probe?: { onMessage?: () => void; onOrderOut?: (clientOrderId: string, throttled: boolean) => void };
}

export interface SessionResult {
  readonly runId: string;
  readonly strategyHash: string;
  readonly summary: Record<string, unknown>;
  readonly runEvents: number;
  readonly marketRows: number;
  readonly feed: MarketDataStats;
  readonly venueStats?: LiveVenue['stats'];
  /** Live futures: the position checks (PositionWatch). */
  readonly positionChecks?: DriftDetector['stats'];
}

/** A venue with live order entry: the ExecutionVenue plus what the session needs around it. */
type LiveVenue = BinanceExecution | OkxExecution | BybitExecution;

/** The adapter's dry run of a new-order request, where it has one (Binance; OKX orders go through ccxt's async path). */
function warmOrderOf(v: ExecutionVenue): { warmOrder?: (order: OrderIntentData) => void } {
  return v.warmOrder ? { warmOrder: (order) => v.warmOrder!(order) } : {};
}

/** OKX's private WebSocket beside its public one (production and the emulator alike: `/ws/v5/public` -> `/ws/v5/private`). */
export function okxPrivateWsUrl(publicWsUrl: string): string {
  if (!/\/ws\/v5\/public$/.test(publicWsUrl)) throw new HftError('HFT_ERR_USAGE', `okx: --ws must be the public WebSocket URL ending in /ws/v5/public (its private one is beside it), got '${publicWsUrl}'`);
  return publicWsUrl.replace(/\/ws\/v5\/public$/, '/ws/v5/private');
}

/** Bybit's private WebSocket, one for every category (production and the emulator alike: `/v5/public/<spot|linear>` -> `/v5/private`). */
export function bybitPrivateWsUrl(publicWsUrl: string): string {
  if (!/\/v5\/public\/(spot|linear)$/.test(publicWsUrl)) throw new HftError('HFT_ERR_USAGE', `bybit: --ws must be the public WebSocket URL ending in /v5/public/spot or /v5/public/linear (the private one, /v5/private, is beside it), got '${publicWsUrl}'`);
  return publicWsUrl.replace(/\/v5\/public\/(spot|linear)$/, '/v5/private');
}

const SPEC_FIELDS = ['id', 'venue', 'symbol', 'kind', 'base', 'quote', 'settle', 'tickSize', 'lotSize', 'contractMultiplier', 'makerFeeRate', 'takerFeeRate'] as const;
const KINDS = ['spot', 'linear_perp', 'inverse_perp', 'linear_future', 'inverse_future'];

/**
 * Instrument specs from a JSON file: either an array of InstrumentSpec objects (any venue; the only
 * way to give Bybit specs, none are built in) or an OKX `GET /api/v5/public/instruments` answer saved
 * as is (`{"code":"0","data":[...]}`).
 */
export function loadInstrumentsFile(file: string, cwd: string): InstrumentSpec[] {
  const path = resolve(cwd, file);
  let doc: unknown;
  try { doc = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new HftError(e instanceof SyntaxError ? 'HFT_ERR_BAD_INPUT' : 'HFT_ERR_NOT_FOUND', `--instruments ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) {
    if (doc !== null && typeof doc === 'object' && 'code' in doc && 'data' in doc) {
      try { return okxInstruments(doc); } catch (e) { throw new HftError('HFT_ERR_BAD_INPUT', `--instruments ${file}: ${(e as Error).message}`); }
    }
    throw new HftError('HFT_ERR_BAD_INPUT', `--instruments ${file}: expected an array of instrument specs or an OKX /api/v5/public/instruments answer {"code":"0","data":[...]}`);
  }
  return doc.map((raw: unknown, i) => {
    const where = `--instruments ${file}: [${i}]`;
    if (raw === null || typeof raw !== 'object') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: expected an object`);
    const o = raw as Record<string, unknown>;
    for (const f of SPEC_FIELDS) if (typeof o[f] !== 'string' || o[f] === '') throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field '${f}' missing or not a non-empty string`, { field: f });
    if (o.id !== `${String(o.venue)}:${String(o.symbol)}`) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'id' must be '<venue>:<symbol>' ('${String(o.venue)}:${String(o.symbol)}'), got '${String(o.id)}'`, { field: 'id' });
    if (!KINDS.includes(o.kind as string)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: field 'kind' must be one of ${KINDS.join(', ')}, got '${String(o.kind)}'`, { field: 'kind' });
    const spec = o as unknown as InstrumentSpec;
    try { makeInstrument(spec); } catch (e) { throw new HftError('HFT_ERR_BAD_INPUT', `${where} (${spec.id}): ${(e as Error).message}`); }
    return spec;
  });
}

/**
 * Instrument specs of the scenario's strategies for a live-fed session: `extra` (an --instruments file)
 * first, then the built-in ones. One venue per session (one feed), a venue with a live feed.
 */
export function sessionInstruments(sc: Scenario, where: string, extra: readonly InstrumentSpec[] = []): InstrumentSpec[] {
  const ids = [...new Set(sc.strategies.flatMap((s) => s.instruments))];
  if (ids.length === 0) throw new HftError('HFT_ERR_CONFIG', `${where}: no strategy names an instrument`);
  const specs = ids.map((id) => {
    const spec = extra.find((s) => s.id === id) ?? BUILTIN_SESSION_INSTRUMENTS.find((s) => s.id === id);
    if (!spec) {
      const venue = id.slice(0, id.indexOf(':'));
      const known = BUILTIN_SESSION_INSTRUMENTS.filter((s) => s.venue === venue).map((s) => s.id);
      throw new HftError('HFT_ERR_CONFIG', `${where}: instrument '${id}' has no spec: give it with --instruments <file>${known.length > 0 ? ` (built in for ${venue}: ${known.join(', ')})` : ''}`, { instrument: id });
    }
    if (!(LIVE_FEED_VENUES as readonly string[]).includes(spec.venue)) throw new HftError('HFT_ERR_CONFIG', `${where}: instrument '${id}': venue '${spec.venue}' has no live feed (supported: ${LIVE_FEED_VENUES.join(', ')})`);
    return spec;
  });
  const venues = [...new Set(specs.map((s) => s.venue))];
  if (venues.length > 1) throw new HftError('HFT_ERR_CONFIG', `${where}: a live or paper session runs on one venue's feed, the strategies trade on ${venues.join(', ')}`);
  return specs;
}

/** Venues with live order entry (BinanceExecution: spot, USDⓈ-M, COIN-M; OkxExecution: OKX spot; BybitExecution: Bybit spot, linear). */
export const LIVE_ORDER_VENUES = ['binance-spot', 'binance-usdm', 'binance-coinm', 'okx', 'bybit-spot', 'bybit-linear'] as const;

/** Live order entry goes through BinanceExecution, OkxExecution or BybitExecution: every other venue stops here, before any key is read. */
export function assertLiveVenue(sc: Scenario, where: string): void {
  for (const id of new Set(sc.strategies.flatMap((s) => s.instruments))) {
    const venue = id.slice(0, id.indexOf(':'));
    if (!(LIVE_ORDER_VENUES as readonly string[]).includes(venue)) {
      throw new HftError('HFT_ERR_CONFIG', `${where}: instrument '${id}': live trading (order entry) is ${LIVE_ORDER_VENUES.join(', ')} only; ${venue} has a live feed for paper sessions (hft paper) but no order entry`, { instrument: id });
    }
  }
}

/** OKX live order entry: spot instruments, the key's passphrase, production or emulator URLs. */
function assertOkxLive(o: SessionOptions, specs: readonly InstrumentSpec[], scenarioPath: string): void {
  if (!o.credentials?.passphrase) throw new HftError('HFT_ERR_CONFIG', 'live okx: API key, secret and passphrase missing');
  const notSpot = specs.find((s) => s.kind !== 'spot');
  if (notSpot) throw new HftError('HFT_ERR_CONFIG', `${scenarioPath}: instrument '${notSpot.id}' is ${notSpot.kind}: OKX order entry is spot only (tdMode cash)`, { instrument: notSpot.id });
  if (o.sandbox) throw new HftError('HFT_ERR_USAGE', 'live okx: --sandbox (OKX demo trading) is not wired; use the emulator or the production URLs');
  okxPrivateWsUrl(o.wsUrl ?? VENUE_DEFAULT_URLS.okx.ws);
}

/**
 * Live without --adopt-positions: a run starts flat (its positions, position limits and P&L come from
 * its own fills), so a position the venue already holds in an instrument the run trades would be
 * traded as if it were not there. Refused, naming the instrument, the venue's quantity and what to do
 * (flatten it, or adopt it: --adopt-positions seeds the ledger and risk with it, adoptPositions.ts);
 * positions in instruments the run does not trade are only recorded (reconciliation.completed).
 */
export function assertNoVenuePosition(positions: readonly VenuePosition[] | null, specs: readonly InstrumentSpec[]): void {
  const held = (positions ?? []).flatMap((p) => {
    const spec = specs.find((s) => s.id === p.instrument);
    return spec ? [{ p, spec }] : [];
  });
  if (held.length === 0) return;
  const unit = (s: InstrumentSpec): string => (s.kind.startsWith('inverse') ? `contracts of ${s.contractMultiplier} ${s.quote}` : s.base);
  const list = held.map(({ p, spec }) => `${p.instrument} ${p.quantity} ${unit(spec)} (${p.positionSide === 'BOTH' ? (p.quantity.startsWith('-') ? 'short' : 'long') : `positionSide ${p.positionSide}`}, entry price ${p.entryPrice})`).join('; ');
  throw new HftError('HFT_ERR_CONFIG',
    `live: the venue already holds a position in ${held.length === 1 ? 'an instrument' : 'instruments'} this run trades: ${list}. `
    + 'A run starts flat, so its position limits and P&L would be wrong. Flatten the position on the venue first '
    + '(close it, e.g. with a reduce-only market order), then start the run again; or start with --adopt-positions '
    + 'to trade on from it (the run\'s ledger and risk start from the venue\'s quantity and entry price).',
    { instrument: held[0]!.p.instrument, quantity: held[0]!.p.quantity });
}

/**
 * Default seconds between live position checks: one positionRisk request (weight 5 on USDⓈ-M, 1 on
 * COIN-M) every 5 s is 60 of the 2,400 request weight a minute Binance allows an IP: 2.5%, taken from
 * the same token bucket as the orders (BinanceExecution). A mismatch is read again 0.5 s later
 * (PositionWatch), so a drift halts the run about one period after it happens.
 */
export const DEFAULT_POSITION_CHECK_S = 5;

export async function runSession(o: SessionOptions, io: CliIO): Promise<SessionResult> {
  const { scenario, path } = loadScenario(o.scenarioPath, io.cwd);
  const scenarioPath = relative(io.cwd, path) || path;
  if (o.mode === 'live') assertLiveVenue(scenario, scenarioPath);
  const specs = sessionInstruments(scenario, scenarioPath, o.instrumentsFile === undefined ? [] : loadInstrumentsFile(o.instrumentsFile, io.cwd));
  const defaults = VENUE_DEFAULT_URLS[specs[0]!.venue as LiveFeedVenue];
  const restUrl = o.restUrl ?? defaults.rest;
  const wsUrl = o.wsUrl ?? defaults.ws;
  if (o.mode === 'live' && specs[0]!.venue === 'okx') assertOkxLive(o, specs, scenarioPath);
  const bybitLive = o.mode === 'live' && (specs[0]!.venue === 'bybit-spot' || specs[0]!.venue === 'bybit-linear');
  if (bybitLive) {
    if (!o.credentials) throw new HftError('HFT_ERR_CONFIG', 'live bybit: API key and secret missing');
    if (o.sandbox) throw new HftError('HFT_ERR_USAGE', 'live bybit: --sandbox (Bybit testnet) is not wired; use the emulator or the production URLs');
    bybitPrivateWsUrl(wsUrl);
  }
  const store = await openStore(o.storeUri, { cwd: io.cwd });
  const clock = wallClockUs();
  const startUs = clock();
  let session: LiveSession | undefined;
  let venue: LiveVenue | undefined;
  const poke = (): void => queueMicrotask(() => session?.poke());
  if (o.mode === 'live' && specs[0]!.venue === 'okx') {
    const c = o.credentials!;
    venue = new OkxExecution({
      client: createOkxCcxt({ apiKey: c.apiKey, secret: c.secret, passphrase: c.passphrase!, restUrl }), wsPrivateUrl: okxPrivateWsUrl(wsUrl),
      apiKey: c.apiKey, secret: c.secret, passphrase: c.passphrase!, instruments: specs.map((s) => makeInstrument(s)), clockUs: clock,
      onReport: poke, onLatency: (row) => session?.record('order.request-acked', { ...row }), log: io.err,
      ...(o.probe?.onOrderOut ? { onOrderOut: o.probe.onOrderOut } : {}),
    });
  } else if (bybitLive) {
    const c = o.credentials!;
    venue = new BybitExecution({
      client: createBybitCcxt({ apiKey: c.apiKey, secret: c.secret, restUrl, category: specs[0]!.venue === 'bybit-spot' ? 'spot' : 'linear' }), wsPrivateUrl: bybitPrivateWsUrl(wsUrl),
      apiKey: c.apiKey, secret: c.secret, instruments: specs.map((s) => makeInstrument(s)), clockUs: clock,
      onReport: poke, onLatency: (row) => session?.record('order.request-acked', { ...row }), log: io.err,
      ...(o.probe?.onOrderOut ? { onOrderOut: o.probe.onOrderOut } : {}),
    });
  } else if (o.mode === 'live') {
    if (!o.credentials) throw new HftError('HFT_ERR_CONFIG', 'live: API keys missing');
    const product = BINANCE_PRODUCT_OF_VENUE[specs[0]!.venue]!;
    const client = createBinanceCcxt({ product, apiKey: o.credentials.apiKey, secret: o.credentials.secret, ...(o.sandbox ? { sandbox: true } : { restUrl }) });
    venue = new BinanceExecution({
      product, client, restUrl, wsUrl, apiKey: o.credentials.apiKey, instruments: specs.map((s) => makeInstrument(s)), clockUs: clock,
      onReport: poke, onLatency: (row) => session?.record('order.request-acked', { ...row }), log: io.err,
      ...(o.probe?.onOrderOut ? { onOrderOut: o.probe.onOrderOut } : {}),
    });
  }
  // Live: positions first, before the run exists: one the run trades refuses the start (nothing
  // recorded), unless --adopt-positions: then the run starts holding it.
  let positions: readonly VenuePosition[] | null = null;
  let adoptions: EventData<'position.adopted'>[] = [];
  const instruments = specs.map((s) => makeInstrument(s));
  if (venue) {
    try {
      // Started here (markets, order connections, user stream), before the run: the warmer signs
      // its dry orders through it while it is primed, before the session's kernel is built (below).
      await venue.start();
      positions = await venue.fetchPositions();
      if (o.adoptPositions) adoptions = adoptionsOf(positions ?? [], scenario.strategies, 'venue', instruments);
      else assertNoVenuePosition(positions, specs);
    } catch (e) { venue.stop(); await store.close(); throw e; }
  } else if (o.startPositions && o.startPositions.length > 0) {
    try { adoptions = adoptionsOf(o.startPositions, scenario.strategies, 'given', instruments); } catch (e) { await store.close(); throw e; }
  }
  let run: LiveRun;
  const port = venue ? new VenuePort(venue) : undefined;
  try {
    // Live: the kernel holds the adapter behind a VenuePort, as the warmer's shadow holds its dry
    // venue, so the kernel code the shadow warms meets the same layout at the first real order.
    run = createLiveRun({
      mode: o.mode, scenario, scenarioPath, instruments: specs, store, codeVersion: codeVersion(), startUs,
      ...(port ? { venue: port } : {}), session: { restUrl, wsUrl, sandbox: o.sandbox ?? false },
    });
  } catch (e) { venue?.stop(); await store.close(); throw e; }
  const tickRoot = resolve(io.cwd, SESSIONS_DIR, run.runId, 'ticks');
  const recorder = new TickRecorder(openTickStore(tickRoot), specs);
  let failure: unknown;
  // Operator commands from `hft serve` (cancel, cancel-all, kill switch) arrive in control-<runId>.
  const follower = await openControlFollower(o.storeUri, io.cwd, store);
  const control = follower ? await SessionControl.prepare({ kernel: run.kernel, control: follower.store, onError: (e) => { failure ??= e; } }) : undefined;
  // Live: the order path kept warm between messages by a shadow kernel of the same scenario whose
  // orders are signed by the real adapter and never sent (HotPathWarmer; bench/live measures it).
  const warmEveryMs = o.warmEveryMs ?? 1;
  const liveVenue = venue;
  const warmer = liveVenue && warmEveryMs > 0 ? new HotPathWarmer({
    shadow: (v) => createLiveRun({ mode: 'live', scenario, scenarioPath, instruments: specs, store: new MemoryEventStore(), codeVersion: 'warm-up', startUs, venue: v }).kernel,
    top: (idx) => session!.kernel.top(idx), startUs,
    ...(warmOrderOf(liveVenue)),
  }) : undefined;
  // Live, before the session's kernel is built and the feed starts: the warmer primed around the
  // venue's book (REST top of book: Binance depth, OKX books, Bybit orderbook; `fetchTops`). A kernel
  // built after the shadow ran gets the object layouts V8 settled on while it ran; one built before
  // kept an older layout, and the first market message, which decides the first quotes, deoptimized
  // every kernel function V8 had compiled for the shadow (HotPathWarmer.prime; bench/live).
  // Any adapter with a `fetchTops` is primed (structurally: a new venue gets it by having one).
  const readsTops = (v: ExecutionVenue): v is ExecutionVenue & { fetchTops(): Promise<WarmTop[]> } => typeof (v as { fetchTops?: unknown }).fetchTops === 'function';
  let tops: WarmTop[] | undefined;
  if (warmer && liveVenue && readsTops(liveVenue)) {
    try {
      const t = await liveVenue.fetchTops();
      tops = t;
      warmer.prime(PRIME_STEPS, (idx) => t[idx]!);
    } catch (e) { liveVenue.stop(); await follower?.close(); await store.close(); throw e; }
  }
  session = new LiveSession({
    kernel: control?.kernel ?? run.kernel, store, streamId: run.streamId, started: run.started, clockUs: clock, venueTimeAtReceipt: true,
    recorder, tickStoreRoot: relative(io.cwd, tickRoot) || tickRoot, summarize: run.summarize,
    ...(o.rollEveryMs !== undefined ? { rollEveryMs: o.rollEveryMs } : {}),
    ...(warmer ? { warmer, warmEveryMs } : {}),
    onError: (e) => { failure ??= e; },
  });
  // Building the session's kernel invalidated kernel code the priming had compiled (HotPathWarmer
  // SETTLE_STEPS): a few more warm steps have V8 compile it again before the feed starts.
  if (warmer && tops) { const t = tops; warmer.prime(SETTLE_STEPS, (idx) => t[idx]!); }
  await session.start();
  // Before any market event: the positions the run starts holding (recorded, replayed by parity).
  for (const e of session.adopt(adoptions)) {
    if (e.type === 'position.adopted') {
      const a = e.data as EventData<'position.adopted'>;
      io.err(`${o.mode} run ${run.runId}: adopted ${a.instrument} ${a.quantity} at entry price ${a.entryPrice} (strategy ${a.strategyId}, ${a.source === 'venue' ? 'the venue\'s position' : 'given'})`);
    } else if (e.type === 'risk.state-changed') {
      const c = e.data as EventData<'risk.state-changed'>;
      io.err(`${o.mode} run ${run.runId}: trading state ${c.from} -> ${c.to} (${c.reason}: ${JSON.stringify(c.values)}): only orders that shrink the position pass until it is within its limits`);
    }
  }
  control?.start(session);
  const liveFile = resolve(io.cwd, '.hft/live', `${run.runId}.json`);
  let watch: PositionWatch | undefined;
  if (venue) {
    const venueOpen = await venue.fetchOpenClientIds();
    const balances = await venue.fetchBalances();
    // A new run's log has no open order: anything open on the venue is not ours to assume.
    session.record('reconciliation.completed', { venueOpenOrders: venueOpen, unknownOrders: venueOpen, missingOrders: [], balances, canceledUnknown: 0, positions });
    // Futures: the venue's positions against the ledger while the run trades (spot: none to compare).
    const everyS = o.positionCheckEveryS ?? DEFAULT_POSITION_CHECK_S;
    if (positions !== null && everyS > 0) {
      const v = venue; const s = session; const runId = run.runId;
      watch = new PositionWatch({
        session: s, instruments, fetchPositions: () => v.fetchPositions(), everyMs: everyS * 1000, clockUs: clock,
        onDrift: (d) => io.err(`live run ${runId}: POSITION DRIFT on ${d.instrument}: the venue holds ${d.venueQuantity}, the ledger ${d.ledgerQuantity} `
          + `(the same difference at ${d.checks} checks over ${((clock() - d.firstSeenUs) / 1e6).toFixed(1)} s, fills on their way allowed for). Trading HALTED, every open order canceled. `
          + `Something traded this account outside the run (another session, the venue's web page, a liquidation) or a fill report was lost: `
          + `check the account, then stop the run (Ctrl-C or hft kill ${runId}).`),
        onCheckError: (e) => io.err(`live run ${runId}: position check failed (the next one runs in ${everyS} s): ${(e as Error).message ?? String(e)}`),
      });
      watch.start();
    } else if (positions === null && o.positionCheckEveryS !== undefined && o.positionCheckEveryS > 0) {
      io.err(`live run ${run.runId}: --position-check-every: ${specs[0]!.venue} has no positions (spot holdings are balances): no position checks`);
    }
    mkdirSync(resolve(io.cwd, '.hft/live'), { recursive: true });
    writeFileSync(liveFile, JSON.stringify({ pid: process.pid, runId: run.runId, venue: specs[0]!.venue, restUrl, sandbox: o.sandbox ?? false, symbols: specs.map((s) => s.symbol) }));
  }
  o.onStarted?.({ runId: run.runId, strategyHash: run.strategyHash });
  const md = createMarketData({
    restUrl, wsUrl, instruments: specs, clockUs: clock, log: io.err,
    staleAfterMs: o.staleAfterMs ?? 5000,
    onEvents: (events) => { o.probe?.onMessage?.(); session!.onMarket(events); },
  });
  // Live: the feed's and the session's message path run on synthetic messages before the first real one.
  if (warmer) {
    const events = md.warm?.(undefined, tops);
    if (events) session.warm(events);
    // The order connections' write and answer path last ran at the adapter's start, before the
    // priming: a ping on each (BinanceExecution.warmConnections) so the first real order is not the first.
    if (liveVenue) await (liveVenue as ExecutionVenue).warmConnections?.();
    // The adapter's own submit path, through the kernel's port, run a few times with nothing sent
    // (the warm-up signs through the order entry alone): VenuePort.rehearseSubmit.
    port?.rehearseSubmit(clock());
    // The ws client's receive path (frame parser, message event) on a loopback connection: warmWsReceive.
    await warmWsReceive();
    // The warm-up's compile jobs finished (and the warm ticker stepping) before the first real message.
    await new Promise((r) => setTimeout(r, QUIET_BEFORE_FEED_MS));
  }
  md.start();
  const failed = new Promise<string>((r) => { const t = setInterval(() => { if (failure !== undefined) { clearInterval(t); r('error'); } }, 20); void o.stopWhen.finally(() => clearInterval(t)); });
  const reason = await Promise.race([o.stopWhen, failed]);
  md.stop();
  await watch?.stop();
  await control?.stop();
  let result;
  try {
    if (venue) {
      const v = venue;
      result = await session.stop({ reason, cancelOpen: async () => { await v.cancelAll(); }, drainMs: 1000 });
      v.stop();
      rmSync(liveFile, { force: true });
    } else {
      const sim = run.simVenue!;
      result = await session.stop({ reason, finish: true, beforeFinish: () => sim.release(), cancelOpen: (ids, now) => { for (const id of ids) sim.inner.cancel(id, now); } });
    }
  } finally {
    await follower?.close();
    await store.close();
  }
  if (failure !== undefined) throw failure;
  return {
    runId: run.runId, strategyHash: run.strategyHash, summary: result.summary, runEvents: session.runEvents,
    marketRows: session.kernel.counters.marketRows, feed: md.stats, ...(venue ? { venueStats: venue.stats } : {}),
    ...(watch ? { positionChecks: watch.detector.stats } : {}),
  };
}

/** Warm steps run before a live session's feed starts (HotPathWarmer.prime; ~1-1.5 s on a 2-vCPU VM). */
export const PRIME_STEPS = 20_000;

/** Resolves on Ctrl-C / SIGTERM or after `durationS`. */
export function stopSignal(durationS: number | undefined): Promise<string> {
  return new Promise((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    if (durationS !== undefined) setTimeout(() => resolveStop(`duration ${durationS}s`), durationS * 1000).unref();
  });
}

export function printSession(io: CliIO, r: SessionResult, storeUri: string): void {
  const s = r.summary;
  io.out(`run ${r.runId}  (${storeUri}, stream run-${r.runId})`);
  io.out(`  market rows        ${r.marketRows}  (messages ${r.feed.messages}, snapshots ${r.feed.snapshots}, gaps ${JSON.stringify(r.feed.gaps)})`);
  io.out(`  decisions          ${String(s.decisions)}`);
  io.out(`  orders             ${String(s.ordersRequested)} requested, ${String(s.ordersDenied)} denied, ${String(s.cancels)} canceled, ${String(s.rejects)} rejected`);
  io.out(`  fills              ${String(s.fills)}`);
  io.out(`  open at end        ${String(s.openOrdersAtEnd)}`);
  io.out(`  stopped by         ${String(s.stopReason)}`);
}

export const paperCommand: Command = {
  name: 'paper',
  summary: 'run a scenario on live feeds against the simulated venue (wall clock), recording everything',
  help: [
    'usage: hft paper <scenario.json> [--rest <url>] [--ws <url>] [--instruments <file>] [--start-position I=Q@P]... [--duration S] [--roll-every S] [--store <uri>] [--json]',
    '',
    'The live feed of the strategies\' venue (one venue per session), the scenario\'s strategies, risk and',
    'simulated venue, on the wall clock. Gaps (sequence, checksum, disconnect, stale) are in-band and resynced:',
    '  binance-spot / -usdm / -coinm   combined streams, diff depth synced with the REST depth snapshot',
    '  okx                             books (CRC32 checked on every message), trades, tickers',
    '  bybit-spot / -linear / -inverse orderbook.50 (snapshot + delta), publicTrade',
    `Run events go to the store (stream run-<runId>); the market inputs to ${SESSIONS_DIR}/<runId>/ticks.`,
    'The recording is sealed into new content-hashed tick files every --roll-every seconds (stream inputs-<runId>',
    'logs each roll), so a killed session (SIGKILL, crash) stays checkable by hft parity up to its last roll.',
    'Ctrl-C / SIGTERM stops cleanly: open orders canceled, inputs sealed, run.completed. Then:',
    '  hft parity <runId>   and   hft promote <runId>',
    '',
    'options:',
    '  --rest <url>        REST base (Binance depth snapshots; recorded only for OKX/Bybit). Default per venue:',
    ...Object.entries(VENUE_DEFAULT_URLS).map(([v, u]) => `                        ${v.padEnd(14)} ${u.rest}`),
    '  --ws <url>          WebSocket URL: Binance the host (emulator ws://127.0.0.1:PORT), OKX and Bybit the full',
    '                      public path (OKX emulator ws://127.0.0.1:PORT/ws/v5/public). Default per venue:',
    ...Object.entries(VENUE_DEFAULT_URLS).map(([v, u]) => `                        ${v.padEnd(14)} ${u.ws}`),
    '  --instruments <f>   instrument specs (JSON array of specs, or an OKX /api/v5/public/instruments answer);',
    `                      built in: ${BUILTIN_SESSION_INSTRUMENTS.map((s) => s.id).join(', ')}`,
    '  --start-position I=Q@P  start holding a position: instrument I, signed quantity Q (base asset; COIN-M',
    '                      contracts) at average entry price P, e.g. binance-usdm:BTCUSDT=-0.010@56000.1. Seeded',
    '                      as hft live --adopt-positions seeds the venue\'s (position.adopted, ledger, risk; above',
    '                      a position limit: REDUCING until within it) and replayed by hft parity. Repeatable.',
    '  --duration S        stop after S seconds',
    '  --roll-every S      seal the recorded inputs every S seconds (default 5)',
    `  --store <uri>       event store (default ${DEFAULT_STORE_URI})`,
    '  --json              print the result as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { rest: { type: 'string' }, ws: { type: 'string' }, instruments: { type: 'string' }, 'start-position': { type: 'string', multiple: true }, duration: { type: 'string' }, 'roll-every': { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one scenario file');
    const rollEvery = values['roll-every'] === undefined ? undefined : Number(values['roll-every']);
    if (rollEvery !== undefined && !(rollEvery > 0)) throw new HftError('HFT_ERR_USAGE', `--roll-every must be a positive number of seconds, got '${values['roll-every']}'`);
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    if (duration !== undefined && !(duration > 0)) throw new HftError('HFT_ERR_USAGE', `--duration must be a positive number of seconds, got '${values.duration}'`);
    const storeUri = values.store ?? DEFAULT_STORE_URI;
    const r = await runSession({
      mode: 'paper', scenarioPath: positionals[0]!, storeUri,
      ...(values.rest !== undefined ? { restUrl: values.rest } : {}), ...(values.ws !== undefined ? { wsUrl: values.ws } : {}),
      ...(values.instruments !== undefined ? { instrumentsFile: values.instruments } : {}),
      ...(rollEvery !== undefined ? { rollEveryMs: rollEvery * 1000 } : {}),
      ...(values['start-position'] ? { startPositions: values['start-position'].map((t) => parseStartPosition(t)) } : {}),
      stopWhen: stopSignal(duration), onStarted: ({ runId }) => io.err(`paper run ${runId} started; Ctrl-C to stop`),
    }, io);
    if (values.json) io.out(JSON.stringify({ runId: r.runId, strategyHash: r.strategyHash, summary: r.summary, feed: r.feed }, null, 2));
    else { printSession(io, r, storeUri); io.out(`check it: hft parity ${r.runId}${storeUri === DEFAULT_STORE_URI ? '' : ` --store ${storeUri}`}`); }
    return 0;
  },
};
