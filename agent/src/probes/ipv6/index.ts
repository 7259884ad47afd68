/**
 * ipv6: IPv6 readiness of this host. Local facts come from /proc and `ss` (Linux) or the
 * NetTCPIP cmdlets (Windows); then the network actions: A/AAAA of the names this host serves,
 * a DNS query to each IPv6 resolver, and a TCP connect to a configured IPv6 target. Summarised
 * as a readiness level: none < address < routed < dual-stack-services < ready, with the
 * reasons for the next level. See README.md.
 */
import type { Ipv6Facts } from '@posture/protocol';
import { reason } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { ProbeFailure } from '../../probe.js';
import { collectLinux } from './linux.js';
import { collectWindows } from './windows.js';
import { connectV6, ipv6ResolverReachable, lookup } from './net.js';
import { readinessOf } from './readiness.js';

export { readinessOf } from './readiness.js';
export { connectV6 } from './net.js';

/** Per network action; the probe's own timeout (runner) bounds the whole. */
const NET_TIMEOUT_MS = 3000;

export const ipv6Probe: Probe<'ipv6'> = {
  name: 'ipv6',
  description: 'IPv6 addresses, default route, resolvers, dual-stack listeners, outbound IPv6; readiness level',
  timeoutMs: 15_000,
  async collect({ system, config }) {
    const local = system.platform === 'linux' ? await collectLinux(system) : system.platform === 'win32' ? await collectWindows(system) : null;
    if (!local) throw new ProbeFailure('UNSUPPORTED_OS', `ipv6 probe supports linux and win32, not ${system.platform}`);
    const { resolvers, ...facts } = local;
    const unknown = [...facts.unknown];
    const [services, outbound, dnsCheck] = await Promise.all([
      Promise.all(config.ipv6.services.map((name) => lookup(name, NET_TIMEOUT_MS))),
      config.ipv6.outboundTarget ? connectV6(config.ipv6.outboundTarget, NET_TIMEOUT_MS) : Promise.resolve(null),
      config.ipv6.queryResolvers ? ipv6ResolverReachable(resolvers, NET_TIMEOUT_MS) : Promise.resolve(null),
    ]);
    if (!dnsCheck) unknown.push({ field: 'dns.ipv6ResolverReachable', reason: 'not checked: ipv6.queryResolvers is false in the agent config', reasonCode: reason('IPV6_RESOLVERS_NOT_CHECKED') });
    else if (dnsCheck.reachable === null) unknown.push({ field: 'dns.ipv6ResolverReachable', reason: `no IPv6 resolver configured (resolvers: ${resolvers.join(', ') || 'none'})`, reasonCode: reason('IPV6_NO_IPV6_RESOLVER') });
    const base: Omit<Ipv6Facts, 'readiness' | 'reasons' | 'reasonCodes'> = {
      ...facts,
      dns: { resolvers, ipv6ResolverReachable: dnsCheck?.reachable ?? null, queried: (dnsCheck?.details ?? []).map((d) => ({ ...d, detail: d.detail.slice(0, 256) })) },
      services,
      outbound,
      // Every unknown carries a code; a Windows query failure has one per query.
      unknown: unknown.slice(0, 16).map((u) => (u.reasonCode ? u : { ...u, reasonCode: reason('IPV6_WINDOWS_QUERY_FAILED', { what: u.field }) })),
    };
    return { ...base, ...readinessOf(base) };
  },
};
