/**
 * PrivateSocket (the OKX / Bybit private-channel life cycle) against a local ws server: the
 * handshake reads answers in order, pushes sent together with the subscription's answer reach
 * `onPush` in order after the handshake, a refusal closes the socket, and a close after the
 * handshake calls `onClose` (the adapters reconnect from it) but `close()` does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { PrivateSocket } from '../../src/adapters/PrivateSocket.ts';

const servers: WebSocketServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await new Promise((r) => s.close(r)); });

/** A server that answers 'login' with `loginAnswer`, then 'subscribe' with its answer followed at once by two pushes. */
async function server(loginAnswer: object): Promise<{ url: string; conns: ServerSocket[]; received: string[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  const conns: ServerSocket[] = []; const received: string[] = [];
  wss.on('connection', (ws) => {
    conns.push(ws);
    ws.on('message', (raw) => {
      const text = raw.toString();
      received.push(text);
      if (text === 'ping') { ws.send('pong'); return; }
      const m = JSON.parse(text) as { op: string };
      if (m.op === 'login') ws.send(JSON.stringify(loginAnswer));
      if (m.op === 'subscribe') {
        ws.send(JSON.stringify({ event: 'subscribe' }));
        ws.send(JSON.stringify({ push: 1 }));
        ws.send(JSON.stringify({ push: 2 }));
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, conns, received };
}

const handshake = async (send: (t: string) => void, next: () => Promise<Record<string, unknown>>): Promise<void> => {
  send(JSON.stringify({ op: 'login' }));
  const login = await next();
  if (login.code !== '0') throw new Error(`login refused: ${String(login.code)}`);
  send(JSON.stringify({ op: 'subscribe' }));
  const sub = await next();
  if (sub.event !== 'subscribe') throw new Error('subscription refused');
};

const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('PrivateSocket', () => {
  it('delivers the pushes that came with the subscription answer, in order, then later ones; pongs are not pushes', async () => {
    const srv = await server({ event: 'login', code: '0' });
    const pushes: Record<string, unknown>[] = [];
    let closes = 0;
    const s = await PrivateSocket.open({
      url: srv.url, label: 'test socket', parse: (t) => (t === 'pong' ? undefined : JSON.parse(t) as Record<string, unknown>),
      handshake, onPush: (m) => pushes.push(m), onClose: () => { closes++; }, pingText: 'ping', pingEveryMs: 10,
    });
    await waitFor(() => pushes.length >= 2 && srv.received.includes('ping'), 'the queued pushes and a ping');
    expect(pushes.slice(0, 2)).toEqual([{ push: 1 }, { push: 2 }]);
    srv.conns[0]!.send(JSON.stringify({ push: 3 }));
    await waitFor(() => pushes.length === 3, 'a later push');
    expect(pushes[2]).toEqual({ push: 3 });
    expect(pushes.every((p) => 'push' in p)).toBe(true); // the server's pongs never reached onPush
    srv.conns[0]!.close();
    await waitFor(() => closes === 1, 'onClose after a close from the venue');
    s.close();
  });

  it('a refused login rejects with the venue\'s answer and leaves no socket open', async () => {
    const srv = await server({ event: 'error', code: '60009' });
    await expect(PrivateSocket.open({
      url: srv.url, label: 'test socket', parse: (t) => JSON.parse(t) as Record<string, unknown>,
      handshake, onPush: () => { throw new Error('no push expected'); }, onClose: () => { throw new Error('no onClose expected'); }, pingText: 'ping', pingEveryMs: 10,
    })).rejects.toThrow('login refused: 60009');
    await waitFor(() => srv.conns[0]!.readyState === srv.conns[0]!.CLOSED, 'the server to see the close');
    expect(srv.received).toEqual([JSON.stringify({ op: 'login' })]);
  });

  it('a socket closed during the handshake rejects naming it', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(wss);
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => ws.on('message', () => ws.close()));
    const { port } = wss.address() as { port: number };
    await expect(PrivateSocket.open({
      url: `ws://127.0.0.1:${port}`, label: 'test socket', parse: (t) => JSON.parse(t) as Record<string, unknown>,
      handshake, onPush: () => {}, onClose: () => { throw new Error('no onClose expected'); }, pingText: 'ping', pingEveryMs: 10,
    })).rejects.toThrow('test socket closed during the handshake');
  });

  it('close() stops the ping and does not call onClose', async () => {
    const srv = await server({ event: 'login', code: '0' });
    let closes = 0;
    const s = await PrivateSocket.open({
      url: srv.url, label: 'test socket', parse: (t) => (t === 'pong' ? undefined : JSON.parse(t) as Record<string, unknown>),
      handshake, onPush: () => {}, onClose: () => { closes++; }, pingText: 'ping', pingEveryMs: 5,
    });
    s.close();
    await waitFor(() => srv.conns[0]!.readyState === srv.conns[0]!.CLOSED, 'the server to see the close');
    const pings = srv.received.filter((t) => t === 'ping').length;
    await new Promise((r) => setTimeout(r, 30));
    expect(srv.received.filter((t) => t === 'ping').length).toBe(pings);
    expect(closes).toBe(0);
  });
});
