/** Parsers for the Linux /proc files the ipv6 probe reads (no child process needed). */

export type Scope = 'global' | 'ula' | 'link-local' | 'loopback' | 'other';

/** 32 hex digits -> compressed IPv6 text. */
export function hexToIpv6(hex: string): string {
  const groups = hex.match(/.{4}/g)?.map((g) => g.replace(/^0+(?=.)/, '')) ?? [];
  const text = groups.join(':');
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, len: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') { i++; continue; }
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
  return (hex.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join('.');
}

export interface Listener {
  port: number;
  bind: string;
  family: 'dual-stack' | 'ipv6' | 'ipv4';
  process: string | null;
}

/** Listening sockets (state 0A) from /proc/net/tcp and /proc/net/tcp6. */
export function parseListeners(tcp: string, tcp6: string, bindV6Only: boolean): Listener[] {
  const rows = (text: string) =>
    text
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length > 4 && f[3] === '0A');
  const out: Listener[] = [];
  for (const f of rows(tcp6)) {
    const [addr, port] = f[1]!.split(':');
    const bind = tcp6Address(addr!);
    // A socket on :: accepts IPv4 too unless IPV6_V6ONLY; /proc does not show the per-socket
    // flag, so the system default (net.ipv6.bindv6only) is used.
    out.push({ port: parseInt(port!, 16), bind, family: bind === '::' && !bindV6Only ? 'dual-stack' : 'ipv6', process: null });
  }
  for (const f of rows(tcp)) {
    const [addr, port] = f[1]!.split(':');
    out.push({ port: parseInt(port!, 16), bind: tcp4Address(addr!), family: 'ipv4', process: null });
  }
  return out;
}
