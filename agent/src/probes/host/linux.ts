/**
 * Host facts on Linux without a child process: /etc/os-release, /proc/sys/kernel/hostname and
 * Node's os module. (systeminformation's osInfo + networkInterfaces spawn ~117 children per call
 * on Linux: `cat` per /sys/class/net entry, `hostname -f`, `ip a`, nmcli lookups.)
 */
import os from 'node:os';
import type { SystemReader } from '../../system.js';

/** KEY=value lines of os-release(5), quotes removed. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2').replace(/\\(["$`\\])/g, '$1');
  }
  return out;
}

/** Non-loopback addresses of interfaces, IPv4 first (link-local IPv6 left out). */
export function addressesOf(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string[] {
  const all = Object.values(ifaces)
    .flatMap((l) => l ?? [])
    .filter((i) => !i.internal);
  const v4 = all.filter((i) => i.family === 'IPv4').map((i) => i.address);
  const v6 = all.filter((i) => i.family === 'IPv6' && !/^fe80:/i.test(i.address)).map((i) => i.address);
  return [...new Set([...v4, ...v6])];
}

export interface LinuxHostInfo {
  hostname: string;
  fqdn: string;
  distro: string;
  release: string;
  kernel: string;
  arch: string;
  ips: string[];
}

export async function linuxHostInfo(system: SystemReader): Promise<LinuxHostInfo> {
  const [osRelease, usrOsRelease, kernelHost] = await Promise.all([system.readFile('/etc/os-release'), system.readFile('/usr/lib/os-release'), system.readFile('/proc/sys/kernel/hostname')]);
  const rel = parseOsRelease(osRelease ?? usrOsRelease ?? '');
  const hostname = (kernelHost ?? os.hostname()).trim();
  return {
    hostname,
    // A dotted kernel hostname is already fully qualified; resolving the FQDN would take DNS.
    fqdn: hostname,
    distro: rel.NAME ?? 'Linux',
    release: rel.VERSION_ID ?? rel.BUILD_ID ?? '',
    kernel: os.release(),
    arch: os.arch(),
    ips: addressesOf(os.networkInterfaces()),
  };
}
