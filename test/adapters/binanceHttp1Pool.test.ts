/**
 * The order connection pool against real local servers: node:http (keep-alive, Content-Length and
 * chunked answers, Connection: close) and raw TCP servers for what node:http never sends (answers
 * split byte by byte, a body ended by the close, a malformed status line, silence, a dropped
 * connection). Every failure must surface as an Http1Error with its code, never as an answer.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Error, Http1Pool, parseResponse } from '../../src/adapters/binance/Http1Pool.ts';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });

async function listen(server: net.Server): Promise<URL> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => { server.close(() => r()); (server as http.Server).closeAllConnections?.(); }));
  return new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
}

function pool(url: URL, o: Partial<ConstructorParameters<typeof Http1Pool>[1]> = {}): Http1Pool {
  const p = new Http1Pool(url, { timeoutMs: 2000, size: 1, headers: { 'X-MBX-APIKEY': 'k1' }, ...o });
  closers.push(() => p.close());
  return p;
}

/** A raw TCP server: `reply` gets each connection's first request (head + body) and writes what it wants. */
async function rawServer(reply: (sock: net.Socket, request: string) => void): Promise<URL> {
  const server = net.createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      const req = buf;
      buf = '';
      reply(sock, req);
    });
    sock.on('error', () => { /* the client may reset */ });
  });
  return listen(server);
}

async function failure(p: Promise<unknown>): Promise<Http1Error> {
  try { await p; } catch (e) { if (e instanceof Http1Error) return e; throw e; }
  throw new Error('expected the request to fail');
}

describe('Http1Pool against node:http', () => {
  it('sends the request bytes as given, reuses one connection, reads Content-Length and chunked answers', async () => {
    const seen: { method: string; url: string; key: string | undefined; type: string | undefined; body: string }[] = [];
    let connections = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, key: req.headers['x-mbx-apikey'] as string | undefined, type: req.headers['content-type'], body });
        if (req.url === '/chunked') { res.write('{"a":'); setTimeout(() => res.end('1}'), 5); } else res.end(JSON.stringify({ echo: body }));
      });
    });
    server.on('connection', () => { connections++; });
    const url = await listen(server);
    const p = pool(url);
    await p.fill();
    const r1 = await p.request('POST', '/api/v3/order', 'symbol=BTCUSDT&signature=ab', 'application/x-www-form-urlencoded');
    const r2 = await p.request('GET', '/chunked', '', undefined);
    const r3 = await p.request('POST', '/x', 'q=1', 'application/x-www-form-urlencoded');
    expect([r1.status, JSON.parse(r1.body)]).toEqual([200, { echo: 'symbol=BTCUSDT&signature=ab' }]);
    expect([r2.status, r2.headers['transfer-encoding'], r2.body]).toEqual([200, 'chunked', '{"a":1}']);
    expect(JSON.parse(r3.body)).toEqual({ echo: 'q=1' });
    expect(seen.map((s) => [s.method, s.url, s.key, s.type])).toEqual([
      ['POST', '/api/v3/order', 'k1', 'application/x-www-form-urlencoded'], ['GET', '/chunked', 'k1', undefined], ['POST', '/x', 'k1', 'application/x-www-form-urlencoded'],
    ]);
    expect(connections).toBe(1);
  });

  it('opens a new connection after an answer with Connection: close, and when every connection is busy', async () => {
    let connections = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/close') res.setHeader('Connection', 'close');
        setTimeout(() => res.end(req.url), req.url === '/slow' ? 50 : 0);
      });
    });
    server.on('connection', () => { connections++; });
    const url = await listen(server);
    const p = pool(url);
    await p.fill();
    expect((await p.request('GET', '/close', '', undefined)).body).toBe('/close');
    expect((await p.request('GET', '/after', '', undefined)).body).toBe('/after');
    const both = await Promise.all([p.request('GET', '/slow', '', undefined), p.request('GET', '/second', '', undefined)]);
    expect(both.map((r) => r.body)).toEqual(['/slow', '/second']);
    expect(connections).toBeGreaterThanOrEqual(3);
  });

  it('replaces a connection idle longer than idleMs before using it again', async () => {
    const ports: number[] = [];
    const server = http.createServer((req, res) => { ports.push(req.socket.remotePort!); req.resume(); req.on('end', () => res.end('ok')); });
    const url = await listen(server);
    const p = pool(url, { idleMs: 100 });
    await p.fill();
    await p.request('GET', '/1', '', undefined);
    await new Promise((r) => setTimeout(r, 400));
    await p.request('GET', '/2', '', undefined);
    expect(ports).toHaveLength(2);
    expect(ports[0]).not.toBe(ports[1]);
  });
});

describe('Http1Pool against raw TCP servers', () => {
  it('reads an answer that arrives one byte at a time', async () => {
    const body = '{"code":-2010,"msg":"Duplicate order sent."}';
    const answer = `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const url = await rawServer((sock) => {
      let i = 0;
      const t = setInterval(() => { if (i >= answer.length) { clearInterval(t); return; } sock.write(answer[i++]!); }, 0);
    });
    const r = await pool(url).request('POST', '/o', 'a=1', 'application/x-www-form-urlencoded');
    expect([r.status, r.statusText, r.body]).toEqual([400, 'Bad Request', body]);
  });

  it('takes a body without a length up to the close', async () => {
    const url = await rawServer((sock) => { sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it'); });
    const r = await pool(url).request('GET', '/', '', undefined);
    expect([r.status, r.body]).toEqual([200, 'all of it']);
  });

  it('fails with EPROTO on a malformed status line, ECONNRESET on a close before the answer, ETIMEDOUT on silence', async () => {
    const bad = await rawServer((sock) => { sock.write('HTTX/9 nope\r\n\r\n'); });
    expect((await failure(pool(bad).request('GET', '/', '', undefined))).code).toBe('EPROTO');
    const drop = await rawServer((sock) => { sock.destroy(); });
    expect((await failure(pool(drop).request('GET', '/', '', undefined))).code).toBe('ECONNRESET');
    const silent = await rawServer(() => { /* never answers */ });
    const t0 = Date.now();
    const e = await failure(pool(silent, { timeoutMs: 150 }).request('POST', '/o', 'a=1', 'application/x-www-form-urlencoded'));
    expect(e.code).toBe('ETIMEDOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('fails with a socket error code when nothing listens', async () => {
    const server = net.createServer();
    const url = await listen(server);
    await new Promise<void>((r) => server.close(() => r()));
    expect((await failure(pool(url).request('GET', '/', '', undefined))).code).toBe('ECONNREFUSED');
  });
});

describe('parseResponse', () => {
  it('waits for the whole chunked body (extensions and trailers included) and reports the bytes used', () => {
    const full = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n');
    for (let n = 0; n < full.length; n++) expect(parseResponse(full.subarray(0, n), false)).toBeUndefined();
    const r = parseResponse(full, false)!;
    expect([r.res.body, r.used, r.close]).toEqual(['Wikipedia in \r\n\r\nchunks.', full.length, false]);
  });

  it('reads HTTP/1.0 as closing unless keep-alive, and repeated headers joined', () => {
    const r = parseResponse(Buffer.from('HTTP/1.0 503 Service Unavailable\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\nno'), false)!;
    expect([r.res.status, r.res.headers['x-a'], r.res.body, r.close]).toEqual([503, '1, 2', 'no', true]);
    expect(() => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), false)).toThrow(/content-length/);
  });
});
