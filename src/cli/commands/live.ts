/**
 * `hft live <scenario>`: the scenario's strategies trading for real through ccxt. Refuses to start
 * unless every guard holds: a promotion for this strategy + risk configuration, `--confirm-live`,
 * HFT_ENABLE_LIVE=1 and API keys in the environment (never printed, never stored).
 */
import { HftError } from '../../core/errors.ts';
import { liveScenario, strategyHash } from '../../engine/live/createLiveRun.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { parseRtPriority, setRealtimePriority } from '../realtime.ts';
import { DEFAULT_STORE_URI, openStore } from '../store.ts';
import { loadScenario } from './backtest.ts';
import { assertLiveVenue, DEFAULT_POSITION_CHECK_S, LIVE_ORDER_VENUES, BINANCE_SPOT_REST, BINANCE_SPOT_WS, printSession, runSession, stopSignal, type SessionResult } from './paper.ts';
import { findPromotion } from './promote.ts';

export const LIVE_KEY_ENV = 'HFT_BINANCE_API_KEY';
export const LIVE_SECRET_ENV = 'HFT_BINANCE_API_SECRET';
export const OKX_KEY_ENV = 'HFT_OKX_API_KEY';
export const OKX_SECRET_ENV = 'HFT_OKX_API_SECRET';
export const OKX_PASSPHRASE_ENV = 'HFT_OKX_API_PASSPHRASE';
export const BYBIT_KEY_ENV = 'HFT_BYBIT_API_KEY';
export const BYBIT_SECRET_ENV = 'HFT_BYBIT_API_SECRET';

export interface LiveCredentials { readonly apiKey: string; readonly secret: string; readonly passphrase?: string }

/** The account keys of a venue from the environment (OKX keys also have a passphrase); undefined when any is missing. */
export function liveKeysOf(venue: string, env: Readonly<Record<string, string | undefined>>): { keys: LiveCredentials | undefined; names: string[] } {
  if (venue === 'okx') {
    const apiKey = env[OKX_KEY_ENV]; const secret = env[OKX_SECRET_ENV]; const passphrase = env[OKX_PASSPHRASE_ENV];
    return { keys: apiKey && secret && passphrase ? { apiKey, secret, passphrase } : undefined, names: [OKX_KEY_ENV, OKX_SECRET_ENV, OKX_PASSPHRASE_ENV] };
  }
  if (venue === 'bybit-spot' || venue === 'bybit-linear') {
    const apiKey = env[BYBIT_KEY_ENV]; const secret = env[BYBIT_SECRET_ENV];
    return { keys: apiKey && secret ? { apiKey, secret } : undefined, names: [BYBIT_KEY_ENV, BYBIT_SECRET_ENV] };
  }
  const apiKey = env[LIVE_KEY_ENV]; const secret = env[LIVE_SECRET_ENV];
  return { keys: apiKey && secret ? { apiKey, secret } : undefined, names: [LIVE_KEY_ENV, LIVE_SECRET_ENV] };
}

export interface LiveGuardInput { readonly scenarioPath: string; readonly storeUri: string; readonly confirmLive: boolean }

/** Every refusal names the guard that failed. Returns the keys on success. */
export async function checkLiveGuards(g: LiveGuardInput, io: CliIO): Promise<LiveCredentials> {
  if (io.env.HFT_ENABLE_LIVE !== '1') throw new HftError('HFT_ERR_CONFIG', 'live trading is disabled: set HFT_ENABLE_LIVE=1 to enable it');
  if (!g.confirmLive) throw new HftError('HFT_ERR_USAGE', 'live trading places real orders: pass --confirm-live');
  const { scenario } = loadScenario(g.scenarioPath, io.cwd);
  const first = scenario.strategies.flatMap((s) => s.instruments)[0] ?? '';
  const { keys, names } = liveKeysOf(first.slice(0, first.indexOf(':')), io.env);
  if (!keys) throw new HftError('HFT_ERR_CONFIG', `API keys missing: set ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} in the environment`);
  const hash = strategyHash(liveScenario(scenario));
  const store = await openStore(g.storeUri, { cwd: io.cwd, readOnly: true });
  try {
    if (!(await findPromotion(store, hash))) throw new HftError('HFT_ERR_CONFIG', `no promotion for this strategy configuration (strategy hash ${hash.slice(0, 16)}…): run it on paper, then hft parity and hft promote <paperRunId>`);
  } finally { await store.close(); }
  return keys;
}

export interface LiveCliOptions { readonly scenarioPath: string; readonly storeUri: string; readonly restUrl?: string; readonly wsUrl?: string; readonly sandbox: boolean; readonly confirmLive: boolean; readonly stopWhen: Promise<string>; readonly onStarted?: (i: { runId: string }) => void; readonly warmEveryMs?: number; readonly adoptPositions?: boolean; readonly positionCheckEveryS?: number }

export async function runLive(o: LiveCliOptions, io: CliIO): Promise<SessionResult> {
  // The venue first: a scenario that cannot trade live here is refused before any guard asks for keys.
  assertLiveVenue(loadScenario(o.scenarioPath, io.cwd).scenario, o.scenarioPath);
  const credentials = await checkLiveGuards(o, io);
  return runSession({ mode: 'live', scenarioPath: o.scenarioPath, storeUri: o.storeUri, ...(o.restUrl !== undefined ? { restUrl: o.restUrl } : {}), ...(o.wsUrl !== undefined ? { wsUrl: o.wsUrl } : {}), sandbox: o.sandbox, credentials, stopWhen: o.stopWhen, ...(o.onStarted ? { onStarted: o.onStarted } : {}), ...(o.warmEveryMs !== undefined ? { warmEveryMs: o.warmEveryMs } : {}), ...(o.adoptPositions ? { adoptPositions: true } : {}), ...(o.positionCheckEveryS !== undefined ? { positionCheckEveryS: o.positionCheckEveryS } : {}) }, io);
}

export const liveCommand: Command = {
  name: 'live',
  summary: 'trade a promoted scenario for real through ccxt (guarded: promotion, --confirm-live, HFT_ENABLE_LIVE=1, keys)',
  help: [
    'usage: hft live <scenario.json> --confirm-live [--rest <url>] [--ws <url>] [--sandbox] [--adopt-positions] [--position-check-every S] [--duration S] [--warm-every-ms MS] [--rt-priority N] [--store <uri>]',
    '',
    `Order entry: ${LIVE_ORDER_VENUES.join(', ')} (ccxt binance / binanceusdm / binancecoinm; okx: spot, orders`,
    'through POST /api/v5/trade/order, reports from the private orders channel; bybit: spot and linear, orders',
    'through POST /v5/order/create under our orderLinkId, reports from /v5/private order + execution); a scenario',
    'on any other venue (bybit-inverse: paper only) is refused with HFT_ERR_CONFIG.',
    'Refuses to start unless: a run.promoted exists for this strategy + risk configuration (hft promote),',
    `--confirm-live is given, HFT_ENABLE_LIVE=1 and the venue's keys are set: Binance ${LIVE_KEY_ENV} /`,
    `${LIVE_SECRET_ENV}, OKX ${OKX_KEY_ENV} / ${OKX_SECRET_ENV} / ${OKX_PASSPHRASE_ENV}, Bybit ${BYBIT_KEY_ENV} /`,
    `${BYBIT_SECRET_ENV}. Keys are never`,
    'printed or stored. Reconciles open orders, balances and (futures) positions on start, recorded in',
    'reconciliation.completed; refuses to start while the venue holds a position in an instrument the run',
    'trades (the run would trade as if flat): flatten it first, or pass --adopt-positions. Ctrl-C / SIGTERM /',
    'hft kill cancel every open order and stop.',
    '',
    'options:',
    `  --rest <url>   REST base (default per venue, spot ${BINANCE_SPOT_REST}; the emulator: http://127.0.0.1:PORT)`,
    `  --ws <url>     WebSocket base (default per venue, spot ${BINANCE_SPOT_WS}); OKX: the public URL`,
    '                 (ws://127.0.0.1:PORT/ws/v5/public on the emulator), the private one is beside it;',
    '                 Bybit: the public URL of the category (ws://127.0.0.1:PORT/v5/public/linear), /v5/private beside it',
    '  --sandbox      the product\'s testnet for orders (ccxt sandbox mode; pair with the testnet --rest/--ws)',
    '  --adopt-positions  start holding the venue\'s positions (USDⓈ-M / COIN-M, one-way mode) in the instruments',
    '                 the run trades: recorded as position.adopted before any market event; the ledger takes the',
    '                 venue\'s quantity and entry price (exact decimals), risk its lots. A position above its',
    '                 limits starts the run REDUCING (only orders that shrink it) until it is within them.',
    `  --position-check-every S  USDⓈ-M / COIN-M: compare the venue's positions (positionRisk, weight 5) with the`,
    `                 ledger every S seconds (default ${DEFAULT_POSITION_CHECK_S}, at least 1; 0 = off). The venue agrees when it equals any`,
    '                 position the ledger held from the request until 0.25 s after the answer (fills on their way);',
    '                 a mismatch is read again 0.5 s later, and the same difference venue - ledger at both is a drift:',
    '                 position.drift-detected is recorded, trading HALTED and every open order canceled, stderr says so.',
    '  --duration S   stop after S seconds',
    '  --warm-every-ms MS  keep the order path warm: a dry requote through a shadow kernel and the adapter\'s',
    '                 signing every MS ms (default 1, at least 1; 0 = off). Nothing is sent (bench/live: ~15% of a core).',
    '  --rt-priority N  run the main thread (feed, kernel, order entry) under SCHED_FIFO priority N (1-99, Linux,',
    '                 needs root or CAP_SYS_NICE): a market message is handled when it arrives, not after another',
    '                 process\'s time slice (bench/live --rt). Refused with the reason if the system does not allow it.',
    `  --store <uri>  event store (default ${DEFAULT_STORE_URI})`,
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { rest: { type: 'string' }, ws: { type: 'string' }, sandbox: { type: 'boolean' }, duration: { type: 'string' }, store: { type: 'string' }, 'confirm-live': { type: 'boolean' }, 'warm-every-ms': { type: 'string' }, 'adopt-positions': { type: 'boolean' }, 'position-check-every': { type: 'string' }, 'rt-priority': { type: 'string' } });
    if (positionals.length !== 1) throw new HftError('HFT_ERR_USAGE', 'expected one scenario file');
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    const storeUri = values.store ?? DEFAULT_STORE_URI;
    const warm = values['warm-every-ms'];
    const warmEveryMs = warm === undefined ? undefined : Number(warm);
    if (warmEveryMs !== undefined && (!/^\d+(\.\d+)?$/.test(warm!) || !(warmEveryMs === 0 || warmEveryMs >= 1))) throw new HftError('HFT_ERR_USAGE', `--warm-every-ms: expected 0 (off) or a number of milliseconds >= 1, got '${warm}'`);
    const pce = values['position-check-every'];
    const positionCheckEveryS = pce === undefined ? undefined : Number(pce);
    if (positionCheckEveryS !== undefined && (!/^\d+(\.\d+)?$/.test(pce!) || !(positionCheckEveryS === 0 || positionCheckEveryS >= 1))) {
      throw new HftError('HFT_ERR_USAGE', `--position-check-every: expected 0 (off) or a number of seconds >= 1 (positionRisk costs request weight 5), got '${pce}'`);
    }
    // Before anything starts: the session's threads are created from the main thread afterwards.
    if (values['rt-priority'] !== undefined) {
      const rt = setRealtimePriority(parseRtPriority(values['rt-priority']));
      io.err(`main thread ${rt.pid}: ${rt.policy} priority ${rt.priority}`);
    }
    const r = await runLive({
      ...(warmEveryMs !== undefined ? { warmEveryMs } : {}),
      ...(positionCheckEveryS !== undefined ? { positionCheckEveryS } : {}),
      scenarioPath: positionals[0]!, storeUri, ...(values.rest !== undefined ? { restUrl: values.rest } : {}), ...(values.ws !== undefined ? { wsUrl: values.ws } : {}), sandbox: values.sandbox ?? false,
      ...(values['adopt-positions'] ? { adoptPositions: true } : {}),
      confirmLive: values['confirm-live'] ?? false, stopWhen: stopSignal(duration), onStarted: ({ runId }) => io.err(`live run ${runId} started; hft kill ${runId} to halt`),
    }, io);
    printSession(io, r, storeUri);
    io.out(`  venue              ${JSON.stringify(r.venueStats)}`);
    if (r.positionChecks) io.out(`  position checks    ${r.positionChecks.readings} (quiet ${r.positionChecks.quiet}, skipped with a fill or order in flight ${r.positionChecks.skipped}, mismatches ${r.positionChecks.mismatches})`);
    return 0;
  },
};
