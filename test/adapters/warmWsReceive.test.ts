/**
 * warmWsReceive: the ws client's receive path run on a loopback connection before a live feed starts
 * (src/adapters/feed/warmWsReceive.ts). It must receive every frame through ws's own client and fail
 * loudly rather than hang.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { warmWsReceive } from '../../src/adapters/feed/warmWsReceive.ts';

describe('warmWsReceive', () => {
  it('receives every frame through a ws client and leaves nothing open', async () => {
    // Count the client's parsed text messages through ws's own WebSocket (the class the feeds use).
    const emit = WebSocket.prototype.emit;
    let parsed = 0;
    WebSocket.prototype.emit = function (this: WebSocket, ev: string, ...a: unknown[]) {
      if (ev === 'message' && a[1] === false && String(a[0]).includes('@bookTicker')) parsed++;
      return emit.call(this, ev, ...a);
    } as typeof WebSocket.prototype.emit;
    try {
      expect(await warmWsReceive(37)).toBe(37);
    } finally { WebSocket.prototype.emit = emit; }
    expect(parsed).toBe(37);
  });

  it('fails with the count when the messages do not all arrive in time', async () => {
    await expect(warmWsReceive(100_000, 1)).rejects.toThrow(/ws receive warm-up: \d+ of 100000 messages in 1 ms/);
  });
});
