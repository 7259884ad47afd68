/**
 * The IPv6 readiness ladder: none < address < routed < dual-stack-services < ready. Each level
 * needs the ones below it; `reasons` says why the host is not at the next level (all blockers
 * of that step, so a sysadmin fixes them in one pass).
 */
import type { Ipv6Facts, Ipv6Readiness, Reason } from '@posture/protocol';
import { reason } from '@posture/protocol';

const isLoopbackBind = (b: string) => b === '::1' || b.startsWith('127.') || b.startsWith('::ffff:127.');

export type ReadinessInput = Omit<Ipv6Facts, 'readiness' | 'reasons' | 'reasonCodes'>;

/**
 * UDP sockets that are IPv4 by nature or clients, not services: DHCPv4 (67/68; DHCPv6 is
 * 546/547), and ports in the ephemeral range (a resolver's or NTP client's unconnected socket).
 */
const notAUdpService = (port: number) => port === 67 || port === 68 || port >= 32768;

type Result = { readiness: Ipv6Readiness; reasons: string[]; reasonCodes: Reason[] };
const result = (readiness: Ipv6Readiness, pairs: [string, Reason][]): Result => ({ readiness, reasons: pairs.map((p) => p[0]), reasonCodes: pairs.map((p) => p[1]) });

/** The level, the reasons for the next one as text, and the same reasons as codes. */
export function readinessOf(f: ReadinessInput): Result {
  if (f.enabled === false) return result('none', [[`IPv6 disabled in the kernel${f.disabledBy ? ` (${f.disabledBy})` : ''}`, reason('IPV6_DISABLED', { by: f.disabledBy ?? 'unknown' })]]);
  if (!f.addresses.some((a) => a.scope === 'global')) {
    const ula = f.addresses.some((a) => a.scope === 'ula');
    return result('none', [[`no global unicast IPv6 address${ula ? ' (only ULA fd00::/8, not reachable from the Internet)' : ''}`, reason(ula ? 'IPV6_ONLY_ULA' : 'IPV6_NO_GLOBAL_ADDRESS')]]);
  }
  if (f.defaultRoute !== true) {
    return f.defaultRoute === null ? result('address', [['IPv6 default route unknown (routing table unreadable)', reason('IPV6_ROUTE_UNKNOWN')]]) : result('address', [['no IPv6 default route (::/0)', reason('IPV6_NO_DEFAULT_ROUTE')]]);
  }
  // A port counts as IPv4-only when nothing else listens on it over IPv6; loopback-only
  // services are not reachable from the network either way.
  // A port counts per protocol: UDP 53 on IPv4 is not served by TCP 53 on IPv6.
  const proto = (l: ReadinessInput['listeners'][number]) => l.protocol ?? 'tcp';
  const v4only = f.listeners.filter((l) => l.family === 'ipv4' && !isLoopbackBind(l.bind) && !(proto(l) === 'udp' && notAUdpService(l.port)));
  const v4onlyPorts = v4only.filter((l) => !f.listeners.some((o) => o.port === l.port && proto(o) === proto(l) && o.family !== 'ipv4'));
  if (v4onlyPorts.length) {
    const pairs: [string, Reason][] = v4onlyPorts.slice(0, 8).map((l) => {
      const protocol = proto(l).toUpperCase();
      return [`${protocol} ${l.bind}:${l.port}${l.process ? ` (${l.process})` : ''} listens on IPv4 only`, reason('IPV6_LISTENER_IPV4_ONLY', { protocol, bind: l.bind, port: l.port, process: l.process ?? '-' })];
    });
    if (v4onlyPorts.length > 8) pairs.push([`... and ${v4onlyPorts.length - 8} more IPv4-only listeners`, reason('IPV6_MORE_IPV4_ONLY', { count: v4onlyPorts.length - 8 })]);
    return result('routed', pairs);
  }
  const pairs: [string, Reason][] = [];
  for (const s of f.services) if (!s.aaaa.length) pairs.push([`service name ${s.name} has no AAAA record${s.error ? ` (${s.error})` : ''}`, reason('IPV6_SERVICE_NO_AAAA', { name: s.name })]);
  if (!f.outbound) pairs.push(['no ipv6.outboundTarget configured: outbound IPv6 not verified', reason('IPV6_OUTBOUND_NOT_CONFIGURED')]);
  else if (!f.outbound.reachable)
    pairs.push([`outbound IPv6 to ${f.outbound.target} failed: ${f.outbound.error ?? 'unreachable'}`, reason('IPV6_OUTBOUND_FAILED', { target: f.outbound.target, error: (f.outbound.error ?? 'unreachable').slice(0, 200) })]);
  return pairs.length ? result('dual-stack-services', pairs) : result('ready', []);
}
