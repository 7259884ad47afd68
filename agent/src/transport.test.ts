/**
 * The transport against real loopback servers: answers read whole, a kept-alive connection
 * reused, a silent server and a closed port failing with their codes within the deadlines.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Transport, TransportError } from './transport.js';

const servers: (http.Server | net.Server)[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
const listen = async <S extends http.Server | net.Server>(s: S, host = '127.0.0.1'): Promise<number> => {
  servers.push(s);
  s.on('connection', (c: net.Socket) => sockets.push(c));
  await new Promise<void>((r) => s.listen(0, host, r));
  return (s.address() as AddressInfo).port;
};
const opts = { connectTimeoutMs: 2000, timeoutMs: 500 };

describe('transport', () => {
  it('posts the body, returns status, headers and the whole answer, and reuses the connection', async () => {
    const peers = new Set<number>();
    const seen: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        peers.add(req.socket.remotePort ?? 0);
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
          res.writeHead(503, { 'retry-after': '7' }).end('x'.repeat(100_000));
        });
      }),
    );
    const t = new Transport(new URL(`http://127.0.0.1:${port}/base/`), opts);
    const a = await t.post('api/v1/reports', Buffer.from('{"a":1}'), { 'content-type': 'application/json' });
    const b = await t.post('api/v1/reports', Buffer.from('{"b":2}'), { 'content-type': 'application/json' });
    t.close();
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('7');
    expect(a.body.length).toBe(100_000);
    expect(b.status).toBe(503);
    expect(seen).toEqual(['POST /base/api/v1/reports application/json {"a":1}', 'POST /base/api/v1/reports application/json {"b":2}']);
    expect(peers.size).toBe(1);
  });

  it('a server that accepts and never answers fails with ETIMEDOUT after the answer timeout', async () => {
    const port = await listen(net.createServer(() => {}));
    const t = new Transport(new URL(`http://127.0.0.1:${port}/`), opts);
    const started = Date.now();
    const err = await t.post('x', Buffer.from('{}'), {}).catch((e: unknown) => e);
    t.close();
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('a closed port fails with ECONNREFUSED, over IPv6 too', async () => {
    const s = net.createServer();
    const port = await listen(s, '::1');
    await new Promise((r) => s.close(r));
    servers.splice(servers.indexOf(s), 1);
    const t = new Transport(new URL(`http://[::1]:${port}/`), opts);
    const err = await t.post('x', Buffer.from('{}'), {}).catch((e: unknown) => e);
    t.close();
    expect((err as TransportError).code).toBe('ECONNREFUSED');
  });

  it('through a proxy, opens a CONNECT tunnel per request, closes it after the answer, and a refusal names the status', async () => {
    const target = await listen(http.createServer((_req, res) => res.end('{"ok":true}')));
    const connects: string[] = [];
    const tunnelClosed: Promise<void>[] = [];
    let refuse = false;
    const proxy = http.createServer();
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
      connects.push(req.url ?? '');
      tunnelClosed.push(new Promise((r) => client.once('close', () => r())));
      if (refuse) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      const [host, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        up.pipe(client).pipe(up);
      });
      up.on('error', () => client.destroy());
    });
    const proxyPort = await listen(proxy);
    const t = new Transport(new URL(`http://127.0.0.1:${target}/`), { ...opts, proxy: `http://127.0.0.1:${proxyPort}` });
    const ok = await t.post('r', Buffer.from('{}'), {});
    // The tunnel is not pooled: the agent closes it (an open one would keep the CLI alive).
    await tunnelClosed[0];
    refuse = true;
    const err = await t.post('r', Buffer.from('{}'), {}).catch((e: unknown) => e);
    t.close();
    expect(ok).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(connects).toEqual([`127.0.0.1:${target}`, `127.0.0.1:${target}`]);
    expect((err as TransportError).code).toBe('ERR_PROXY_CONNECT');
    expect((err as TransportError).message).toMatch(/403/);
  });
});
