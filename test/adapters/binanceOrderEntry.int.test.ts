/**
 * The new-order request BinanceOrderEntry signs and sends itself must be the request ccxt's own
 * `createOrder` sends for the same order: same URL, same body byte for byte (parameters, order,
 * encoding, recvWindow, HMAC-SHA256 signature) on spot, USDⓈ-M and COIN-M, for every order shape the
 * adapter sends. ccxt is the oracle: its request is captured at its fetch (not sent), with markets
 * loaded from the emulator replaying the real captures. Then one order of each product goes through
 * BinanceExecution to the emulator, which verifies the signature and X-MBX-APIKEY like Binance.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINANCE_PRODUCT_OF_VENUE, createBinanceCcxt, type BinanceClient } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { BinanceOrderEntry, type NewOrderParams } from '../../src/adapters/binance/BinanceOrderEntry.ts';
import { EMULATOR_DEMO_KEY, EMULATOR_DEMO_SECRET, startEmulator } from '../../src/cli/commands/emulator.ts';
import type { BinanceSpotEmulator } from '../../src/cli/emulator/BinanceSpotEmulator.ts';
import { wallClockUs } from '../../src/engine/live/wallClock.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import type { OrderIntentData } from '../../src/model/events.ts';
import { instrument, type Instrument } from '../../src/model/instrument.ts';
import type { VenueReport } from '../../src/model/orders.ts';

const DATA = '/work/shared/data/binance-capture';
const products = [
  { id: 'binance-spot:BTCUSDT', file: `${DATA}/spot/btcusdt_20240808.gz`, ccxtSymbol: 'BTC/USDT', depth: '/api/v3/depth', sizeLots: 123_000 },
  { id: 'binance-usdm:BTCUSDT', file: `${DATA}/usdm/btcusdt_20240808.gz`, ccxtSymbol: 'BTC/USDT:USDT', depth: '/fapi/v1/depth', sizeLots: 2 },
  { id: 'binance-coinm:BTCUSD_PERP', file: `${DATA}/cm/btcusd_perp_20240808.gz`, ccxtSymbol: 'BTC/USD:BTC', depth: '/dapi/v1/depth', sizeLots: 1 },
];

class Captured extends Error { constructor(readonly url: string, readonly body: string) { super('captured'); } }

/** ccxt's request for one order, taken at its fetch and not sent (or the error createOrder raises first). */
async function ccxtRequest(client: BinanceClient, sym: string, inst: Instrument, o: NewOrderParams): Promise<Captured | Error> {
  const params: Record<string, unknown> = { newClientOrderId: o.clientOrderId };
  // BinanceExecution's mapping to ccxt before it signed orders itself.
  if (o.timeInForce === 'POST_ONLY') params.postOnly = true;
  else if (o.type === 'limit') params.timeInForce = o.timeInForce;
  const saved = client.fetch;
  client.fetch = async (url: string, _m?: string, _h?: unknown, body?: unknown) => { throw new Captured(url, String(body)); };
  try {
    await client.createOrder(sym, o.type, o.side, Number(inst.lot.toDecimal(o.sizeLots)), o.type === 'limit' ? Number(inst.tick.toDecimal(o.priceTicks)) : undefined, params);
  } catch (e) {
    return e as Error;
  } finally { client.fetch = saved; }
  throw new Error('ccxt createOrder returned without fetching');
}

describe.each(products)('new-order request on $id', ({ id, file, ccxtSymbol, depth, sizeLots }) => {
  const spec = captureInstruments.find((s) => s.id === id)!;
  const inst = instrument(spec);
  const product = BINANCE_PRODUCT_OF_VENUE[spec.venue]!;
  let emu: BinanceSpotEmulator;
  let client: BinanceClient;
  beforeAll(async () => {
    emu = await startEmulator({ captures: [file], speed: 5, port: 0, apiKey: EMULATOR_DEMO_KEY, apiSecret: EMULATOR_DEMO_SECRET }, '/');
    client = createBinanceCcxt({ product, apiKey: EMULATOR_DEMO_KEY, secret: EMULATOR_DEMO_SECRET, restUrl: emu.url.rest });
    await client.loadMarkets();
  }, 60_000);
  afterAll(async () => { await emu?.close(); });

  it('is byte for byte the request ccxt createOrder sends, for every order shape and size', async () => {
    const entry = new BinanceOrderEntry(client, product);
    entry.register(inst, ccxtSymbol);
    try {
      const shapes: [OrderIntentData['type'], OrderIntentData['timeInForce']][] = [['limit', 'POST_ONLY'], ['limit', 'GTC'], ['limit', 'IOC'], ['limit', 'FOK'], ['market', 'IOC']];
      // Sizes on and off the venue's step (spot: our lot 1e-8 under LOT_SIZE 0.00001, so ccxt truncates),
      // one below the step (ccxt refuses: InvalidOrder), large; prices with and without trailing zeros.
      const sizes = [sizeLots, sizeLots * 1000 + 7, 12_345_678, product === 'spot' ? 999 : sizeLots + 1];
      const prices = [5_800_000, 5_812_345, 100_001];
      let signed = 0; let refused = 0; let n = 0;
      for (const [type, timeInForce] of shapes) {
        for (const side of ['buy', 'sell'] as const) {
          for (const lots of sizes) {
            for (const ticks of prices) {
              const o: NewOrderParams = { instrument: id, side, type, timeInForce, sizeLots: lots, priceTicks: ticks, clientOrderId: `oracle-${n++}_x` };
              const ref = await ccxtRequest(client, ccxtSymbol, inst, o);
              if (ref instanceof Captured) {
                const ts = Number(/(?:^|&)timestamp=(\d+)/.exec(ref.body)![1]);
                expect(entry.url.href).toBe(ref.url);
                expect(entry.body(o, ts)).toBe(ref.body);
                signed++;
              } else {
                expect(ref).toBeInstanceOf(ccxt.InvalidOrder);
                expect(() => entry.body(o, 0)).toThrow(ccxt.InvalidOrder);
                refused++;
              }
            }
          }
        }
      }
      expect(signed).toBeGreaterThanOrEqual(90);
      // Spot's one-lot order (1e-8 BTC) is under the venue's step; futures' lot is the venue's step.
      expect(refused).toBe(product === 'spot' ? 30 : 0);
    } finally { entry.close(); }
  });

  it('is accepted by the venue (signature and API key checked) and answered under our client id', async () => {
    const reports: VenueReport[] = [];
    const exec: BinanceExecution = new BinanceExecution({
      product, client, restUrl: emu.url.rest, wsUrl: emu.url.ws, apiKey: EMULATOR_DEMO_KEY, instruments: [inst], clockUs: wallClockUs(),
      onReport: () => { for (const r of exec.takeResponses(Number.MAX_SAFE_INTEGER)) if ('report' in r) reports.push(r.report); },
    });
    await exec.start();
    try {
      const d = (await (await fetch(`${emu.url.rest}${depth}?symbol=${spec.symbol}&limit=5`)).json()) as { bids: [string, string][] };
      const bid = inst.tick.toUnits(d.bids[0]![0]);
      const cid = `entry-${product}-1`;
      const order: OrderIntentData = { clientOrderId: cid, strategyId: 't', instrument: id, side: 'buy', type: 'limit', timeInForce: 'POST_ONLY', priceTicks: bid - 500, sizeLots, reduceOnly: false, tag: '' };
      // The hot-path warmer's dry run: the request is built and signed, nothing is written or tracked.
      const wroteBefore = { ...exec.entry.pool.stats };
      // No warm-up order yet: nothing to rehearse.
      expect(exec.rehearse()).toBe(0);
      const warmId = `warm-${product}-1`;
      for (let i = 0; i < 50; i++) exec.warmOrder({ ...order, clientOrderId: warmId });
      expect(exec.entry.pool.stats).toEqual(wroteBefore);
      expect(exec.stats.places).toBe(0);
      // Before the feed: a GET ping on each idle order connection through the order write path, no order.
      const idle = exec.entry.pool.idle();
      expect(idle).toBe(4);
      await exec.warmConnections();
      expect(exec.entry.pool.stats).toEqual({ ...wroteBefore, immediate: wroteBefore.immediate + idle });
      expect(exec.entry.pool.idle()).toBe(idle);
      expect(exec.stats.places).toBe(0);
      // Then `submit` itself rehearsed on the last warm-up order, through the caller's path: the
      // request built and signed (ccxt's nonce asked each time), nothing written, tracked or counted.
      const rehearsed: string[] = [];
      const written = { ...exec.entry.pool.stats };
      const nonce = client.nonce.bind(client);
      let nonces = 0;
      client.nonce = () => { nonces++; return nonce(); };
      try {
        expect(exec.rehearse((o) => { rehearsed.push(o.clientOrderId); exec.submit(o, 0); })).toBe(10);
      } finally { client.nonce = nonce; }
      expect(rehearsed).toEqual(Array<string>(10).fill(warmId));
      expect(nonces).toBe(10);
      expect(exec.entry.pool.stats).toEqual(written);
      expect(exec.openClientIds()).toEqual([]);
      expect(exec.stats).toMatchObject({ places: 0, throttled: 0, resends: 0 });
      exec.submit(order, 0);
      const until = Date.now() + 5000;
      while (!reports.some((r) => r.clientOrderId === cid) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(reports.filter((r) => r.clientOrderId === cid).map((r) => r.kind)).toEqual(['accepted']);
      const open = await exec.fetchOpenClientIds();
      expect(open).toContain(cid);
      expect(open).not.toContain(warmId);
      expect(exec.stats.places).toBe(1);
      expect(exec.stats.rejects + exec.stats.ambiguous).toBe(0);
      await exec.cancelAll();
    } finally { exec.stop(); }
  }, 30_000);
});
