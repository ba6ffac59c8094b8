/**
 * A small pool of persistent HTTP/1.1 connections (plain TCP or TLS) for the order hot path: a request
 * is one preformatted string written to an idle connection with one `socket.write`, so nothing runs
 * between "the body is signed" and "the bytes are in the socket" but a string concatenation. node:http
 * (ClientRequest, agent, header validation) costs more than the rest of the path put together in the
 * tick-to-order bench; this is what replaces it for new orders. Everything else stays on ccxt.
 *
 * One request at a time per connection (no pipelining). Answers: status line, headers, a body by
 * Content-Length or chunked transfer coding, or read to the close. A connection idle for `idleMs` is
 * closed by us and replaced in the background, before the server's keep-alive timeout can close it
 * under a request; when no connection is idle a new one is opened for the request (it goes out on
 * connect). A request fails with `Http1Error` on a socket error, a close before the whole answer, a
 * malformed answer (code 'EPROTO') or no answer within `timeoutMs` (code 'ETIMEDOUT'); the caller
 * decides what that means (for orders: unknown outcome, resolved by query).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';

export interface Http1Response {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; repeated headers joined with ', '. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class Http1Error extends Error {
  constructor(message: string, readonly code: string) { super(message); this.name = 'Http1Error'; }
}

export interface Http1PoolOptions {
  /** Connections kept open (default 4). */
  readonly size?: number;
  /** A connection unused this long is replaced (default 4000 ms, under node's 5 s server default). */
  readonly idleMs?: number;
  readonly timeoutMs: number;
  /** Header lines sent with every request, e.g. `X-MBX-APIKEY: ...` (no CR/LF inside a value). */
  readonly headers?: Readonly<Record<string, string>>;
}

interface Pending {
  readonly resolve: (r: Http1Response) => void;
  readonly reject: (e: Error) => void;
  /** ms (performance.now()) after which the request fails with ETIMEDOUT (see `sweep`). */
  readonly deadlineMs: number;
  readonly method: string;
  readonly path: string;
}

interface Conn {
  readonly sock: net.Socket;
  open: boolean;
  closed: boolean;
  lastUsedMs: number;
  pending: Pending | undefined;
  /** A request waiting for the connect. */
  queued: string | undefined;
  buf: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

export class Http1Pool {
  /** Requests written at once on an idle connection, or held for a connection being opened. */
  readonly stats = { immediate: 0, waitedForConnect: 0, connects: 0 };
  private readonly conns: Conn[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly tls: boolean;
  private readonly fixedHead: string;
  private readonly reaper: NodeJS.Timeout;
  private readonly sweeper: NodeJS.Timeout;
  private stopped = false;

  constructor(readonly base: URL, private readonly o: Http1PoolOptions) {
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`Http1Pool: ${base.href} is not an http(s) URL`);
    this.tls = base.protocol === 'https:';
    this.host = base.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(base.port || (this.tls ? 443 : 80));
    let head = `Host: ${base.host}\r\n`;
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`Http1Pool: header ${k} contains a line break`);
      head += `${k}: ${v}\r\n`;
    }
    this.fixedHead = head;
    const idleMs = o.idleMs ?? 4000;
    this.reaper = setInterval(() => this.reap(idleMs), Math.max(50, Math.floor(idleMs / 4)));
    this.reaper.unref();
    // Request timeouts: one interval checks the deadlines of the requests in flight instead of a
    // setTimeout armed (and cleared) per request, which ran between one order's write and the next
    // order of the same market message (tick-to-order, bench/live). A request fails between
    // timeoutMs and timeoutMs + the period (a tenth of timeoutMs, 5-100 ms).
    this.sweeper = setInterval(() => this.sweep(), Math.min(100, Math.max(5, Math.floor(o.timeoutMs / 10))));
    this.sweeper.unref();
  }

  /** Opens connections up to the pool size; resolves when they are connected. */
  async fill(): Promise<void> {
    const want = (this.o.size ?? 4) - this.live();
    const opening: Promise<void>[] = [];
    for (let i = 0; i < want; i++) {
      const c = this.connect();
      opening.push(new Promise((resolve, reject) => {
        if (c.open) { resolve(); return; }
        c.sock.once(this.tls ? 'secureConnect' : 'connect', () => resolve());
        c.sock.once('error', reject);
      }));
    }
    await Promise.all(opening);
  }

  /**
   * Sends one request. Synchronous up to the socket write when an idle connection exists; `onOut` is
   * called just before the bytes are handed to the socket. `body` must be ASCII (form-urlencoded).
   */
  request(method: string, path: string, body: string, contentType: string | undefined, onOut?: () => void): Promise<Http1Response> {
    if (this.stopped) return Promise.reject(new Http1Error('Http1Pool: closed', 'ECLOSED'));
    const bytes = this.format(method, path, body, contentType);
    let c: Conn | undefined;
    for (let i = 0; i < this.conns.length; i++) {
      const k = this.conns[i]!;
      if (k.open && !k.closed && k.pending === undefined) { c = k; break; }
    }
    c ??= this.connect();
    const conn = c;
    return new Promise<Http1Response>((resolve, reject) => {
      conn.pending = { resolve, reject, deadlineMs: performance.now() + this.o.timeoutMs, method, path };
      onOut?.();
      if (conn.open) { this.stats.immediate++; conn.sock.write(bytes, 'latin1'); } else { this.stats.waitedForConnect++; conn.queued = bytes; }
      conn.lastUsedMs = Date.now();
    });
  }

  /** The request's bytes (latin1): request line, fixed headers, content headers, body. */
  format(method: string, path: string, body: string, contentType: string | undefined): string {
    return `${method} ${path} HTTP/1.1\r\n${this.fixedHead}${contentType ? `Content-Type: ${contentType}\r\n` : ''}Content-Length: ${body.length}\r\n\r\n${body}`;
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.reaper);
    clearInterval(this.sweeper);
    for (const c of [...this.conns]) this.fail(c, new Http1Error('Http1Pool: closed', 'ECLOSED'));
  }

  /** Fails every request past its deadline (ETIMEDOUT): its connection is closed and replaced. */
  private sweep(): void {
    const now = performance.now();
    for (const c of [...this.conns]) {
      const p = c.pending;
      if (p !== undefined && now >= p.deadlineMs) this.fail(c, new Http1Error(`${p.method} ${this.base.origin}${p.path}: no answer within ${this.o.timeoutMs} ms`, 'ETIMEDOUT'));
    }
  }

  /** Connections open with no request in flight (what `request` would write to at once). */
  idle(): number { let n = 0; for (const c of this.conns) if (c.open && !c.closed && c.pending === undefined) n++; return n; }

  private live(): number { let n = 0; for (const c of this.conns) if (!c.closed) n++; return n; }

  private connect(): Conn {
    const sock = this.tls
      ? tls.connect({ host: this.host, port: this.port, servername: net.isIP(this.host) ? undefined : this.host, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: this.host, port: this.port });
    sock.setNoDelay(true);
    this.stats.connects++;
    const c: Conn = { sock, open: false, closed: false, lastUsedMs: Date.now(), pending: undefined, queued: undefined, buf: Buffer.alloc(0) };
    this.conns.push(c);
    sock.once(this.tls ? 'secureConnect' : 'connect', () => {
      c.open = true;
      c.lastUsedMs = Date.now();
      if (c.queued !== undefined) { const q = c.queued; c.queued = undefined; sock.write(q, 'latin1'); }
    });
    sock.on('data', (d: Buffer) => this.onData(c, d));
    sock.on('error', (e: Error) => this.fail(c, new Http1Error(`${this.base.origin}: ${e.message}`, (e as NodeJS.ErrnoException).code ?? 'ESOCKET')));
    sock.on('close', () => {
      // An answer without a length ends at the close.
      if (c.pending !== undefined && c.buf.length > 0 && !c.closed) {
        let r: { res: Http1Response } | undefined;
        try { r = parseResponse(c.buf, true); } catch (e) { this.fail(c, new Http1Error(`${this.base.origin}: ${(e as Error).message}`, 'EPROTO')); return; }
        if (r !== undefined) {
          const p = c.pending;
          c.pending = undefined;
          this.fail(c, new Http1Error('closed', 'ECLOSED'));
          p.resolve(r.res);
          return;
        }
      }
      this.fail(c, new Http1Error(`${this.base.origin}: connection closed before the whole answer`, 'ECONNRESET'));
    });
    return c;
  }

  /** Ends a connection; its request (if any) fails with `e`. Refills the pool in the background. */
  private fail(c: Conn, e: Error): void {
    if (!c.closed) {
      c.closed = true;
      c.sock.destroy();
      const i = this.conns.indexOf(c);
      if (i >= 0) this.conns.splice(i, 1);
      // Refill only after a connection that worked: a venue that refuses connections is not retried
      // in a loop here (the next request opens one and fails on its own).
      if (c.open) this.refill();
    }
    const p = c.pending;
    if (p) { c.pending = undefined; p.reject(e); }
  }

  /** Back to the pool size, in the background (never on the request path). */
  private refill(): void {
    if (this.stopped) return;
    setImmediate(() => { if (!this.stopped && this.live() < (this.o.size ?? 4)) this.connect(); });
  }

  private reap(idleMs: number): void {
    const now = Date.now();
    for (const c of [...this.conns]) if (c.open && c.pending === undefined && now - c.lastUsedMs > idleMs) this.fail(c, new Http1Error('idle', 'EIDLE'));
  }

  private onData(c: Conn, d: Buffer): void {
    if (c.pending === undefined) { this.fail(c, new Http1Error(`${this.base.origin}: bytes with no request in flight`, 'EPROTO')); return; }
    c.buf = c.buf.length === 0 ? d : Buffer.concat([c.buf, d]);
    let r: { res: Http1Response; used: number; close: boolean } | undefined;
    try { r = parseResponse(c.buf, false); } catch (e) { this.fail(c, new Http1Error(`${this.base.origin}: ${(e as Error).message}`, 'EPROTO')); return; }
    if (r === undefined) return;
    if (r.used !== c.buf.length) { this.fail(c, new Http1Error(`${this.base.origin}: ${c.buf.length - r.used} bytes after the answer`, 'EPROTO')); return; }
    c.buf = Buffer.alloc(0);
    const p = c.pending;
    c.pending = undefined;
    c.lastUsedMs = Date.now();
    if (r.close) { c.closed = true; c.sock.end(); const i = this.conns.indexOf(c); if (i >= 0) this.conns.splice(i, 1); this.refill(); }
    p.resolve(r.res);
  }
}

/**
 * One HTTP/1.1 answer from the start of `buf`: undefined while incomplete. `atEof`: the connection
 * closed, so a body without a length ends here. Throws on a malformed answer.
 */
export function parseResponse(buf: Buffer, atEof: boolean): { res: Http1Response; used: number; close: boolean } | undefined {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) { if (buf.length > 65536) throw new Error('answer head over 64 KiB'); return undefined; }
  const lines = buf.toString('latin1', 0, headEnd).split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
  if (!m) throw new Error(`bad status line '${lines[0]!.slice(0, 80)}'`);
  const status = Number(m[2]);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const k = l.indexOf(':');
    if (k <= 0) throw new Error(`bad header line '${l.slice(0, 80)}'`);
    const name = l.slice(0, k).trim().toLowerCase();
    const v = l.slice(k + 1).trim();
    headers[name] = headers[name] === undefined ? v : `${headers[name]}, ${v}`;
  }
  const conn = (headers.connection ?? '').toLowerCase();
  let close = m[1] === '0' ? !conn.includes('keep-alive') : conn.includes('close');
  let pos = headEnd + 4;
  let body: string;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) body = '';
  else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
    const parts: string[] = [];
    for (;;) {
      const eol = buf.indexOf(CRLF, pos);
      if (eol < 0) return undefined;
      const size = parseInt(buf.toString('latin1', pos, eol).split(';')[0]!.trim(), 16);
      if (!Number.isFinite(size) || size < 0) throw new Error('bad chunk size');
      pos = eol + 2;
      if (size === 0) {
        // Trailer lines, then an empty line.
        for (;;) {
          const e2 = buf.indexOf(CRLF, pos);
          if (e2 < 0) return undefined;
          const empty = e2 === pos;
          pos = e2 + 2;
          if (empty) break;
        }
        break;
      }
      if (buf.length < pos + size + 2) return undefined;
      parts.push(buf.toString('utf8', pos, pos + size));
      pos += size + 2;
    }
    body = parts.join('');
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad content-length '${headers['content-length']}'`);
    if (buf.length < pos + n) return undefined;
    body = buf.toString('utf8', pos, pos + n);
    pos += n;
  } else {
    // No length: the body runs to the close.
    if (!atEof) return undefined;
    body = buf.toString('utf8', pos);
    pos = buf.length;
    close = true;
  }
  return { res: { status, statusText: m[3] ?? '', headers, body }, used: pos, close };
}
