/**
 * ipv6 local facts from recorded outputs, and the readiness ladder. Only the local part is
 * replayed here (collectLinux/collectWindows): the network actions would send packets to the
 * fixture's addresses; they are exercised for real in netns.integration.test.ts.
 *  - testdata/linux-dualstack: /proc/net files and `ss -H -t -l -n -p` recorded in a network
 *    namespace (kernel 6.18, iproute2 6.1) with listeners on *:443, [::]:8443, 198.51.100.2:8080
 *    and 127.0.0.1:5432; `ss-tu.txt` (`ss -H -t -u -l -n -p`), `udp`, `udp6` recorded in a
 *    second namespace with the same TCP listeners plus UDP 198.51.100.2:53, [::]:123 (IPv6-only)
 *    and *:514 (dual-stack).
 *  - testdata/windows-server-2019: see its README (reconstructed, not recorded).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Ipv6Facts } from '@posture/protocol';
import { FixtureSystem } from '../../../../testing/fixture-system.js';
import { collectLinux, hexToIpv6, parseListeners, parseSs, scopeOf } from './linux.js';
import { collectWindows, disabledByRegistry, parseDnsServers, WINDOWS_COMMANDS } from './windows.js';
import { readinessOf, type ReadinessInput } from './readiness.js';

const data = (p: string) => readFileSync(new URL(`./testdata/${p}`, import.meta.url), 'utf8');
const linuxFiles = (dir: string) => ({
  '/proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n',
  '/proc/sys/net/ipv6/bindv6only': '0\n',
  '/etc/resolv.conf': 'search example.gov.vn\nnameserver 198.51.100.1\nnameserver 2001:db8:46::1\n',
  ...Object.fromEntries(['if_inet6', 'ipv6_route', 'tcp', 'tcp6'].map((f) => [`/proc/net/${f}`, data(`${dir}/${f}`)])),
});
/** The level and reason texts (the codes are checked once, below: one code per reason). */
const readiness = (local: Omit<ReadinessInput, 'dns' | 'services' | 'outbound'>, over: Partial<ReadinessInput> = {}) => {
  const { reasonCodes, ...r } = readinessOf({ dns: { resolvers: [], ipv6ResolverReachable: null }, services: [], outbound: { target: '[2001:db8::1]:443', reachable: true, error: null, ms: 3 }, ...local, ...over });
  expect(reasonCodes.length).toBe(r.reasons.length);
  return r;
};

describe('Linux (recorded in a namespace)', () => {
  it('reads addresses by scope, the default route, resolvers and listeners with processes from ss', async () => {
    const f = await collectLinux(new FixtureSystem({ files: linuxFiles('linux-dualstack'), commands: { 'ss -H -t -u -l -n -p': data('linux-dualstack/ss-tu.txt') } }));
    expect(f.enabled).toBe(true);
    expect(f.addresses.filter((a) => a.interface === 'eth0').map((a) => [a.address, a.scope])).toEqual([
      ['fd12:3456::2', 'ula'],
      ['fe80::b874:44ff:fe05:a6db', 'link-local'],
      ['2001:db8:46::2', 'global'],
    ]);
    expect(f.defaultRoute).toBe(true);
    expect(f.resolvers).toEqual(['198.51.100.1', '2001:db8:46::1']);
    expect(f.listeners).toEqual([
      { protocol: 'udp', port: 53, bind: '198.51.100.2', family: 'ipv4', process: 'node' },
      { protocol: 'udp', port: 123, bind: '::', family: 'ipv6', process: 'node' },
      { protocol: 'udp', port: 514, bind: '::', family: 'dual-stack', process: 'node' },
      { port: 5432, bind: '127.0.0.1', family: 'ipv4', process: 'node' },
      { port: 8080, bind: '198.51.100.2', family: 'ipv4', process: 'node' },
      { port: 8443, bind: '::', family: 'ipv6', process: 'node' },
      { port: 443, bind: '::', family: 'dual-stack', process: 'node' },
    ]);
    expect(f.unknown).toEqual([]);
    expect(readiness(f)).toEqual({ readiness: 'routed', reasons: ['UDP 198.51.100.2:53 (node) listens on IPv4 only', 'TCP 198.51.100.2:8080 (node) listens on IPv4 only'] });
  });

  it('the TCP-only ss recording of the first namespace still parses (no Netid column)', () => {
    expect(parseSs(data('linux-dualstack/ss.txt')).map((l) => `${l.bind}:${l.port}/${l.family}`)).toEqual(['127.0.0.1:5432/ipv4', '198.51.100.2:8080/ipv4', ':::443/dual-stack', ':::8443/ipv6']);
  });

  it('without ss, reads /proc/net/tcp* and says what it could not know', async () => {
    const f = await collectLinux(new FixtureSystem({ files: linuxFiles('linux-dualstack') }));
    // /proc cannot tell the per-socket V6ONLY flag: both :: sockets follow bindv6only=0.
    expect(f.listeners.map((l) => `${l.bind}:${l.port}/${l.family}/${l.process}`).sort()).toEqual(['127.0.0.1:5432/ipv4/null', '198.51.100.2:8080/ipv4/null', ':::443/dual-stack/null', ':::8443/dual-stack/null']);
    expect(f.unknown).toEqual([
      {
        field: 'listeners.process',
        reason: 'ss (iproute2) not installed: listeners read from /proc/net/tcp* and udp*, dual-stack inferred from net.ipv6.bindv6only',
        reasonCode: { code: 'IPV6_LISTENERS_FROM_PROC', params: { why: 'ss (iproute2) not installed' } },
      },
    ]);
  });

  it('IPv6 disabled by sysctl, or absent from the kernel', async () => {
    const off = await collectLinux(new FixtureSystem({ files: { ...linuxFiles('linux-dualstack'), '/proc/sys/net/ipv6/conf/all/disable_ipv6': '1\n' } }));
    expect([off.enabled, off.disabledBy]).toEqual([false, 'net.ipv6.conf.all.disable_ipv6=1']);
    const none = await collectLinux(new FixtureSystem({ files: {} }));
    expect([none.enabled, none.disabledBy]).toEqual([false, 'no IPv6 support in the kernel (ipv6.disable=1 or module not loaded)']);
    expect(readiness(none).reasons).toEqual(['IPv6 disabled in the kernel (no IPv6 support in the kernel (ipv6.disable=1 or module not loaded))']);
  });

  it('parses ss edge cases: zone ids, v4-mapped binds', () => {
    expect(parseSs('LISTEN 0 4096 127.0.0.53%lo:53 0.0.0.0:*\nLISTEN 0 128 [fe80::1%eth0]:22 [::]:*\nLISTEN 0 5 [::ffff:192.0.2.1]:25 *:*\nUNCONN 0 0 *:68 *:*\n')).toEqual([
      { port: 53, bind: '127.0.0.53', family: 'ipv4', process: null },
      { port: 22, bind: 'fe80::1', family: 'ipv6', process: null },
      { port: 25, bind: '::ffff:192.0.2.1', family: 'ipv4', process: null },
      // A UDP socket is read too; readiness does not count DHCPv4 (68) as a service.
      { protocol: 'udp', port: 68, bind: '::', family: 'dual-stack', process: null },
    ]);
    expect(hexToIpv6('20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(['2001:0:4136:e378::1', '2002:c000:204::1', 'fd00::1', '::1'].map(scopeOf)).toEqual(['other', 'global', 'ula', 'loopback']);
  });
});

describe('Windows (Get-NetIPAddress / Get-NetRoute / Get-NetTCPConnection / Get-NetUDPEndpoint JSON)', () => {
  const files = ['addresses', 'routes', 'listeners', 'udpListeners', 'processes', 'dns'] as const;
  const PS = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command';
  const commands = (over: Record<string, string> = {}) =>
    Object.fromEntries([...files.map((k) => [k, data(`windows-server-2019/${k}.json`)] as const), ['disabledComponents', data('windows-server-2019/disabledComponents.txt')] as const].map(([k, v]) => [`${PS} ${WINDOWS_COMMANDS[k]}`, over[k] ?? v]));

  it('an IIS server with an IPv4-only SQL Server and NetBIOS is at routed, naming both', async () => {
    const f = await collectWindows(new FixtureSystem({ platform: 'win32', commands: commands() }));
    expect(f.enabled).toBe(true); // DisabledComponents=0x20 only prefers IPv4
    expect(f.addresses.map((a) => `${a.address}/${a.prefixLength} ${a.scope}`)).toEqual(['2001:db8:c0a8:10::25/64 global', 'fe80::5d1c:7a1f:b3e2:9c41/64 link-local', '::1/128 loopback']);
    expect(f.defaultRoute).toBe(true);
    expect(f.resolvers).toEqual(['2001:db8:c0a8:10::53']);
    expect(f.listeners).toContainEqual({ port: 3389, bind: '::', family: 'ipv6', process: 'svchost' });
    expect(f.listeners).toContainEqual({ protocol: 'udp', port: 3389, bind: '::', family: 'ipv6', process: 'svchost' });
    // NetBIOS datagrams are IPv4 by nature; the ephemeral UDP socket (59124) is not a service.
    expect(readiness(f)).toEqual({
      readiness: 'routed',
      reasons: ['TCP 0.0.0.0:1433 (sqlservr) listens on IPv4 only', 'TCP 192.0.2.25:139 (System) listens on IPv4 only', 'UDP 192.0.2.25:137 (System) listens on IPv4 only', 'UDP 192.0.2.25:138 (System) listens on IPv4 only'],
    });
  });

  it('DisabledComponents 0xFF turns IPv6 off; a missing default route stops at address', async () => {
    const off = await collectWindows(new FixtureSystem({ platform: 'win32', commands: commands({ disabledComponents: '255\r\n' }) }));
    expect(readiness(off)).toEqual({ readiness: 'none', reasons: ['IPv6 disabled in the kernel (DisabledComponents=0xFF (Tcpip6 registry))'] });
    const noRoute = await collectWindows(new FixtureSystem({ platform: 'win32', commands: commands({ routes: '' }) }));
    expect(readiness(noRoute).readiness).toBe('address');
    expect([disabledByRegistry(''), disabledByRegistry('32'), disabledByRegistry('16')]).toEqual([null, null, 'DisabledComponents=0x10 (Tcpip6 registry)']);
  });

  it('one broken output loses only its own facts', async () => {
    const f = await collectWindows(new FixtureSystem({ platform: 'win32', commands: commands({ listeners: 'Get-NetTCPConnection : Access is denied.' }) }));
    // The TCP listeners are lost; the UDP ones (another cmdlet) are kept.
    expect(f.listeners.filter((l) => l.protocol !== 'udp')).toEqual([]);
    expect(f.listeners.filter((l) => l.protocol === 'udp').length).toBe(9);
    expect(f.addresses.length).toBe(3);
    expect(f.unknown).toEqual([{ field: 'listeners', reason: expect.stringMatching(/^Get-NetTCPConnection: output is not JSON/) }]);
    expect(parseDnsServers('{"InterfaceAlias":"Ethernet0","ServerAddresses":"2001:db8::53"}')).toEqual(['2001:db8::53']);
  });
});

describe('readiness ladder', () => {
  const base: Omit<ReadinessInput, 'dns' | 'services' | 'outbound'> = {
    enabled: true,
    disabledBy: null,
    defaultRoute: true,
    unknown: [],
    addresses: [{ interface: 'eth0', address: '2001:db8::2', prefixLength: 64, scope: 'global' }],
    listeners: [{ port: 443, bind: '::', family: 'dual-stack', process: 'nginx' }],
  };
  const svc = (aaaa: string[]): Ipv6Facts['services'][number] => ({ name: 'dichvucong.example.gov.vn', a: ['203.0.113.10'], aaaa, error: null });
  it.each([
    ['only a ULA address', { addresses: [{ interface: 'eth0', address: 'fd00::2', prefixLength: 64, scope: 'ula' as const }] }, {}, 'none', ['no global unicast IPv6 address (only ULA fd00::/8, not reachable from the Internet)']],
    ['routing table unreadable', { defaultRoute: null }, {}, 'address', ['IPv6 default route unknown (routing table unreadable)']],
    ['an IPv4 socket on a port that also listens on IPv6 is fine', { listeners: [...base.listeners, { port: 443, bind: '0.0.0.0', family: 'ipv4' as const, process: 'nginx' }] }, {}, 'ready', []],
    [
      'service name without AAAA and no outbound target',
      {},
      { services: [svc([])], outbound: null },
      'dual-stack-services',
      ['service name dichvucong.example.gov.vn has no AAAA record', 'no ipv6.outboundTarget configured: outbound IPv6 not verified'],
    ],
    ['everything in place', {}, { services: [svc(['2001:db8::10'])] }, 'ready', []],
  ])('%s', (_n, local, over, level, reasons) => expect(readiness({ ...base, ...local }, over)).toEqual({ readiness: level, reasons }));
});

describe('UDP listeners (a DNS server listens on UDP too)', () => {
  const base = { enabled: true, disabledBy: null, addresses: [{ interface: 'eth0', address: '2001:db8::2', prefixLength: 64, scope: 'global' as const }], defaultRoute: true, unknown: [] };
  it('reads UDP servers from ss (UNCONN), not connected client sockets', () => {
    const text = 'UNCONN 0 0 198.51.100.2:53 0.0.0.0:* users:(("named",pid=7,fd=512))\nUNCONN 0 0 [::]:123 [::]:* users:(("chronyd",pid=9,fd=7))\nESTAB 0 0 198.51.100.2:40000 198.51.100.1:53 users:(("dig",pid=3,fd=5))\n';
    expect(parseSs(text)).toEqual([
      { protocol: 'udp', port: 53, bind: '198.51.100.2', family: 'ipv4', process: 'named' },
      { protocol: 'udp', port: 123, bind: '::', family: 'ipv6', process: 'chronyd' },
    ]);
  });
  it('a DNS server on UDP IPv4 only keeps the host at routed, even when TCP 53 listens on IPv6', () => {
    const r = readiness({
      ...base,
      listeners: [
        { protocol: 'udp', port: 53, bind: '198.51.100.2', family: 'ipv4', process: 'named' },
        { port: 53, bind: '::', family: 'dual-stack', process: 'named' },
      ],
    });
    expect(r).toEqual({ readiness: 'routed', reasons: ['UDP 198.51.100.2:53 (named) listens on IPv4 only'] });
  });
  it('DHCPv4 clients and ephemeral UDP sockets are not services', () => {
    const r = readiness({
      ...base,
      listeners: [
        { protocol: 'udp', port: 68, bind: '0.0.0.0', family: 'ipv4', process: 'dhclient' },
        { protocol: 'udp', port: 51234, bind: '0.0.0.0', family: 'ipv4', process: 'node' },
      ],
    });
    expect(r.readiness).toBe('ready');
  });
  it('without ss, reads bound UDP sockets from the recorded /proc/net/udp{,6} (state 07, no peer)', () => {
    const f = parseListeners(data('linux-dualstack/udp'), data('linux-dualstack/udp6'), false, true);
    expect(f.map((l) => `${l.protocol}/${l.bind}:${l.port}/${l.family}`).sort()).toEqual(['udp/198.51.100.2:53/ipv4', 'udp/:::123/dual-stack', 'udp/:::514/dual-stack']);
    const connected = '  sl  local_address rem_address   st\n   1: 0200A8C0:9C40 0100A8C0:0035 01 00000000:00000000 00:00000000 00000000     0        0 1 2 0\n';
    expect(parseListeners(connected, '', false, true)).toEqual([]);
  });
});
