/**
 * The prober never hangs: servers that accept and then say nothing (a TCP peer that never
 * answers HTTP, never starts TLS, never greets in SMTP; a DNS server that swallows queries)
 * make each operation settle with a timeout code within its bound, and sockets are closed.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAt } from './http.js';
import { BoundedResolver, withConnection } from './net.js';
import { checkTls } from './tls.js';

let silent: Server;
let port: number;
const held: Socket[] = [];
let dns: UdpSocket;
let dnsPort: number;

beforeAll(async () => {
  silent = createServer((s) => held.push(s)); // accepts, never writes
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as { port: number }).port;
  dns = createSocket('udp4');
  dns.on('message', () => undefined); // swallows every query
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
  dnsPort = dns.address().port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => silent.close(r));
  dns.close();
});

const within = async <T>(boundMs: number, p: Promise<T>): Promise<{ value: T; ms: number }> => {
  const t0 = Date.now();
  const value = await p;
  const ms = Date.now() - t0;
  expect(ms, `settled after ${ms} ms, bound ${boundMs} ms`).toBeLessThan(boundMs);
  return { value, ms };
};

describe('bounded operations against silent peers', () => {
  it('HTTP: connected, no answer -> ETIMEDOUT', async () => {
    const { value } = await within(1500, fetchAt(new URL(`http://www.example.test:${port}/`), '127.0.0.1', 300, 1 << 20));
    expect(value).toMatchObject({ ok: false, error: 'ETIMEDOUT' });
  });

  it('HTTPS and TLS: no handshake -> ETIMEDOUT', async () => {
    expect((await within(1500, fetchAt(new URL(`https://www.example.test:${port}/`), '127.0.0.1', 300, 1 << 20))).value).toMatchObject({ ok: false, error: 'ETIMEDOUT' });
    expect((await within(1500, checkTls('www.example.test', '127.0.0.1', port, undefined, 300, Date.now()))).value).toMatchObject({ ok: false, error: 'ETIMEDOUT' });
  });

  it('SMTP-like: connected, no greeting -> ETIMEDOUT with connected true', async () => {
    const { value } = await within(
      1500,
      withConnection('127.0.0.1', port, 300, (s) => new Promise((resolve) => s.once('data', resolve))),
    );
    expect(value).toMatchObject({ ok: false, error: 'ETIMEDOUT', connected: true });
  });

  it('DNS: a server that never answers -> ETIMEOUT', async () => {
    const r = new BoundedResolver([`127.0.0.1:${dnsPort}`], 400);
    const { value } = await within(2000, r.lookup('www.example.test', 'AAAA'));
    expect(value).toMatchObject({ ok: false, error: 'ETIMEOUT' });
  });

  it("the portal's deadline (abort) ends open sockets at once, and nothing new starts after it", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const [tcp, http, tls] = await Promise.all([
      within(
        1000,
        withConnection('127.0.0.1', port, 5000, (s) => new Promise((resolve) => s.once('data', resolve)), ac.signal),
      ),
      within(1000, fetchAt(new URL(`http://www.example.test:${port}/`), '127.0.0.1', 5000, 1 << 20, ac.signal)),
      within(1000, checkTls('www.example.test', '127.0.0.1', port, undefined, 5000, Date.now(), ac.signal)),
    ]);
    expect([tcp.value.error, http.value.error, tls.value.error]).toEqual(['EABORTED', 'EABORTED', 'EABORTED']);
    expect((await within(50, fetchAt(new URL(`http://www.example.test:${port}/`), '127.0.0.1', 5000, 1 << 20, ac.signal))).value).toMatchObject({ ok: false, error: 'EABORTED', ms: 0 });
  });

  it('a closed port is refused at once', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const { value } = await within(
      1000,
      withConnection('127.0.0.1', p, 5000, () => Promise.resolve(true)),
    );
    expect(value).toMatchObject({ ok: false, error: 'ECONNREFUSED', connected: false });
  });
});
