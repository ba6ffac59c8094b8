/** The built-in Bybit specs are the capture's own instrument list (BYBIT.0), symbol for symbol. */
import { describe, expect, it } from 'vitest';
import { bybitCaptureInstruments } from '../../src/adapters/bybit/bybitCaptureInstruments.ts';
import { bybitLegacySpecs, loadBybitLegacyCapture } from '../../src/cli/emulator/bybitCapture.ts';

const DIR = '/work/shared/data/cryptofeed';

describe('bybitCaptureInstruments', () => {
  it('equals the BYBIT.0 specs of every symbol BYBIT.ws.25.0 replays', () => {
    const all = bybitLegacySpecs(`${DIR}/BYBIT.0`);
    const replayed = loadBybitLegacyCapture(`${DIR}/BYBIT.ws.25.0`, all).symbols;
    expect(bybitCaptureInstruments.map((s) => s.symbol).sort()).toEqual([...replayed].sort());
    for (const s of bybitCaptureInstruments) expect(s).toEqual(all.find((x) => x.id === s.id));
    expect(bybitCaptureInstruments.find((s) => s.symbol === 'ETHUSDT')).toMatchObject({ tickSize: '0.05', lotSize: '0.01', makerFeeRate: '-0.00025', takerFeeRate: '0.00075' });
  });
});
