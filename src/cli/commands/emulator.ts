/**
 * `hft emulator`: a local venue on 127.0.0.1 replaying a real capture. Binance (REST + WebSocket; spot,
 * USDⓈ-M or COIN-M by the capture file, orders on the spot routes), OKX (`/ws/v5/public` market data
 * from a cryptofeed capture, spot order entry on the v5 REST and `/ws/v5/private` APIs) or Bybit (v5
 * `/v5/public/linear` market data translated from the legacy 2021 cryptofeed capture, spot and linear
 * order entry on the v5 REST and `/v5/private` APIs).
 */
import { dirname, join } from 'node:path';
import { resolve } from 'node:path';
import { okxCaptureInstruments } from '../../adapters/okx/okxCaptureInstruments.ts';
import { HftError } from '../../core/errors.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { loadBinanceCapture } from '../emulator/binanceCapture.ts';
import { BinanceSpotEmulator } from '../emulator/BinanceSpotEmulator.ts';
import { bybitLegacySpecs, loadBybitLegacyCapture, spotStandIn } from '../emulator/bybitCapture.ts';
import { BybitEmulator } from '../emulator/BybitEmulator.ts';
import { loadOkxCapture } from '../emulator/okxCapture.ts';
import { OkxEmulator } from '../emulator/OkxEmulator.ts';

export const DEFAULT_EMULATOR_CAPTURE = ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'];
export const EMULATOR_VENUES = ['binance', 'okx', 'bybit'] as const;
/** Demo credentials of the emulator (it is a local test venue: these are not secrets). */
export const EMULATOR_DEMO_KEY = 'hftEmulatorDemoKey';
export const EMULATOR_DEMO_SECRET = 'hftEmulatorDemoSecret';
/** OKX API keys also carry a passphrase. */
export const EMULATOR_DEMO_PASSPHRASE = 'hftEmulatorDemoPassphrase';

export interface EmulatorCliOptions {
  readonly captures: readonly string[]; readonly speed: number; readonly port: number; readonly apiKey: string; readonly apiSecret: string;
  /** Futures: the account starts holding this one-way position in the capture's symbol. */
  readonly position?: { readonly positionAmt: string; readonly entryPrice: string };
}

export async function startEmulator(o: EmulatorCliOptions, cwd: string): Promise<BinanceSpotEmulator> {
  const capture = loadBinanceCapture(o.captures.map((f) => resolve(cwd, f)));
  if (o.position && capture.venue === 'binance-spot') throw new HftError('HFT_ERR_USAGE', `--position: the capture ${o.captures.join(', ')} is ${capture.venue}, and spot has no positions (use a usdm/ or cm/ capture)`);
  const emu = new BinanceSpotEmulator({ capture, speed: o.speed, apiKey: o.apiKey, apiSecret: o.apiSecret, port: o.port, ...(o.position ? { position: o.position } : {}) });
  await emu.start();
  return emu;
}

export interface OkxEmulatorCliOptions {
  readonly capture: string;
  /** Only these instIds of the capture (default: all). */
  readonly instIds?: readonly string[];
  readonly speed: number;
  readonly port: number;
  /** Replay from the first subscription instead of from start-up. */
  readonly startOnSubscribe: boolean;
  /** Order entry on the capture's spot instruments (built-in specs) for this account; omitted = market data only. */
  readonly account?: { readonly apiKey: string; readonly apiSecret: string; readonly passphrase: string };
}

export async function startOkxEmulator(o: OkxEmulatorCliOptions, cwd: string): Promise<OkxEmulator> {
  const capture = loadOkxCapture(resolve(cwd, o.capture), o.instIds);
  const instruments = okxCaptureInstruments.filter((s) => s.kind === 'spot' && capture.instIds.includes(s.symbol));
  const account = o.account && instruments.length > 0 ? { account: { apiKey: o.account.apiKey, secretKey: o.account.apiSecret, passphrase: o.account.passphrase, instruments } } : {};
  const emu = new OkxEmulator({ capture, speed: o.speed, port: o.port, startOnSubscribe: o.startOnSubscribe, ...account });
  await emu.start();
  return emu;
}

export interface BybitEmulatorCliOptions {
  /** A cryptofeed legacy Bybit capture (BYBIT.ws.25.0); its instrument list BYBIT.0 is read from beside it. */
  readonly capture: string;
  /** Only these symbols of the capture (default: all). */
  readonly symbols?: readonly string[];
  readonly speed: number;
  readonly port: number;
  readonly startOnSubscribe: boolean;
  /** Order entry on every replayed symbol, linear and its spot stand-in, for this account; omitted = market data only. */
  readonly account?: { readonly apiKey: string; readonly apiSecret: string };
}

export async function startBybitEmulator(o: BybitEmulatorCliOptions, cwd: string): Promise<BybitEmulator> {
  const file = resolve(cwd, o.capture);
  const specs = bybitLegacySpecs(join(dirname(file), 'BYBIT.0'));
  const capture = loadBybitLegacyCapture(file, specs, o.symbols);
  const linear = specs.filter((s) => capture.symbols.includes(s.symbol));
  const balances = Object.fromEntries([['USDT', '100000'], ...linear.map((s) => [s.base, '10'])]) as Record<string, string>;
  const account = o.account ? { account: { apiKey: o.account.apiKey, secret: o.account.apiSecret, instruments: [...linear, ...linear.map(spotStandIn)], balances } } : {};
  const emu = new BybitEmulator({ capture, speed: o.speed, port: o.port, startOnSubscribe: o.startOnSubscribe, ...account });
  await emu.start();
  return emu;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'local Binance (spot, USDⓈ-M, COIN-M), OKX or Bybit venue on 127.0.0.1 replaying a real capture',
  help: [
    'usage: hft emulator [--venue binance|okx|bybit] [--capture <file>]... [--inst <instId>]... [--hold] [--speed N] [--port P] [--for S] [--position QTY@PRICE]',
    '',
    '--venue binance (default): serves the Binance REST API and combined streams on 127.0.0.1, replaying a',
    'binance-capture session verbatim (E/T re-stamped to now), speed N times faster. The capture file decides',
    'the product: spot/ (/api/v3/depth), usdm/ (/fapi/v1/depth) or cm/ (/dapi/v1/depth); streams',
    '/stream?streams=<sym>@depth@100ms|@0ms/<sym>@trade/<sym>@bookTicker. Orders (spot routes /api/v3/order,',
    'openOrders, myTrades, account, userDataStream) are matched by the simulated venue; signed requests are',
    'verified with HMAC-SHA256 like Binance. Keys: env HFT_EMULATOR_API_KEY / HFT_EMULATOR_API_SECRET, else',
    `the demo pair ${EMULATOR_DEMO_KEY} / (see README).`,
    'Faults at run time: POST /emulator/faults {"dropDiffs":1} | {"disconnectMarket":true} | {"stallMarket":true}',
    '  | {"ackDelayMs":500} | {"loseAcks":1} | {"rateLimit429":1} | {"server5xx":1} | {"duplicateFills":true}',
    '',
    '--venue okx: serves OKX v5 public market data on ws://127.0.0.1:PORT/ws/v5/public (books with their',
    'checksums, trades, tickers) from a cryptofeed OKX capture, answering subscribe/unsubscribe and ping like',
    'OKX; a late books subscriber gets a snapshot of the replayed book. Spot order entry on the capture\'s spot',
    'instruments (BTC-USDT): REST /api/v5/trade/order, cancel-order, cancel-batch-orders, order, orders-pending,',
    'fills, /api/v5/account/balance signed like OKX, and ws://127.0.0.1:PORT/ws/v5/private (login, orders',
    'channel), matched by the simulated venue. Keys: env HFT_EMULATOR_API_KEY / HFT_EMULATOR_API_SECRET /',
    `HFT_EMULATOR_API_PASSPHRASE, else the demo ones (${EMULATOR_DEMO_KEY}, see README). Faults: POST /emulator/faults`,
    '  {"loseAcks":1} | {"server5xx":1} | {"rateLimit429":1} | {"ackDelayMs":500} | {"duplicateFills":true}',
    '  | {"disconnectPrivate":true} and the market ones ({"dropBookUpdates":1} | {"corruptChecksums":1} | {"stallMarket":true}',
    '  | {"disconnectMarket":true}).',
    '',
    '--venue bybit: serves Bybit v5 public market data on ws://127.0.0.1:PORT/v5/public/linear (and the same',
    'book on /v5/public/spot, a stand-in): orderbook.50 snapshot + delta and publicTrade TRANSLATED (not',
    'verbatim) from the legacy 2021 cryptofeed capture BYBIT.ws.25.0 (USDT perpetuals; its instrument list',
    'BYBIT.0 is read from beside it). Order entry, category linear and spot, on every replayed symbol: REST',
    '/v5/order/create, cancel, cancel-all, realtime, /v5/execution/list, /v5/account/wallet-balance,',
    '/v5/position/list signed like Bybit (X-BAPI-* headers, recv window), and ws://127.0.0.1:PORT/v5/private',
    '(auth, order and execution topics), matched by the simulated venue. Keys: env HFT_EMULATOR_API_KEY /',
    `HFT_EMULATOR_API_SECRET, else the demo ones (${EMULATOR_DEMO_KEY}). Faults: POST /emulator/faults`,
    '  {"loseAcks":1} | {"server5xx":1} | {"server10016":1} | {"rateLimit10006":1} | {"ackDelayMs":500}',
    '  | {"cancelAll5xx":1} | {"duplicateExecutions":true} | {"orderBeforeExecution":true} | {"closedOnlyInHistory":true}',
    '  | {"disconnectPrivate":true} | {"dropBookUpdates":1} | {"stallMarket":true} | {"disconnectMarket":true}.',
    '',
    'options:',
    '  --venue V       binance (default), okx or bybit',
    `  --capture <f>   binance: capture file(s), one session (default ${DEFAULT_EMULATOR_CAPTURE.join(' ')},`,
    `                  e.g. ../shared/data/binance-capture/usdm/btcusdt_20240808.gz for USDⓈ-M);`,
    '                  okx: one cryptofeed OKX.ws file, required (none is shipped: ../shared/data/cryptofeed/OKX.ws.1.0)',
    '                  bybit: one legacy cryptofeed BYBIT.ws file, required (../shared/data/cryptofeed/BYBIT.ws.25.0)',
    '  --inst <id>     okx / bybit: replay only this instId / symbol (repeatable; default every instrument of the capture)',
    '  --hold          okx / bybit: start the replay at the first subscription (a client gets the whole capture)',
    '  --speed N       replay speed-up (default 1)',
    '  --port P        port (default 0 = any free port, printed)',
    '  --for S         stop after S seconds (default: until Ctrl-C)',
    '  --position Q@P  binance USDⓈ-M / COIN-M: the account starts holding a one-way position of signed',
    '                  quantity Q (base asset / contracts) entered at price P, e.g. --position=-0.010@56000.1',
    '                  (a negative quantity needs the = form)',
  ].join('\n'),
  async run(argv, io: CliIO) {
    const { values } = parseFlags(argv, {
      venue: { type: 'string' }, capture: { type: 'string', multiple: true }, inst: { type: 'string', multiple: true }, hold: { type: 'boolean' },
      speed: { type: 'string' }, port: { type: 'string' }, for: { type: 'string' }, position: { type: 'string' },
    }, false);
    const venue = values.venue ?? 'binance';
    if (!(EMULATOR_VENUES as readonly string[]).includes(venue)) throw new HftError('HFT_ERR_USAGE', `--venue must be one of ${EMULATOR_VENUES.join(', ')}, got '${venue}'`);
    const speed = Number(values.speed ?? 1);
    if (!(speed > 0)) throw new HftError('HFT_ERR_USAGE', `--speed must be a positive number, got '${values.speed}'`);
    const port = Number(values.port ?? 0);
    if (!Number.isInteger(port) || port < 0) throw new HftError('HFT_ERR_USAGE', `--port must be a port number, got '${values.port}'`);
    const forS = values.for === undefined ? undefined : Number(values.for);
    if (forS !== undefined && !(forS > 0)) throw new HftError('HFT_ERR_USAGE', `--for must be a positive number of seconds, got '${values.for}'`);
    let emu: { close(): Promise<void>; readonly remaining: number };
    if (venue === 'okx') {
      if (values.position !== undefined) throw new HftError('HFT_ERR_USAGE', '--position is an option of --venue binance (USDⓈ-M / COIN-M captures)');
      if (values.capture?.length !== 1) throw new HftError('HFT_ERR_USAGE', '--venue okx needs one --capture file (a cryptofeed OKX.ws capture, e.g. ../shared/data/cryptofeed/OKX.ws.1.0)');
      const okx = await startOkxEmulator({
        capture: values.capture[0]!, speed, port, startOnSubscribe: values.hold ?? false,
        ...(values.inst ? { instIds: values.inst } : {}),
        account: {
          apiKey: io.env.HFT_EMULATOR_API_KEY ?? EMULATOR_DEMO_KEY, apiSecret: io.env.HFT_EMULATOR_API_SECRET ?? EMULATOR_DEMO_SECRET,
          passphrase: io.env.HFT_EMULATOR_API_PASSPHRASE ?? EMULATOR_DEMO_PASSPHRASE,
        },
      }, io.cwd);
      io.out(`emulator: okx ws ${okx.url.ws}  (${okx.remaining} messages of ${okx.instIds.join(', ')}, speed ${speed}x${values.hold ? ', held until the first subscription' : ''})`);
      if (okx.account) io.out(`emulator: okx rest ${okx.url.rest}  private ${okx.url.wsPrivate}  (order entry: ${okx.tradedInstIds.join(', ')})`);
      emu = okx;
    } else if (venue === 'bybit') {
      if (values.position !== undefined) throw new HftError('HFT_ERR_USAGE', '--position is an option of --venue binance (USDⓈ-M / COIN-M captures)');
      if (values.capture?.length !== 1) throw new HftError('HFT_ERR_USAGE', '--venue bybit needs one --capture file (a legacy cryptofeed BYBIT.ws capture, e.g. ../shared/data/cryptofeed/BYBIT.ws.25.0)');
      const bybit = await startBybitEmulator({
        capture: values.capture[0]!, speed, port, startOnSubscribe: values.hold ?? false,
        ...(values.inst ? { symbols: values.inst } : {}),
        account: { apiKey: io.env.HFT_EMULATOR_API_KEY ?? EMULATOR_DEMO_KEY, apiSecret: io.env.HFT_EMULATOR_API_SECRET ?? EMULATOR_DEMO_SECRET },
      }, io.cwd);
      io.out(`emulator: bybit ws ${bybit.url.ws}  (${bybit.remaining} v5 messages translated from the legacy capture, ${bybit.symbols.join(', ')}, speed ${speed}x${values.hold ? ', held until the first subscription' : ''})`);
      io.out(`emulator: bybit rest ${bybit.url.rest}  private ${bybit.url.wsPrivate}  (order entry: ${bybit.tradedIds.join(', ')})`);
      emu = bybit;
    } else {
      if (values.inst || values.hold) throw new HftError('HFT_ERR_USAGE', '--inst and --hold are options of --venue okx and bybit');
      const position = values.position === undefined ? undefined : parsePosition(values.position);
      const bin = await startEmulator({
        captures: values.capture ?? DEFAULT_EMULATOR_CAPTURE, speed, port,
        apiKey: io.env.HFT_EMULATOR_API_KEY ?? EMULATOR_DEMO_KEY, apiSecret: io.env.HFT_EMULATOR_API_SECRET ?? EMULATOR_DEMO_SECRET,
        ...(position ? { position } : {}),
      }, io.cwd);
      io.out(`emulator: rest ${bin.url.rest}  ws ${bin.url.ws}  (${bin.product}, ${bin.remaining} messages, speed ${speed}x)`);
      emu = bin;
    }
    await new Promise<void>((done) => {
      // A signal before --for ends: the pending timer must not keep the process alive after close.
      let timer: NodeJS.Timeout | undefined;
      const stop = (): void => { clearTimeout(timer); void emu.close().then(done); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (forS !== undefined) timer = setTimeout(stop, forS * 1000);
    });
    io.out(`emulator: stopped (${emu.remaining} messages not replayed)`);
    return 0;
  },
};

/** `--position QTY@PRICE`: a signed decimal quantity and a positive decimal price. */
export function parsePosition(text: string): { positionAmt: string; entryPrice: string } {
  const m = /^(-?\d+(?:\.\d+)?)@(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) throw new HftError('HFT_ERR_USAGE', `--position must be QTY@PRICE with a signed decimal quantity and a decimal price, e.g. -0.010@56000.1, got '${text}'`);
  return { positionAmt: m[1]!, entryPrice: m[2]! };
}
