/**
 * The ipv6 probe on real network stacks: the test builds three network namespaces (unique
 * names), runs the built agent inside them with `ip netns exec`, and asserts the readiness
 * levels and reasons. Addresses are documentation prefixes only (2001:db8::/32, 198.51.100.0/24,
 * 203.0.113.0/24), inside namespaces the test made; nothing leaves them.
 *
 *   up   2001:db8:46::1  -- veth --  v6   2001:db8:46::2 (+ 198.51.100.2), default route via up
 *        203.0.113.1      -- veth --  v4   203.0.113.2 only
 *
 * `up` runs a TCP listener (the outbound target) and a minimal DNS responder on its IPv6
 * address; `v6` runs a dual-stack service on `::`. Needs root and iproute2; `npm test` builds
 * the agent first (or run `npx tsc -b protocol agent`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ipv6Facts, Report } from '@posture/protocol';

const ROOT = resolve(__dirname, '../../../..');
const AGENT_BIN = join(ROOT, 'agent/bin/posture-agent.js');
const id = randomBytes(3).toString('hex');
const NS = { up: `p4up-${id}`, v6: `p4v6-${id}`, v4: `p4v4-${id}` };
const UP6 = '2001:db8:46::1';
const TARGET_PORT = 18443;
const SERVICE_PORT = 18080;
const V4ONLY_PORT = 18081;

const children: ChildProcess[] = [];
const made: string[] = [];
let tmp = '';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const inNs = (ns: string, ...args: string[]) => ip('netns', 'exec', ns, ...args);

/** Start `node -e script` inside a namespace; resolves once it prints "ready". */
function startInNs(ns: string, script: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((res, rej) => {
    let err = '';
    const timer = setTimeout(() => rej(new Error(`process in ${ns} not ready after 10 s: ${err}`)), 10_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        res(child);
      }
    });
    child.once('exit', (code) => rej(new Error(`process in ${ns} exited with ${code}: ${err}`)));
  });
}

const UDP_PORT = 18053;
/** A UDP server (as a DNS or syslog server is): bound, waiting for datagrams. */
const udpListener = (type: 'udp4' | 'udp6', host: string, port: number) => `require('dgram').createSocket('${type}').bind(${port}, '${host}', () => console.log('ready'))`;

const tcpListener = (host: string, port: number) => `require('net').createServer((s) => s.end()).listen(${port}, '${host}', () => console.log('ready'))`;

/**
 * A tiny authoritative DNS server: portal.test has A and AAAA, legacy.test only A, every other
 * name is NXDOMAIN. Enough for the probe's service lookups and resolver reachability.
 */
const dnsResponder = `
const RECORDS = { 'portal.test': { 1: [198, 51, 100, 2], 28: [...Buffer.from('20010db8004600000000000000000002', 'hex')] }, 'legacy.test': { 1: [198, 51, 100, 3] } };
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const s = require('dgram').createSocket('udp6');
s.on('message', (m, r) => {
  const labels = []; let i = 12;
  while (m[i]) { labels.push(m.toString('latin1', i + 1, i + 1 + m[i])); i += m[i] + 1; }
  i += 1;
  const qtype = m.readUInt16BE(i), name = labels.join('.').toLowerCase(), known = RECORDS[name], rdata = known && known[qtype];
  const h = Buffer.alloc(12); m.copy(h, 0, 0, 2);
  h[2] = 0x84 | (m[2] & 1); h[3] = known ? 0x80 : 0x83; h.writeUInt16BE(1, 4); h.writeUInt16BE(rdata ? 1 : 0, 6);
  const answer = rdata ? Buffer.concat([Buffer.from([0xc0, 0x0c]), u16(qtype), u16(1), Buffer.from([0, 0, 0, 60]), u16(rdata.length), Buffer.from(rdata)]) : Buffer.alloc(0);
  s.send(Buffer.concat([h, m.subarray(12, i + 4), answer]), r.port, r.address);
});
s.bind(53, '${UP6}', () => console.log('ready'));`;

/** Run the built agent inside a namespace and return its ipv6 facts. */
function probeIn(ns: string, outboundTarget?: string, services: string[] = []): Ipv6Facts {
  const conf = join(tmp, `${ns}-${randomBytes(4).toString('hex')}.yaml`);
  const ipv6 = [...(outboundTarget ? [`  outboundTarget: "${outboundTarget}"`] : []), ...(services.length ? [`  services: [${services.join(', ')}]`] : [])];
  writeFileSync(conf, [`unit: test-unit`, `stateDir: ${join(tmp, 'state')}`, `probes:`, `  disabled: [protection, baseline]`, ...(ipv6.length ? ['ipv6:', ...ipv6] : [])].join('\n'));
  const out = inNs(ns, process.execPath, AGENT_BIN, '-c', conf, 'collect', '--once', '--json');
  const report = JSON.parse(out) as Report;
  const r = report.probes.ipv6;
  if (!r?.ok) throw new Error(`ipv6 probe failed in ${ns}: ${JSON.stringify(r)}`);
  return r.facts;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'agent/dist/cli.js'))) throw new Error('agent/dist missing: run `npx tsc -b protocol agent` (npm test does) before this test');
  tmp = mkdtempSync(join(tmpdir(), 'p4-netns-'));
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns); // fails loudly without root / netns support: this test needs both
    made.push(ns);
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
  }
  // `ip netns exec` bind-mounts /etc/netns/<name>/resolv.conf over /etc/resolv.conf.
  for (const [ns, server] of [
    [NS.v6, UP6],
    [NS.v4, '203.0.113.1'],
  ] as const) {
    mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/resolv.conf`, `nameserver ${server}\n`);
  }
  ip('link', 'add', `u6-${id}`, 'netns', NS.up, 'type', 'veth', 'peer', 'name', `h6-${id}`, 'netns', NS.v6);
  ip('link', 'add', `u4-${id}`, 'netns', NS.up, 'type', 'veth', 'peer', 'name', `h4-${id}`, 'netns', NS.v4);
  const addrs: [string, string, string][] = [
    [NS.up, `u6-${id}`, `${UP6}/64`],
    [NS.up, `u6-${id}`, '198.51.100.1/24'],
    [NS.v6, `h6-${id}`, '2001:db8:46::2/64'],
    [NS.v6, `h6-${id}`, '198.51.100.2/24'],
    [NS.up, `u4-${id}`, '203.0.113.1/24'],
    [NS.v4, `h4-${id}`, '203.0.113.2/24'],
  ];
  for (const [ns, dev, cidr] of addrs) inNs(ns, 'ip', 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : []));
  for (const [ns, dev] of [
    [NS.up, `u6-${id}`],
    [NS.up, `u4-${id}`],
    [NS.v6, `h6-${id}`],
    [NS.v4, `h4-${id}`],
  ] as const)
    inNs(ns, 'ip', 'link', 'set', dev, 'up');
  await Promise.all([startInNs(NS.up, tcpListener(UP6, TARGET_PORT)), startInNs(NS.up, dnsResponder), startInNs(NS.v6, tcpListener('::', SERVICE_PORT))]);
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of made) {
    try {
      ip('netns', 'del', ns);
    } catch (e) {
      console.error(`could not delete namespace ${ns}: ${(e as Error).message}`);
    }
    rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('ipv6 probe in network namespaces', () => {
  it('an IPv4-only host is at level none, for want of a global address', () => {
    const f = probeIn(NS.v4);
    expect(f.enabled).toBe(true);
    expect(f.addresses.filter((a) => a.scope === 'global')).toEqual([]);
    expect(f.addresses.some((a) => a.scope === 'link-local' && a.interface === `h4-${id}`)).toBe(true);
    expect(f.readiness).toBe('none');
    expect(f.reasons).toEqual(['no global unicast IPv6 address']);
    expect(f.dns.ipv6ResolverReachable).toBeNull();
  });

  it('a host with IPv6 switched off by sysctl says so', () => {
    inNs(NS.v4, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1');
    const f = probeIn(NS.v4);
    expect(f.enabled).toBe(false);
    expect(f.disabledBy).toBe('net.ipv6.conf.all.disable_ipv6=1');
    expect(f.readiness).toBe('none');
    expect(f.reasons[0]).toMatch(/IPv6 disabled in the kernel/);
  });

  it('a global address without a default route is level address', () => {
    const f = probeIn(NS.v6);
    expect(f.addresses).toContainEqual({ interface: `h6-${id}`, address: '2001:db8:46::2', prefixLength: 64, scope: 'global' });
    expect(f.defaultRoute).toBe(false);
    expect(f.readiness).toBe('address');
    expect(f.reasons).toEqual(['no IPv6 default route (::/0)']);
  });

  it('with a default route, an IPv4-only service keeps the host at routed, naming the socket', async () => {
    inNs(NS.v6, 'ip', '-6', 'route', 'add', 'default', 'via', UP6);
    const v4only = await startInNs(NS.v6, tcpListener('198.51.100.2', V4ONLY_PORT));
    const f = probeIn(NS.v6, `[${UP6}]:${TARGET_PORT}`);
    v4only.kill('SIGKILL');
    await new Promise((r) => v4only.once('exit', r));
    expect(f.defaultRoute).toBe(true);
    expect(f.listeners).toContainEqual({ port: V4ONLY_PORT, bind: '198.51.100.2', family: 'ipv4', process: 'node' });
    expect(f.readiness).toBe('routed');
    expect(f.reasons).toEqual([`TCP 198.51.100.2:${V4ONLY_PORT} (node) listens on IPv4 only`]);
  });

  it('a UDP service on IPv4 only (as a DNS server often is) keeps the host at routed; on :: it counts as dual-stack', async () => {
    const udp4 = await startInNs(NS.v6, udpListener('udp4', '198.51.100.2', UDP_PORT));
    const f = probeIn(NS.v6, `[${UP6}]:${TARGET_PORT}`);
    udp4.kill('SIGKILL');
    await new Promise((r) => udp4.once('exit', r));
    expect(f.listeners).toContainEqual({ protocol: 'udp', port: UDP_PORT, bind: '198.51.100.2', family: 'ipv4', process: 'node' });
    expect(f.readiness).toBe('routed');
    expect(f.reasons).toEqual([`UDP 198.51.100.2:${UDP_PORT} (node) listens on IPv4 only`]);
    expect(f.reasonCodes).toEqual([{ code: 'IPV6_LISTENER_IPV4_ONLY', params: { protocol: 'UDP', bind: '198.51.100.2', port: UDP_PORT, process: 'node' } }]);
    const udp6 = await startInNs(NS.v6, udpListener('udp6', '::', UDP_PORT));
    const g = probeIn(NS.v6, `[${UP6}]:${TARGET_PORT}`);
    udp6.kill('SIGKILL');
    await new Promise((r) => udp6.once('exit', r));
    expect(g.listeners).toContainEqual({ protocol: 'udp', port: UDP_PORT, bind: '::', family: 'dual-stack', process: 'node' });
    expect(g.readiness).toBe('ready');
  });

  it('dual-stack services, a served name with AAAA, IPv6 DNS and outbound IPv6 make the host ready', () => {
    const f = probeIn(NS.v6, `[${UP6}]:${TARGET_PORT}`, ['portal.test']);
    expect(f.services).toEqual([{ name: 'portal.test', a: ['198.51.100.2'], aaaa: ['2001:db8:46::2'], error: null }]);
    expect(f.listeners).toContainEqual({ port: SERVICE_PORT, bind: '::', family: 'dual-stack', process: 'node' });
    expect(f.dns).toMatchObject({ resolvers: [UP6], ipv6ResolverReachable: true });
    expect(f.outbound).toMatchObject({ target: `[${UP6}]:${TARGET_PORT}`, reachable: true, error: null });
    expect(f.readiness).toBe('ready');
    expect(f.reasons).toEqual([]);
  });

  it('a served name without AAAA stops the host at dual-stack-services', () => {
    const f = probeIn(NS.v6, `[${UP6}]:${TARGET_PORT}`, ['portal.test', 'legacy.test']);
    expect(f.services[1]).toEqual({ name: 'legacy.test', a: ['198.51.100.3'], aaaa: [], error: null });
    expect(f.readiness).toBe('dual-stack-services');
    expect(f.reasons).toEqual(['service name legacy.test has no AAAA record']);
  });

  it('a refused outbound target stops the host at dual-stack-services, with the error', () => {
    const f = probeIn(NS.v6, `[${UP6}]:${TARGET_PORT + 1}`);
    expect(f.outbound).toMatchObject({ reachable: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(f.readiness).toBe('dual-stack-services');
    expect(f.reasons).toEqual([expect.stringMatching(new RegExp(`^outbound IPv6 to \\[${UP6}\\]:${TARGET_PORT + 1} failed: .*ECONNREFUSED`))]);
  });
});
