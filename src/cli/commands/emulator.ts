/** `hft emulator`: the local Binance spot venue (REST + WebSocket on 127.0.0.1) replaying a real capture. */
import { resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';
import { loadBinanceCapture } from '../emulator/binanceCapture.ts';
import { BinanceSpotEmulator } from '../emulator/BinanceSpotEmulator.ts';

export const DEFAULT_EMULATOR_CAPTURE = ['data/binance-capture/spot/btcusdt_20240808.gz', 'data/binance-capture/spot/btcusdt_20240809.gz'];
/** Demo credentials of the emulator (it is a local test venue: these are not secrets). */
export const EMULATOR_DEMO_KEY = 'hftEmulatorDemoKey';
export const EMULATOR_DEMO_SECRET = 'hftEmulatorDemoSecret';

export interface EmulatorCliOptions { readonly captures: readonly string[]; readonly speed: number; readonly port: number; readonly apiKey: string; readonly apiSecret: string }

export async function startEmulator(o: EmulatorCliOptions, cwd: string): Promise<BinanceSpotEmulator> {
  const capture = loadBinanceCapture(o.captures.map((f) => resolve(cwd, f)));
  const emu = new BinanceSpotEmulator({ capture, speed: o.speed, apiKey: o.apiKey, apiSecret: o.apiSecret, port: o.port });
  await emu.start();
  return emu;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'local Binance spot venue on 127.0.0.1: real capture replayed, signed orders matched by the simulated venue',
  help: [
    'usage: hft emulator [--capture <file.gz>]... [--speed N] [--port P] [--for S]',
    '',
    'Serves the Binance spot REST API (/api/v3/depth, exchangeInfo, order, openOrders, myTrades, account,',
    'userDataStream) and combined streams (/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@bookTicker)',
    'on 127.0.0.1, replaying a binance-capture session verbatim (E/T re-stamped to now), speed N times faster.',
    'Signed requests are verified with HMAC-SHA256 like Binance. Keys: env HFT_EMULATOR_API_KEY /',
    `HFT_EMULATOR_API_SECRET, else the demo pair ${EMULATOR_DEMO_KEY} / (see README).`,
    'Faults at run time: POST /emulator/faults {"dropDiffs":1} | {"disconnectMarket":true} | {"stallMarket":true}',
    '  | {"ackDelayMs":500} | {"loseAcks":1} | {"rateLimit429":1} | {"server5xx":1} | {"duplicateFills":true}',
    '',
    'options:',
    `  --capture <f>   capture file(s), one session (default ${DEFAULT_EMULATOR_CAPTURE.join(' ')})`,
    '  --speed N       replay speed-up (default 1)',
    '  --port P        port (default 0 = any free port, printed)',
    '  --for S         stop after S seconds (default: until Ctrl-C)',
  ].join('\n'),
  async run(argv, io: CliIO) {
    const { values } = parseFlags(argv, { capture: { type: 'string', multiple: true }, speed: { type: 'string' }, port: { type: 'string' }, for: { type: 'string' } }, false);
    const speed = Number(values.speed ?? 1);
    if (!(speed > 0)) throw new HftError('HFT_ERR_USAGE', `--speed must be a positive number, got '${values.speed}'`);
    const port = Number(values.port ?? 0);
    if (!Number.isInteger(port) || port < 0) throw new HftError('HFT_ERR_USAGE', `--port must be a port number, got '${values.port}'`);
    const emu = await startEmulator({
      captures: values.capture ?? DEFAULT_EMULATOR_CAPTURE, speed, port,
      apiKey: io.env.HFT_EMULATOR_API_KEY ?? EMULATOR_DEMO_KEY, apiSecret: io.env.HFT_EMULATOR_API_SECRET ?? EMULATOR_DEMO_SECRET,
    }, io.cwd);
    io.out(`emulator: rest ${emu.url.rest}  ws ${emu.url.ws}  (${emu.remaining} messages, speed ${speed}x)`);
    await new Promise<void>((done) => {
      const stop = (): void => { void emu.close().then(done); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (values.for !== undefined) setTimeout(stop, Number(values.for) * 1000);
    });
    io.out('emulator: stopped');
    return 0;
  },
};
