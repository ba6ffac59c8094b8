/**
 * `fetchTops` of OkxExecution and BybitExecution, the venue's top of book the hot-path warmer is primed
 * around before a live session's kernel is built (HotPathWarmer.prime; `hft live`). Over a real socket
 * on 127.0.0.1: the OKX and Bybit emulators replaying real captures up to their first book snapshot
 * (so the book the REST endpoint answers is exactly that snapshot), and a small HTTP server answering
 * the venues' documented shapes for what the emulators never answer (an empty book, an HTTP 5xx).
 *
 * Expected ticks and lots are worked out by hand from the capture lines and the instrument lists:
 * - OKX BTC-USDT (cryptofeed OKX.ws.1.0, books snapshot at 1652459225.7021418; OKX.0 tickSz 0.1,
 *   lotSz 0.00000001): bid ["30243.4","0.0012029"] = 302434 ticks, 120290 lots; ask ["30243.5","1.44679"]
 *   = 302435 ticks, 144679000 lots.
 * - Bybit ETHUSDT (cryptofeed BYBIT.ws.25.0, first orderBookL2_25 snapshot; BYBIT.0 tick 0.05, lot
 *   0.01): bid {"price":"2364.90","size":1.96} = 47298 ticks, 196 lots; ask {"price":"2364.95",
 *   "size":396.5} = 47299 ticks, 39650 lots.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { createBybitCcxt } from '../../src/adapters/bybit/bybitCcxt.ts';
import { BybitExecution } from '../../src/adapters/bybit/BybitExecution.ts';
import { createOkxCcxt } from '../../src/adapters/okx/okxCcxt.ts';
import { OkxExecution } from '../../src/adapters/okx/OkxExecution.ts';
import { bybitLegacySpecs, loadBybitLegacyCapture, spotStandIn } from '../../src/cli/emulator/bybitCapture.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';
import { isHftError } from '../../src/core/errors.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { instrument, type InstrumentSpec } from '../../src/model/instrument.ts';
import { waitFor } from '../core/waitFor.ts';
import { OKX_DIR, okxSpecs } from './okxSpecs.ts';

const DIR = '/work/shared/data/cryptofeed';
const [okxBtc, okxEth] = okxSpecs(['BTC-USDT', 'ETH-USDT']) as [InstrumentSpec, InstrumentSpec];
const bybitSpecs = bybitLegacySpecs(`${DIR}/BYBIT.0`);
const bybitEth = bybitSpecs.find((s) => s.symbol === 'ETHUSDT')!;
const bybitBtc = bybitSpecs.find((s) => s.symbol === 'BTCUSDT')!;

/** The capture up to and including its first book snapshot: after the replay, the emulator's book is that snapshot. */
function throughFirstSnapshot<C extends { readonly messages: readonly unknown[] }>(c: C, isBook: (m: C['messages'][number]) => boolean): C {
  const i = c.messages.findIndex(isBook);
  if (i < 0) throw new Error('capture without a book snapshot');
  return { ...c, messages: c.messages.slice(0, i + 1) };
}
const okxCapture = throughFirstSnapshot(loadOkxCapture(`${OKX_DIR}/OKX.ws.1.0`, ['BTC-USDT']), (m) => m.channel === 'books' && m.msg.action === 'snapshot');
const bybitCapture = throughFirstSnapshot(loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, [bybitEth], ['ETHUSDT']), (m) => m.kind === 'orderbook' && m.msg.type === 'snapshot');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of closers.splice(0)) await c(); });

// fetchTops reads public REST only: the adapters are not started (no private socket), as `hft live` calls it after start.
function okxExec(rest: string, specs: InstrumentSpec[]): OkxExecution {
  return new OkxExecution({
    client: createOkxCcxt({ restUrl: rest, timeoutMs: 1000 }), wsPrivateUrl: 'ws://127.0.0.1:9/ws/v5/private',
    apiKey: 'k', secret: 's', passphrase: 'p', instruments: specs.map((s) => instrument(s)), clockUs: wallClockUs(),
  });
}
function bybitExec(rest: string, specs: InstrumentSpec[]): BybitExecution {
  return new BybitExecution({
    client: createBybitCcxt({ restUrl: rest, timeoutMs: 1000, category: specs[0]!.venue === 'bybit-spot' ? 'spot' : 'linear' }), wsPrivateUrl: 'ws://127.0.0.1:9/v5/private',
    apiKey: 'k', secret: 's', instruments: specs.map((s) => instrument(s)), clockUs: wallClockUs(),
  });
}

/** A venue stand-in on 127.0.0.1: every request answered by `answer`, the request paths kept. */
async function testServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ rest: string; paths: string[] }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => { paths.push(req.url ?? ''); answer(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { rest: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}
const json = (res: ServerResponse, status: number, body: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };

async function okxEmulator(): Promise<string> {
  const emu = new OkxEmulator({ capture: okxCapture, speed: 1 });
  const url = await emu.start();
  closers.push(() => emu.close());
  await waitFor(() => emu.remaining === 0, 5000, 'the OKX replay through its books snapshot');
  return url.rest;
}
async function bybitEmulator(): Promise<string> {
  const emu = new BybitEmulator({ capture: bybitCapture, speed: 1 });
  const url = await emu.start();
  closers.push(() => emu.close());
  await waitFor(() => emu.remaining === 0, 5000, 'the Bybit replay through its orderbook snapshot');
  return url.rest;
}

describe('OkxExecution.fetchTops (GET /api/v5/market/books?sz=1)', () => {
  it('answers the replayed BTC-USDT snapshot\'s best bid and ask in ticks and lots', async () => {
    const rest = await okxEmulator();
    expect(await okxExec(rest, [okxBtc]).fetchTops()).toEqual([{ bidTicks: 302434, bidLots: 120290, askTicks: 302435, askLots: 144679000 }]);
  }, 20_000);

  it('refuses an instrument the venue does not list (51001) with an HftError naming it', async () => {
    const rest = await okxEmulator();
    const err = await okxExec(rest, [okxBtc, okxEth]).fetchTops().catch((e: unknown) => e);
    expect(isHftError(err, 'HFT_ERR_CONFIG')).toBe(true);
    expect((err as Error).message).toMatch(/instId=ETH-USDT&sz=1 \(okx:ETH-USDT\): the venue does not list ETH-USDT: BadSymbol: 51001/);
  }, 20_000);

  it('refuses an empty book and an HTTP 503, naming the instrument, instead of a default top', async () => {
    let status = 200;
    const srv = await testServer((_req, res) => {
      // An empty book in OKX's shape (data[0] with empty sides), then the gateway's 503.
      if (status === 200) json(res, 200, { code: '0', msg: '', data: [{ asks: [], bids: [], ts: '1652459225702' }] });
      else json(res, 503, { code: '50001', msg: 'Service temporarily unavailable. Please try again later.', data: [] });
    });
    const exec = okxExec(srv.rest, [okxBtc]);
    const empty = await exec.fetchTops().catch((e: unknown) => e);
    expect(isHftError(empty, 'HFT_ERR_NOT_FOUND')).toBe(true);
    expect((empty as Error).message).toMatch(/\(okx:BTC-USDT\): the book is empty \(no bid, no ask\)/);
    status = 503;
    const down = await exec.fetchTops().catch((e: unknown) => e);
    expect(isHftError(down, 'HFT_ERR_NOT_FOUND')).toBe(true);
    expect((down as Error).message).toMatch(/\(okx:BTC-USDT\): no top of book: .*50001/);
    expect(srv.paths).toEqual(['/api/v5/market/books?instId=BTC-USDT&sz=1', '/api/v5/market/books?instId=BTC-USDT&sz=1']);
  }, 20_000);
});

describe('BybitExecution.fetchTops (GET /v5/market/orderbook?limit=1)', () => {
  it('answers the replayed ETHUSDT snapshot\'s best bid and ask in ticks and lots, linear and spot', async () => {
    const rest = await bybitEmulator();
    const top = { bidTicks: 47298, bidLots: 196, askTicks: 47299, askLots: 39650 };
    expect(await bybitExec(rest, [bybitEth]).fetchTops()).toEqual([top]);
    // The emulator's spot category serves the same book (a stand-in: there is no Bybit spot capture).
    expect(await bybitExec(rest, [spotStandIn(bybitEth)]).fetchTops()).toEqual([top]);
  }, 20_000);

  it('refuses a symbol the venue has no book for with an HftError naming it', async () => {
    const rest = await bybitEmulator();
    const err = await bybitExec(rest, [bybitEth, bybitBtc]).fetchTops().catch((e: unknown) => e);
    expect(isHftError(err, 'HFT_ERR_CONFIG')).toBe(true);
    expect((err as Error).message).toMatch(/symbol=BTCUSDT&limit=1 \(bybit-linear:BTCUSDT\): the venue does not list BTCUSDT: .*10001/);
  }, 20_000);

  it('refuses a one-sided book and an answer for another symbol, naming the instrument', async () => {
    let answer: unknown;
    const srv = await testServer((_req, res) => json(res, 200, answer));
    const exec = bybitExec(srv.rest, [bybitEth]);
    // Bybit's documented shape (result s, b, a, ts, u, seq, cts), bids only.
    answer = { retCode: 0, retMsg: 'OK', result: { s: 'ETHUSDT', b: [['2364.90', '1.96']], a: [], ts: 1618677785509, u: 1, seq: 1, cts: 1618677785508 }, retExtInfo: {}, time: 1618677785510 };
    const oneSided = await exec.fetchTops().catch((e: unknown) => e);
    expect(isHftError(oneSided, 'HFT_ERR_NOT_FOUND')).toBe(true);
    expect((oneSided as Error).message).toMatch(/\(bybit-linear:ETHUSDT\): the book has no ask/);
    answer = { retCode: 0, retMsg: 'OK', result: {}, retExtInfo: {}, time: 1618677785510 };
    const noSymbol = await exec.fetchTops().catch((e: unknown) => e);
    expect(isHftError(noSymbol, 'HFT_ERR_CONFIG')).toBe(true);
    expect((noSymbol as Error).message).toMatch(/\(bybit-linear:ETHUSDT\): the answer is for symbol undefined, not ETHUSDT/);
    expect(srv.paths.every((p) => p === '/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=1')).toBe(true);
    expect(srv.paths).toHaveLength(2);
  }, 20_000);
});

describe('BinanceExecution.fetchTops (GET /api/v3/depth?limit=5)', () => {
  const spot = captureInstruments.find((s) => s.id === 'binance-spot:BTCUSDT')!;
  const binanceExec = (rest: string): BinanceExecution => {
    const product = BINANCE_PRODUCT_OF_VENUE[spot.venue]!;
    return new BinanceExecution({
      product, client: createBinanceCcxt({ product, apiKey: 'k', secret: 's', restUrl: rest, timeoutMs: 1000 }),
      restUrl: rest, wsUrl: rest.replace('http', 'ws'), apiKey: 'k', instruments: [instrument(spot)], clockUs: wallClockUs(),
    });
  };

  it('answers the best bid and ask in ticks and lots, and refuses a one-sided book and an HTTP 503 naming the instrument (no NaN top)', async () => {
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    const srv = await testServer((_req, res) => json(res, answer.status, answer.body));
    const exec = binanceExec(srv.rest);
    // Binance's documented depth shape; prices and sizes from the shipped capture's day (tick 0.01, lot 0.00000001).
    answer = { status: 200, body: { lastUpdateId: 1027024, bids: [['61687.71000000', '1.23456000'], ['61687.70000000', '0.10000000']], asks: [['61687.72000000', '0.00310000']] } };
    expect(await exec.fetchTops()).toEqual([{ bidTicks: 6168771, bidLots: 123456000, askTicks: 6168772, askLots: 310000 }]);
    answer = { status: 200, body: { lastUpdateId: 1027025, bids: [['61687.71000000', '1.23456000']], asks: [] } };
    const oneSided = await exec.fetchTops().catch((e: unknown) => e);
    expect(isHftError(oneSided, 'HFT_ERR_NOT_FOUND')).toBe(true);
    expect((oneSided as Error).message).toMatch(/GET \/api\/v3\/depth\?symbol=BTCUSDT&limit=5 \(binance-spot:BTCUSDT\): the book has no ask/);
    answer = { status: 503, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } };
    const down = await exec.fetchTops().catch((e: unknown) => e);
    expect(isHftError(down, 'HFT_ERR_NOT_FOUND')).toBe(true);
    expect((down as Error).message).toMatch(/\(binance-spot:BTCUSDT\): HTTP 503 .*-1001/);
    expect(srv.paths).toEqual(Array(3).fill('/api/v3/depth?symbol=BTCUSDT&limit=5'));
  }, 20_000);
});
