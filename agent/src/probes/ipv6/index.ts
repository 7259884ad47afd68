/**
 * ipv6: IPv6 readiness of this host, from /proc (Linux), name lookups of the services it
 * serves, and a TCP connect to a configured IPv6 target. Summarised as a readiness level:
 * none < address < routed < dual-stack-services < ready, with the reasons for the next level.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Ipv6Facts, Ipv6Readiness } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { ProbeFailure } from '../../probe.js';
import { hasDefaultRoute, parseIfInet6, parseListeners } from './linux.js';

const isLoopbackBind = (b: string) => b === '::1' || b.startsWith('127.') || b.startsWith('::ffff:127.');

/** Parse "host:port" / "[v6]:port" and try a TCP connect over IPv6 only. */
export async function connectV6(target: string, timeoutMs: number): Promise<NonNullable<Ipv6Facts['outbound']>> {
  const m = target.match(/^\[([^\]]+)\]:(\d+)$/) ?? target.match(/^([^:]+):(\d+)$/);
  if (!m) return { target, reachable: false, error: 'target must be "[ipv6]:port" or "name:port"', ms: null };
  const started = performance.now();
  return new Promise((resolve) => {
    const sock = net.connect({ host: m[1]!, port: Number(m[2]), family: 6, timeout: timeoutMs });
    const done = (reachable: boolean, error: string | null) => {
      sock.destroy();
      resolve({ target, reachable, error, ms: Math.round(performance.now() - started) });
    };
    sock.once('connect', () => done(true, null));
    sock.once('timeout', () => done(false, `no answer within ${timeoutMs} ms`));
    sock.once('error', (e) => done(false, e.message));
  });
}

async function lookup(name: string): Promise<Ipv6Facts['services'][number]> {
  const settle = async (f: () => Promise<string[]>) => {
    try {
      return { list: (await f()).slice(0, 32), err: null };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { list: [], err: code === 'ENODATA' || code === 'ENOTFOUND' ? null : `${code ?? ''} ${(e as Error).message}`.trim() };
    }
  };
  const [a, aaaa] = await Promise.all([settle(() => dns.resolve4(name)), settle(() => dns.resolve6(name))]);
  return { name, a: a.list, aaaa: aaaa.list, error: a.err ?? aaaa.err };
}

/** The readiness level and the reasons the host is not at the next level. */
export function readinessOf(f: Omit<Ipv6Facts, 'readiness' | 'reasons'>): { readiness: Ipv6Readiness; reasons: string[] } {
  if (f.enabled === false) return { readiness: 'none', reasons: [`IPv6 disabled in the kernel${f.disabledBy ? ` (${f.disabledBy})` : ''}`] };
  if (!f.addresses.some((a) => a.scope === 'global')) return { readiness: 'none', reasons: ['no global unicast IPv6 address'] };
  if (f.defaultRoute !== true) return { readiness: 'address', reasons: ['no IPv6 default route'] };
  const v4only = f.listeners.filter((l) => l.family === 'ipv4' && !isLoopbackBind(l.bind));
  const v4onlyPorts = v4only.filter((l) => !f.listeners.some((o) => o.port === l.port && o.family !== 'ipv4'));
  if (v4onlyPorts.length) {
    return { readiness: 'routed', reasons: v4onlyPorts.slice(0, 8).map((l) => `TCP ${l.bind}:${l.port} listens on IPv4 only`) };
  }
  const reasons: string[] = [];
  for (const s of f.services) if (!s.aaaa.length) reasons.push(`service name ${s.name} has no AAAA record${s.error ? ` (${s.error})` : ''}`);
  if (!f.outbound) reasons.push('no ipv6.outboundTarget configured: outbound IPv6 not verified');
  else if (!f.outbound.reachable) reasons.push(`outbound IPv6 to ${f.outbound.target} failed: ${f.outbound.error ?? 'unreachable'}`);
  return reasons.length ? { readiness: 'dual-stack-services', reasons } : { readiness: 'ready', reasons: [] };
}

export const ipv6Probe: Probe<'ipv6'> = {
  name: 'ipv6',
  description: 'IPv6 addresses, default route, resolvers, dual-stack listeners, outbound IPv6; readiness level',
  timeoutMs: 15_000,
  async collect({ system, config }) {
    if (system.platform !== 'linux') throw new ProbeFailure('UNSUPPORTED_OS', `ipv6 probe does not support ${system.platform} yet`);
    const unknown: Ipv6Facts['unknown'] = [];
    const [disableAll, ifInet6, route, tcp, tcp6, v6only, resolv] = await Promise.all([
      system.readFile('/proc/sys/net/ipv6/conf/all/disable_ipv6'),
      system.readFile('/proc/net/if_inet6'),
      system.readFile('/proc/net/ipv6_route'),
      system.readFile('/proc/net/tcp'),
      system.readFile('/proc/net/tcp6'),
      system.readFile('/proc/sys/net/ipv6/bindv6only'),
      system.readFile('/etc/resolv.conf'),
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
    if (enabled === null) unknown.push({ field: 'enabled', reason: '/proc/net/if_inet6 unreadable' });

    const addresses = ifInet6 ? parseIfInet6(ifInet6) : [];
    const resolvers = (resolv ?? '')
      .split('\n')
      .map((l) => l.match(/^\s*nameserver\s+(\S+)/)?.[1])
      .filter((x): x is string => Boolean(x))
      .slice(0, 16);
    const v6Resolvers = resolvers.filter((r) => r.includes(':'));
    if (!v6Resolvers.length) unknown.push({ field: 'dns.ipv6ResolverReachable', reason: 'no IPv6 resolver configured' });

    const services = await Promise.all(config.ipv6.services.map(lookup));
    const outbound = config.ipv6.outboundTarget ? await connectV6(config.ipv6.outboundTarget, 3000) : null;
    const base = {
      enabled,
      disabledBy,
      addresses: addresses.slice(0, 256),
      defaultRoute: route === null ? null : hasDefaultRoute(route),
      dns: { resolvers, ipv6ResolverReachable: v6Resolvers.length ? null : false },
      services,
      listeners: parseListeners(tcp ?? '', tcp6 ?? '', v6only?.trim() === '1').slice(0, 512),
      outbound,
      unknown,
    };
    return { ...base, ...readinessOf(base) };
  },
};
