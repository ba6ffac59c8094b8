/**
 * The soak's venue, run as its own process by bench/soak/index.ts: `hft emulator` (BinanceSpotEmulator,
 * demo keys) on the shipped spot BTCUSDT capture looped `laps` times (loopedCapture.ts), printing its
 * URLs and then, every 100 ms, how many market messages it has replayed (the parent compares that with
 * what the session received: a session that does not keep up falls behind).
 *
 * Run by the soak: npx tsx bench/soak/emulator.ts <speed> <laps>
 */
import { join, resolve } from 'node:path';
import { loadBinanceCapture } from '../../src/cli/emulator/binanceCapture.ts';
import { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { DEFAULT_EMULATOR_CAPTURE, EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET } from '../../src/cli/commands/emulator.ts';
import { loopedCapture } from './loopedCapture.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const speed = Number(process.argv[2]);
const laps = Number(process.argv[3]);
if (!(speed > 0) || !(Number.isInteger(laps) && laps >= 1)) throw new Error(`bench/soak/emulator: usage: emulator.ts <speed > 0> <laps >= 1>, got ${process.argv.slice(2).join(' ')}`);
const capture = loopedCapture(loadBinanceCapture(DEFAULT_EMULATOR_CAPTURE.map((f) => join(ROOT, f))), laps);
const emu = new BinanceSpotEmulator({ capture, speed, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET, port: 0 });
const url = await emu.start();
console.log(`emulator: rest ${url.rest}  ws ${url.ws}  (${capture.messages.length} messages, ${laps} laps, speed ${speed}x)`);
const total = capture.messages.length;
const tick = setInterval(() => console.log(`replayed ${total - emu.remaining}`), 100);
process.once('SIGTERM', () => { clearInterval(tick); void emu.close().then(() => process.exit(0)); });
