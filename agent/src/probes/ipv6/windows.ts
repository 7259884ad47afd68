/**
 * Windows side of the ipv6 probe: the NetTCPIP/DnsClient cmdlets, each piped to ConvertTo-Json,
 * and the Tcpip6 DisabledComponents registry value. Windows PowerShell 5.1 writes enums as
 * numbers and PowerShell 7 as names, and a single result as an object instead of an array:
 * the parsers accept all of these.
 */
import type { SystemReader } from '../../system.js';
import { jsonRows, powershell, valueText } from '../common/powershell.js';
import { scopeOf, type Listener, type LocalIpv6Facts } from './linux.js';

/** The exact scripts run; tests key their recorded outputs by these. */
export const WINDOWS_COMMANDS = {
  addresses: 'Get-NetIPAddress -AddressFamily IPv6 | Select-Object InterfaceAlias,IPAddress,PrefixLength,AddressState,PrefixOrigin | ConvertTo-Json',
  routes: "Get-NetRoute -AddressFamily IPv6 -DestinationPrefix '::/0' -ErrorAction SilentlyContinue | Select-Object InterfaceAlias,DestinationPrefix,NextHop,RouteMetric | ConvertTo-Json",
  listeners: 'Get-NetTCPConnection -State Listen | Select-Object LocalAddress,LocalPort,OwningProcess | ConvertTo-Json',
  // UDP servers (DNS, NTP, RDP's UDP transport, NetBIOS) count as much as TCP ones.
  udpListeners: 'Get-NetUDPEndpoint | Select-Object LocalAddress,LocalPort,OwningProcess | ConvertTo-Json',
  processes: 'Get-Process | Select-Object Id,ProcessName | ConvertTo-Json',
  dns: 'Get-DnsClientServerAddress -AddressFamily IPv6 | Select-Object InterfaceAlias,ServerAddresses | ConvertTo-Json',
  disabledComponents: "(Get-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters' -ErrorAction SilentlyContinue).DisabledComponents",
} as const;

/** NetIPAddress.AddressState: 0 Invalid, 1 Tentative, 2 Duplicate, 3 Deprecated, 4 Preferred. */
const ADDRESS_STATES = ['Invalid', 'Tentative', 'Duplicate', 'Deprecated', 'Preferred'];
const enumName = (v: unknown, names: readonly string[]) => (typeof v === 'number' ? (names[v] ?? String(v)) : valueText(v));

export function parseNetIPAddress(text: string): LocalIpv6Facts['addresses'] {
  return jsonRows(text, 'Get-NetIPAddress')
    .filter((r) => ['Preferred', 'Deprecated'].includes(enumName(r.AddressState, ADDRESS_STATES)))
    .map((r) => {
      const address = valueText(r.IPAddress).replace(/%.*$/, '').toLowerCase();
      return { interface: valueText(r.InterfaceAlias).slice(0, 64), address, prefixLength: Number(r.PrefixLength ?? 0), scope: scopeOf(address) };
    })
    .filter((a) => a.address.includes(':') && a.prefixLength >= 0 && a.prefixLength <= 128);
}

/** A default route (::/0) on a non-loopback interface. Get-NetRoute lists only active routes. */
export function parseNetRoute(text: string): boolean {
  return jsonRows(text, 'Get-NetRoute').some((r) => r.DestinationPrefix === '::/0' && !/loopback/i.test(valueText(r.InterfaceAlias)));
}

/**
 * Windows opens IPv6 sockets IPv6-only by default (IPV6_V6ONLY on), so `::` is 'ipv6', and a
 * service is dual-stack when it also listens on 0.0.0.0 (IIS, RDP, SMB do both).
 */
export function parseNetTCPConnection(text: string, processes: ReadonlyMap<number, string>, udp = false): Listener[] {
  const seen = new Set<string>();
  const out: Listener[] = [];
  for (const r of jsonRows(text, udp ? 'Get-NetUDPEndpoint' : 'Get-NetTCPConnection')) {
    const bind = valueText(r.LocalAddress).replace(/%.*$/, '');
    const port = Number(r.LocalPort);
    if (!bind || !Number.isInteger(port) || seen.has(`${bind} ${port}`)) continue;
    seen.add(`${bind} ${port}`);
    const family: Listener['family'] = bind.includes(':') && !bind.startsWith('::ffff:') ? 'ipv6' : 'ipv4';
    out.push({ ...(udp ? { protocol: 'udp' as const } : {}), port, bind, family, process: processes.get(Number(r.OwningProcess)) ?? null });
  }
  return out;
}

export function parseProcesses(text: string): Map<number, string> {
  return new Map(jsonRows(text, 'Get-Process').map((r) => [Number(r.Id), valueText(r.ProcessName).slice(0, 128)]));
}

/** IPv6 DNS servers; fec0:0:0:ffff::1-3 are Windows' placeholders when none is configured. */
export function parseDnsServers(text: string): string[] {
  const all = jsonRows(text, 'Get-DnsClientServerAddress').flatMap((r) => {
    const s = r.ServerAddresses;
    return Array.isArray(s) ? s.map(String) : typeof s === 'string' ? [s] : [];
  });
  return [...new Set(all.filter((a) => !/^fec0:0:0:ffff::[123](%|$)/i.test(a)))].slice(0, 16);
}

/**
 * Tcpip6 DisabledComponents: 0xFF disables IPv6 everywhere but loopback, bit 0x10 on every
 * native interface (what matters here); 0x20 only prefers IPv4 and leaves IPv6 working.
 */
export function disabledByRegistry(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  const v = Number(t);
  if (!Number.isInteger(v)) return null;
  return (v & 0x10) !== 0 ? `DisabledComponents=0x${v.toString(16).toUpperCase()} (Tcpip6 registry)` : null;
}

export async function collectWindows(system: SystemReader): Promise<LocalIpv6Facts> {
  const unknown: LocalIpv6Facts['unknown'] = [];
  const keys = Object.keys(WINDOWS_COMMANDS) as (keyof typeof WINDOWS_COMMANDS)[];
  const results = await Promise.all(keys.map((k) => powershell(system, WINDOWS_COMMANDS[k])));
  const out = Object.fromEntries(
    keys.map((k, i) => {
      const r = results[i]!;
      if (r.kind === 'ok' && r.code === 0) return [k, r.stdout];
      const why = r.kind === 'ok' ? `exit ${r.code}: ${r.stderr.trim().slice(0, 200)}` : r.kind === 'not-found' ? 'powershell.exe not found' : r.kind;
      unknown.push({ field: k, reason: `${WINDOWS_COMMANDS[k].split(' ')[0]} failed (${why})` });
      return [k, null];
    }),
  ) as Record<(typeof keys)[number], string | null>;
  // One unparsable output loses only its own facts.
  const parse = <T>(k: (typeof keys)[number], f: (text: string) => T, fallback: T): T => {
    const text = out[k];
    if (text === null) return fallback;
    try {
      return f(text);
    } catch (e) {
      unknown.push({ field: k, reason: (e as Error).message.slice(0, 500) });
      return fallback;
    }
  };
  const disabledBy = parse('disabledComponents', disabledByRegistry, null);
  const processes = parse('processes', parseProcesses, new Map<number, string>());
  const addresses = parse('addresses', parseNetIPAddress, null);
  return {
    enabled: disabledBy ? false : addresses === null ? null : true,
    disabledBy,
    addresses: (addresses ?? []).slice(0, 256),
    defaultRoute: parse('routes', parseNetRoute, null),
    listeners: [...parse('listeners', (t) => parseNetTCPConnection(t, processes), []), ...parse('udpListeners', (t) => parseNetTCPConnection(t, processes, true), [])].slice(0, 512),
    resolvers: parse('dns', parseDnsServers, []),
    unknown,
  };
}
