/**
 * BinanceExecution.fetchPositions on answers the venue should never send: each is a bad-input error
 * naming the endpoint, the row and the field, never a position silently taken as flat. The signed
 * call is ccxt's own implicit method, answered here by a stand-in (the well-formed path runs against
 * the emulator in binancePositions.int.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createBinanceCcxt } from '../../src/adapters/binance/binanceCcxt.ts';
import { BinanceExecution } from '../../src/adapters/binance/BinanceExecution.ts';
import { HftError } from '../../src/core/errors.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { instrument } from '../../src/model/instrument.ts';

function executionAnswering(answer: unknown): BinanceExecution {
  const client = createBinanceCcxt({ product: 'usdm', apiKey: 'k', secret: 's', restUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
  (client as unknown as Record<string, unknown>)['fapiPrivateV2GetPositionRisk'] = async () => answer;
  const spec = captureInstruments.find((s) => s.id === 'binance-usdm:BTCUSDT')!;
  return new BinanceExecution({ product: 'usdm', client, restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9', apiKey: 'k', instruments: [instrument(spec)], clockUs: () => Date.now() * 1000, onReport: () => {} });
}

const row = { symbol: 'BTCUSDT', positionAmt: '-0.010', positionSide: 'BOTH', entryPrice: '56000.1' };

describe('BinanceExecution.fetchPositions on a malformed answer', () => {
  it('keeps a well-formed row and skips zero rows (the stand-in answers what the venue would)', async () => {
    expect(await executionAnswering([row, { ...row, symbol: 'ETHUSDT', positionAmt: '0.000' }]).fetchPositions())
      .toEqual([{ instrument: 'binance-usdm:BTCUSDT', quantity: '-0.010', positionSide: 'BOTH', entryPrice: '56000.1' }]);
  });

  it.each([
    ['not an array', { code: -1000 }, /GET \/fapi\/v2\/positionRisk: expected an array/, {}],
    ['a missing field', [row, { symbol: 'ETHUSDT', positionSide: 'BOTH', entryPrice: '1' }], /row 1: field 'positionAmt' missing or not a string/, { row: 1, field: 'positionAmt' }],
    ['a number instead of the decimal string', [{ ...row, entryPrice: 56000.1 }], /row 0: field 'entryPrice' missing or not a string/, { row: 0, field: 'entryPrice' }],
    ['a quantity that is not a decimal', [{ ...row, positionAmt: '1e-3' }], /row 0 \(BTCUSDT\): positionAmt '1e-3' is not a decimal/, { row: 0, field: 'positionAmt' }],
  ])('%s: HFT_ERR_BAD_INPUT naming where', async (_what, answer, message, details) => {
    const err = await executionAnswering(answer).fetchPositions().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HftError);
    expect((err as HftError).code).toBe('HFT_ERR_BAD_INPUT');
    expect((err as HftError).message).toMatch(message);
    expect((err as HftError).details).toMatchObject({ endpoint: 'GET /fapi/v2/positionRisk', ...details });
  });
});
