import { describe, expect, it } from 'vitest';
import { signBinance, verifyBinanceSignature } from '../../src/cli/emulator/binanceSignature.ts';

// The SIGNED endpoint example of Binance's REST docs (endpoint security type, HMAC keys, example 1).
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const QUERY = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const DOC_SIGNATURE = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';

describe('Binance request signatures (emulator side)', () => {
  it('signs the docs example to the signature the docs print', () => {
    expect(signBinance(SECRET, QUERY)).toBe(DOC_SIGNATURE);
  });

  it('accepts the docs request within its recvWindow, signature in the body', () => {
    const v = verifyBinanceSignature('', `${QUERY}&signature=${DOC_SIGNATURE}`, SECRET, 1499827319559 + 1000);
    expect(v.ok).toBe(true);
    expect(v.params.get('price')).toBe('0.1');
  });

  it('signs query string + body concatenated, signature removed from wherever it is', () => {
    const q = 'symbol=LTCBTC&side=BUY';
    const b = 'quantity=1&timestamp=1000';
    const sig = signBinance(SECRET, q + b);
    expect(verifyBinanceSignature(`${q}&signature=${sig}`, b, SECRET, 1500).ok).toBe(true);
  });

  it('refuses a tampered parameter with -1022', () => {
    const v = verifyBinanceSignature(`${QUERY.replace('price=0.1', 'price=0.2')}&signature=${DOC_SIGNATURE}`, '', SECRET, 1499827319559);
    expect([v.ok, v.code]).toEqual([false, -1022]);
  });

  it('refuses a timestamp older than recvWindow, or more than 1 s ahead, with -1021', () => {
    expect(verifyBinanceSignature(`${QUERY}&signature=${DOC_SIGNATURE}`, '', SECRET, 1499827319559 + 5001).code).toBe(-1021);
    expect(verifyBinanceSignature(`${QUERY}&signature=${DOC_SIGNATURE}`, '', SECRET, 1499827319559 - 1000).code).toBe(-1021);
  });

  it('refuses a request without a signature with -1102', () => {
    expect(verifyBinanceSignature(QUERY, '', SECRET, 1499827319559).code).toBe(-1102);
  });
});
