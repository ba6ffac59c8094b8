/**
 * A venue's private WebSocket (order and execution pushes) as OKX v5 and Bybit v5 run it: open,
 * a handshake of requests and their answers (log in / authenticate, subscribe), then every message
 * is a push for the adapter, with a keep-alive ping on a timer. The venue-specific parts are the
 * handshake, how a frame is read (OKX answers its ping with a bare `pong`) and the ping's text.
 *
 * During the handshake the frames queue and the handshake reads them in order with `next()`;
 * pushes that arrive with the subscription's answer stay queued and go to `onPush` once the handshake
 * is done, so none is lost or applied before the subscription is confirmed. A handshake that throws
 * (a refusal, the socket closing) leaves no listener and no socket behind.
 */
import WebSocket from 'ws';

export interface PrivateSocketOptions {
  readonly url: string;
  /** For messages: 'okx private socket'. */
  readonly label: string;
  /** A frame as an object, or undefined for a frame that is not a message (a bare pong). */
  readonly parse: (text: string) => Record<string, unknown> | undefined;
  /** Sends the venue's requests with `send` and reads their answers with `next` (in arrival order). */
  readonly handshake: (send: (text: string) => void, next: () => Promise<Record<string, unknown>>) => Promise<void>;
  readonly onPush: (message: Record<string, unknown>) => void;
  /** The socket closed after the handshake (not called for `close()`). */
  readonly onClose: () => void;
  readonly log?: (line: string) => void;
  readonly pingText: string;
  readonly pingEveryMs: number;
}

export class PrivateSocket {
  private constructor(private readonly ws: WebSocket, private readonly pingTimer: NodeJS.Timeout) {}

  /** Opens the socket and runs the handshake; rejects (socket gone) when either fails. */
  static async open(o: PrivateSocketOptions): Promise<PrivateSocket> {
    const ws = new WebSocket(o.url);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const answers: Record<string, unknown>[] = [];
    let wake: (() => void) | undefined;
    const onSetup = (raw: WebSocket.RawData): void => {
      const m = o.parse(raw.toString());
      if (m !== undefined) { answers.push(m); wake?.(); }
    };
    ws.on('message', onSetup);
    const closed = new Promise<never>((_r, reject) => ws.once('close', () => reject(new Error(`${o.label} closed during the handshake`))));
    closed.catch(() => { /* read through `next`; after the handshake the close listener below takes over */ });
    const queued = async (): Promise<Record<string, unknown>> => {
      while (answers.length === 0) await new Promise<void>((r) => { wake = r; });
      return answers.shift()!;
    };
    try {
      await o.handshake((text) => ws.send(text), () => Promise.race([queued(), closed]));
    } catch (e) {
      terminate(ws);
      throw e;
    }
    ws.removeAllListeners('close');
    ws.off('message', onSetup);
    for (const a of answers) o.onPush(a); // pushes that came with the subscription's answer
    ws.on('message', (raw: WebSocket.RawData) => { const m = o.parse(raw.toString()); if (m !== undefined) o.onPush(m); });
    ws.on('error', (e: Error) => o.log?.(`${o.label} error: ${e.message}`));
    ws.on('close', () => o.onClose());
    const pingTimer = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send(o.pingText); }, o.pingEveryMs);
    return new PrivateSocket(ws, pingTimer);
  }

  /** Closes without calling `onClose`. */
  close(): void {
    clearInterval(this.pingTimer);
    terminate(this.ws);
  }
}

function terminate(ws: WebSocket): void {
  ws.removeAllListeners();
  ws.on('error', () => {});
  ws.terminate();
}
