/**
 * The ws client's receive path run before a live feed starts: a WebSocket server on 127.0.0.1 (an
 * ephemeral port, closed after) sends `messages` text frames of a market message's size to a client
 * made as the feeds make theirs (`new WebSocket(url)`, default options; the server declines
 * permessage-deflate, as the emulator's do: a venue that accepted it would have its first messages
 * inflated on a path this does not run; not checked against the real venues). The client's socket
 * data handler, the frame parser (ws's Receiver: header, 16-bit length, payload, UTF-8 check) and the 'message' event
 * are then compiled and have run before the session's first market message, which otherwise paid
 * their first calls ahead of everything else it does (`--log-function-events` on bench/live,
 * 2026-12-07: Receiver getInfo, getData, dataMessage and the rest compiled inside that message).
 * Nothing of it reaches a feed or a session. Resolves with the messages received.
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** About a bookTicker message's size: past 125 bytes, the frames carry a 16-bit length as market messages do. */
const TEXT = JSON.stringify({ stream: 'warm-up@bookTicker', data: { u: 1, s: 'WARMUP', b: '0.00000000', B: '0.00000000', a: '0.00000000', A: '0.00000000', pad: ''.padEnd(48, '0') } });

export async function warmWsReceive(messages = 50, timeoutMs = 5000): Promise<number> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const closeServer = (): Promise<void> => new Promise((resolve) => { for (const c of server.clients) c.terminate(); server.close(() => resolve()); });
  try {
    await new Promise<void>((resolve, reject) => { server.once('listening', resolve); server.once('error', reject); });
    server.on('connection', (peer) => { for (let i = 0; i < messages; i++) peer.send(TEXT); });
    const { port } = server.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`ws receive warm-up: ${received} of ${messages} messages in ${timeoutMs} ms from ws://127.0.0.1:${port}`)), timeoutMs);
        client.on('message', () => { if (++received === messages) { clearTimeout(timer); resolve(); } });
        client.once('error', (e) => { clearTimeout(timer); reject(new Error(`ws receive warm-up: ${e.message}`)); });
      });
    } finally { client.terminate(); }
    return received;
  } finally { await closeServer(); }
}
