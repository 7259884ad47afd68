/**
 * Linux side of the ipv6 probe: /proc files (always there, no child process) and `ss` when
 * installed (it shows per-socket dual-stack state and the owning process, which /proc/net/tcp6
 * cannot: there the system default net.ipv6.bindv6only stands in for the socket's flag).
 */
import { reason } from '@posture/protocol';
import type { SystemReader } from '../../system.js';
import type { ReadinessInput } from './readiness.js';

export type Scope = 'global' | 'ula' | 'link-local' | 'loopback' | 'other';

/** 32 hex digits -> compressed IPv6 text. */
export function hexToIpv6(hex: string): string {
  const groups = hex.match(/.{4}/g)?.map((g) => g.replace(/^0+(?=.)/, '')) ?? [];
  const text = groups.join(':');
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, len: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return text;
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.len).join(':');
  return `${head}::${tail}`;
}

export function scopeOf(address: string): Scope {
  const a = address.toLowerCase();
  if (a === '::1') return 'loopback';
  if (/^fe[89ab]/.test(a)) return 'link-local';
  if (/^f[cd]/.test(a)) return 'ula';
  // Teredo (2001:0::/32) is a NAT-traversal tunnel, not native IPv6 service.
  if (/^2001:0?:/.test(a)) return 'other';
  if (/^[23]/.test(a)) return 'global';
  return 'other';
}

/** /proc/net/if_inet6: `addr ifindex prefixlen scope flags ifname` */
export function parseIfInet6(text: string) {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 6 && /^[0-9a-f]{32}$/i.test(f[0]!))
    .map((f) => {
      const address = hexToIpv6(f[0]!.toLowerCase());
      return { interface: f[5]!, address, prefixLength: parseInt(f[2]!, 16), scope: scopeOf(address) };
    });
}

/** /proc/net/ipv6_route: a usable default route (::/0, up, not reject, not via lo). */
export function hasDefaultRoute(text: string): boolean {
  return text.split('\n').some((line) => {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) return false;
    const [dest, plen, , , , , , , flags, dev] = f;
    const fl = parseInt(flags!, 16);
    return /^0{32}$/.test(dest!) && plen === '00' && (fl & 0x1) !== 0 && (fl & 0x200) === 0 && dev !== 'lo';
  });
}

/** /proc/net/tcp6 address: four little-endian 32-bit words. */
function tcp6Address(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const be = words.map((w) => w.match(/../g)!.reverse().join('')).join('');
  return hexToIpv6(be);
}

function tcp4Address(hex: string): string {
  return (hex.match(/../g) ?? [])
    .reverse()
    .map((b) => parseInt(b, 16))
    .join('.');
}

export interface Listener {
  /** Absent for TCP (the wire format before UDP was read); 'udp' for UDP sockets. */
  protocol?: 'udp';
  port: number;
  bind: string;
  family: 'dual-stack' | 'ipv6' | 'ipv4';
  process: string | null;
}

/**
 * Listening sockets from /proc/net/tcp{,6} (state 0A = LISTEN), or with `udp`, bound UDP
 * sockets from /proc/net/udp{,6} (state 07 with no remote address: a server waiting for datagrams).
 */
export function parseListeners(tcp: string, tcp6: string, bindV6Only: boolean, udp = false): Listener[] {
  const rows = (text: string) =>
    text
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length > 4 && (udp ? f[3] === '07' && /^0+:0000$/.test(f[2]!) : f[3] === '0A'));
  const proto = udp ? { protocol: 'udp' as const } : {};
  const out: Listener[] = [];
  for (const f of rows(tcp6)) {
    const [addr, port] = f[1]!.split(':');
    const bind = tcp6Address(addr!);
    // A socket on :: accepts IPv4 too unless IPV6_V6ONLY; /proc does not show the per-socket
    // flag, so the system default (net.ipv6.bindv6only) is used.
    out.push({ ...proto, port: parseInt(port!, 16), bind, family: bind === '::' && !bindV6Only ? 'dual-stack' : 'ipv6', process: null });
  }
  for (const f of rows(tcp)) {
    const [addr, port] = f[1]!.split(':');
    out.push({ ...proto, port: parseInt(port!, 16), bind: tcp4Address(addr!), family: 'ipv4', process: null });
  }
  return out;
}

/**
 * `ss -H -t -l -n -p` lines: `LISTEN 0 511 *:80 *:* users:(("nginx",pid=1,fd=6))`. ss prints
 * `*` for an IPv6 socket on :: that also accepts IPv4 (V6ONLY off), `[::]` when it is IPv6-only.
 */
export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // With -t and -u together ss prints the Netid column first (tcp, udp).
    if (f[0] === 'tcp' || f[0] === 'udp') f.shift();
    // TCP servers are LISTEN; UDP servers are UNCONN (bound, no peer); ESTAB is a client.
    const udp = f[0] === 'UNCONN';
    if ((f[0] !== 'LISTEN' && !udp) || f.length < 5) continue;
    const local = f[3]!;
    const cut = local.lastIndexOf(':');
    const port = Number(local.slice(cut + 1));
    if (cut < 1 || !Number.isInteger(port)) continue;
    const host = local.slice(0, cut);
    const proc = line.match(/users:\(\("([^"]{1,128})"/)?.[1] ?? null;
    let bind: string;
    let family: Listener['family'];
    if (host === '*') [bind, family] = ['::', 'dual-stack'];
    else if (host.startsWith('[')) {
      // Zone ids (%eth0) are dropped: the bind address is what matters here.
      bind = host.slice(1, host.indexOf(']')).replace(/%.*$/, '');
      family = bind.startsWith('::ffff:') ? 'ipv4' : 'ipv6';
    } else [bind, family] = [host.replace(/%.*$/, ''), 'ipv4'];
    out.push({ ...(udp ? { protocol: 'udp' as const } : {}), port, bind, family, process: proc });
  }
  return out;
}

/** nameserver lines of resolv.conf (zone ids such as %eth0 kept: Node's resolver needs them). */
export function parseResolvConf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.match(/^\s*nameserver\s+(\S+)/)?.[1])
    .filter((x): x is string => Boolean(x))
    .slice(0, 16);
}

/** What the host tells about itself, before the network actions (lookups, connects). */
export type LocalIpv6Facts = Pick<ReadinessInput, 'enabled' | 'disabledBy' | 'addresses' | 'defaultRoute' | 'listeners' | 'unknown'> & { resolvers: string[] };

export async function collectLinux(system: SystemReader): Promise<LocalIpv6Facts> {
  const unknown: LocalIpv6Facts['unknown'] = [];
  const [disableAll, ifInet6, route, v6only, resolv, ss] = await Promise.all([
    system.readFile('/proc/sys/net/ipv6/conf/all/disable_ipv6'),
    system.readFile('/proc/net/if_inet6'),
    system.readFile('/proc/net/ipv6_route'),
    system.readFile('/proc/sys/net/ipv6/bindv6only'),
    system.readFile('/etc/resolv.conf'),
    // One ss for TCP and UDP (UDP servers such as DNS count as much as TCP ones).
    system.run('ss', ['-H', '-t', '-u', '-l', '-n', '-p'], { timeoutMs: 5000 }),
  ]);
  let enabled: boolean | null;
  let disabledBy: string | null = null;
  if (ifInet6 === null && disableAll === null) {
    enabled = false;
    disabledBy = 'no IPv6 support in the kernel (ipv6.disable=1 or module not loaded)';
  } else if (disableAll?.trim() === '1') {
    enabled = false;
    disabledBy = 'net.ipv6.conf.all.disable_ipv6=1';
  } else enabled = ifInet6 !== null ? true : null;
  if (enabled === null) unknown.push({ field: 'enabled', reason: '/proc/net/if_inet6 unreadable', reasonCode: reason('IPV6_KERNEL_UNREADABLE', { file: '/proc/net/if_inet6' }) });
  if (route === null) unknown.push({ field: 'defaultRoute', reason: '/proc/net/ipv6_route unreadable', reasonCode: reason('IPV6_KERNEL_UNREADABLE', { file: '/proc/net/ipv6_route' }) });

  let listeners: Listener[];
  if (ss.kind === 'ok' && ss.code === 0) listeners = parseSs(ss.stdout);
  else {
    // Only without ss: the kernel builds these tables by walking every socket, listening or not.
    const [tcp, tcp6, udp, udp6] = await Promise.all(['tcp', 'tcp6', 'udp', 'udp6'].map((f) => system.readFile(`/proc/net/${f}`)));
    const v6 = v6only?.trim() === '1';
    listeners = [...parseListeners(tcp ?? '', tcp6 ?? '', v6), ...parseListeners(udp ?? '', udp6 ?? '', v6, true)];
    const why = ss.kind === 'not-found' ? 'ss (iproute2) not installed' : `ss failed (${ss.kind === 'ok' ? `exit ${ss.code}` : ss.kind})`;
    unknown.push({ field: 'listeners.process', reason: `${why}: listeners read from /proc/net/tcp* and udp*, dual-stack inferred from net.ipv6.bindv6only`, reasonCode: reason('IPV6_LISTENERS_FROM_PROC', { why }) });
  }
  return {
    enabled,
    disabledBy,
    addresses: (ifInet6 ? parseIfInet6(ifInet6) : []).slice(0, 256),
    defaultRoute: route === null ? null : hasDefaultRoute(route),
    listeners: listeners.slice(0, 512),
    resolvers: parseResolvConf(resolv ?? ''),
    unknown,
  };
}
