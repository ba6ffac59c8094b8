/**
 * The OKX and Bybit emulators serve their REST order book before the replay has started (a paused
 * emulator, or one that starts on the first subscription, as `hft live` primes its hot path from the
 * venue's book before it subscribes): the book the replay opens with, from the capture's first
 * snapshot, compared here with that snapshot read straight from the capture's JSON lines.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bybitLegacySpecs, loadBybitLegacyCapture } from '../../src/cli/emulator/bybitCapture.ts';
import { BybitEmulator } from '../../src/cli/emulator/BybitEmulator.ts';
import { loadOkxCapture } from '../../src/cli/emulator/okxCapture.ts';
import { OkxEmulator } from '../../src/cli/emulator/OkxEmulator.ts';

const DIR = '/work/shared/data/cryptofeed';
let close: (() => Promise<void>) | undefined;
afterEach(async () => { await close?.(); close = undefined; });

const byPrice = (levels: string[][], dir: 1 | -1): string[][] => [...levels].sort((x, y) => dir * (Number(x[0]) - Number(y[0])));

describe('emulator REST book before the replay starts', () => {
  it('OKX: /api/v5/market/books serves the capture\'s opening snapshot; an instrument not replayed is 51001', async () => {
    const capture = loadOkxCapture(`${DIR}/OKX.ws.1.0`, ['BTC-USDT']);
    // The first books snapshot of BTC-USDT, from the raw capture lines (not from the emulator's parser).
    const raw = readFileSync(`${DIR}/OKX.ws.1.0`, 'utf8').split('\n');
    const line = raw.find((l) => l.includes('"action":"snapshot"') && l.includes('"instId":"BTC-USDT"') && l.includes('"channel":"books"'));
    expect(line).toBeDefined();
    const snap = JSON.parse(line!.slice(line!.indexOf('{'))) as { data: { bids: string[][]; asks: string[][] }[] };
    const bids = byPrice(snap.data[0]!.bids.filter((l) => Number(l[1]) !== 0), -1);
    const asks = byPrice(snap.data[0]!.asks.filter((l) => Number(l[1]) !== 0), 1);

    const emu = new OkxEmulator({ capture, speed: 1, paused: true });
    close = () => emu.close();
    const { rest } = await emu.start();
    expect(emu.remaining).toBe(capture.messages.length);
    const res = await fetch(`${rest}/api/v5/market/books?instId=BTC-USDT&sz=5`);
    expect(res.status).toBe(200);
    const body = await res.json() as { code: string; data: { bids: string[][]; asks: string[][] }[] };
    expect(body.code).toBe('0');
    expect(body.data[0]!.bids).toEqual(bids.slice(0, 5));
    expect(body.data[0]!.asks).toEqual(asks.slice(0, 5));
    expect(Number(body.data[0]!.bids[0]![0])).toBeLessThan(Number(body.data[0]!.asks[0]![0]));
    // Serving it did not start or advance the replay.
    expect(emu.remaining).toBe(capture.messages.length);

    const unknown = await fetch(`${rest}/api/v5/market/books?instId=DOGE-USDT&sz=1`);
    expect((await unknown.json() as { code: string }).code).toBe('51001');
  });

  it('Bybit: /v5/market/orderbook serves the capture\'s opening snapshot; a symbol not replayed is 10001', async () => {
    const specs = bybitLegacySpecs(`${DIR}/BYBIT.0`);
    const capture = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, specs);
    const first = capture.messages.find((m) => m.kind === 'orderbook' && m.symbol === 'ETHUSDT' && m.msg.type === 'snapshot');
    expect(first).toBeDefined();
    const d = first!.msg.data as { b: string[][]; a: string[][] };
    const bids = byPrice(d.b.filter((l) => Number(l[1]) !== 0), -1);
    const asks = byPrice(d.a.filter((l) => Number(l[1]) !== 0), 1);

    const emu = new BybitEmulator({ capture, speed: 1, startOnSubscribe: true });
    close = () => emu.close();
    const { rest } = await emu.start();
    const res = await fetch(`${rest}/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=3`);
    expect(res.status).toBe(200);
    const body = await res.json() as { retCode: number; result: { s: string; b: string[][]; a: string[][] } };
    expect(body.retCode).toBe(0);
    expect(body.result.s).toBe('ETHUSDT');
    expect(body.result.b).toEqual(bids.slice(0, 3));
    expect(body.result.a).toEqual(asks.slice(0, 3));
    expect(emu.remaining).toBe(capture.messages.length);

    const unknown = await fetch(`${rest}/v5/market/orderbook?category=linear&symbol=DOGEUSDT&limit=1`);
    expect((await unknown.json() as { retCode: number }).retCode).toBe(10001);
  });
});
