/**
 * host: who this machine is. On Linux every fact is read from files and Node's os module (no
 * child process, see linux.ts); on other systems from systeminformation (osInfo,
 * networkInterfaces), loaded only there so a Linux agent never pays for it.
 */
import os from 'node:os';
import type { HostFacts } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { AGENT_VERSION } from '../../version.js';
import { linuxHostInfo, type LinuxHostInfo } from './linux.js';

const familyOf = (platform: string): HostFacts['os']['family'] => (platform === 'linux' ? 'linux' : platform === 'win32' || platform === 'Windows' ? 'windows' : platform === 'darwin' ? 'darwin' : 'other');

/** Without a configured role: Windows client editions are workstations, everything else a server. */
export function inferRole(family: HostFacts['os']['family'], distro: string): HostFacts['role'] {
  if (family === 'windows') return /server/i.test(distro) ? 'server' : 'workstation';
  if (family === 'darwin') return 'workstation';
  return 'server';
}

const cut = (s: string | undefined, n: number) => (s ?? '').slice(0, n);

/** Windows, macOS and the rest: systeminformation, imported on first use. */
async function otherHostInfo(): Promise<LinuxHostInfo & { serial: string }> {
  const { default: si } = await import('systeminformation');
  const [info, ifaces] = await Promise.all([si.osInfo(), si.networkInterfaces()]);
  const list = Array.isArray(ifaces) ? ifaces : [ifaces];
  const ips = list
    .filter((i) => !i.internal && i.operstate !== 'down')
    .flatMap((i) => [i.ip4, i.ip6])
    .filter((ip): ip is string => Boolean(ip));
  return { hostname: info.hostname || os.hostname(), fqdn: info.fqdn || info.hostname || os.hostname(), distro: info.distro, release: info.release, kernel: info.kernel, arch: info.arch, ips, serial: info.serial };
}

export const hostProbe: Probe<'host'> = {
  name: 'host',
  description: 'hostname, OS, kernel, uptime, machine id, addresses, role',
  timeoutMs: 10_000,
  async collect({ system, config }) {
    const info: LinuxHostInfo & { serial?: string } = system.platform === 'linux' ? await linuxHostInfo(system) : await otherHostInfo();
    const ips = info.ips.slice(0, 256);
    const family = familyOf(system.platform);
    const machineId = ((await system.readFile('/etc/machine-id')) ?? (await system.readFile('/var/lib/dbus/machine-id')) ?? info.serial ?? '').trim();
    return {
      hostname: cut(info.hostname || os.hostname(), 253),
      fqdn: cut(info.fqdn || info.hostname, 253),
      os: {
        family,
        distro: cut(info.distro, 128),
        release: cut(info.release, 64),
        kernel: cut(info.kernel, 128),
        arch: cut(info.arch, 32),
      },
      uptimeSeconds: Math.floor(os.uptime()),
      machineId: cut(machineId, 128),
      ips,
      role: config.role ?? inferRole(family, info.distro),
      roleSource: config.role ? 'config' : 'inferred',
      agentVersion: AGENT_VERSION,
    };
  },
};
