/**
 * The IPv6 readiness ladder: none < address < routed < dual-stack-services < ready. Each level
 * needs the ones below it; `reasons` says why the host is not at the next level (all blockers
 * of that step, so a sysadmin fixes them in one pass).
 */
import type { Ipv6Facts, Ipv6Readiness } from '@posture/protocol';

const isLoopbackBind = (b: string) => b === '::1' || b.startsWith('127.') || b.startsWith('::ffff:127.');

export type ReadinessInput = Omit<Ipv6Facts, 'readiness' | 'reasons'>;

export function readinessOf(f: ReadinessInput): { readiness: Ipv6Readiness; reasons: string[] } {
  if (f.enabled === false) return { readiness: 'none', reasons: [`IPv6 disabled in the kernel${f.disabledBy ? ` (${f.disabledBy})` : ''}`] };
  if (!f.addresses.some((a) => a.scope === 'global')) {
    const ula = f.addresses.some((a) => a.scope === 'ula');
    return { readiness: 'none', reasons: [`no global unicast IPv6 address${ula ? ' (only ULA fd00::/8, not reachable from the Internet)' : ''}`] };
  }
  if (f.defaultRoute !== true) {
    return { readiness: 'address', reasons: [f.defaultRoute === null ? 'IPv6 default route unknown (routing table unreadable)' : 'no IPv6 default route (::/0)'] };
  }
  // A port counts as IPv4-only when nothing else listens on it over IPv6; loopback-only
  // services are not reachable from the network either way.
  const v4only = f.listeners.filter((l) => l.family === 'ipv4' && !isLoopbackBind(l.bind));
  const v4onlyPorts = v4only.filter((l) => !f.listeners.some((o) => o.port === l.port && o.family !== 'ipv4'));
  if (v4onlyPorts.length) {
    const more = v4onlyPorts.length > 8 ? [`... and ${v4onlyPorts.length - 8} more IPv4-only listeners`] : [];
    return {
      readiness: 'routed',
      reasons: [...v4onlyPorts.slice(0, 8).map((l) => `TCP ${l.bind}:${l.port}${l.process ? ` (${l.process})` : ''} listens on IPv4 only`), ...more],
    };
  }
  const reasons: string[] = [];
  for (const s of f.services) if (!s.aaaa.length) reasons.push(`service name ${s.name} has no AAAA record${s.error ? ` (${s.error})` : ''}`);
  if (!f.outbound) reasons.push('no ipv6.outboundTarget configured: outbound IPv6 not verified');
  else if (!f.outbound.reachable) reasons.push(`outbound IPv6 to ${f.outbound.target} failed: ${f.outbound.error ?? 'unreachable'}`);
  return reasons.length ? { readiness: 'dual-stack-services', reasons } : { readiness: 'ready', reasons: [] };
}
