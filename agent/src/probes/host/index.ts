/**
 * host: who this machine is. OS facts come from systeminformation (osInfo, networkInterfaces);
 * the machine id is read directly from /etc/machine-id (Linux) so no child process is needed.
 */
import os from 'node:os';
import si from 'systeminformation';
import type { HostFacts } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { AGENT_VERSION } from '../../version.js';

const familyOf = (platform: string): HostFacts['os']['family'] =>
  platform === 'linux' ? 'linux' : platform === 'win32' || platform === 'Windows' ? 'windows' : platform === 'darwin' ? 'darwin' : 'other';

/** Without a configured role: Windows client editions are workstations, everything else a server. */
export function inferRole(family: HostFacts['os']['family'], distro: string): HostFacts['role'] {
  if (family === 'windows') return /server/i.test(distro) ? 'server' : 'workstation';
  if (family === 'darwin') return 'workstation';
  return 'server';
}

const cut = (s: string | undefined, n: number) => (s ?? '').slice(0, n);

export const hostProbe: Probe<'host'> = {
  name: 'host',
  description: 'hostname, OS, kernel, uptime, machine id, addresses, role',
  timeoutMs: 10_000,
  async collect({ system, config }) {
    const [info, ifaces] = await Promise.all([si.osInfo(), si.networkInterfaces()]);
    const list = Array.isArray(ifaces) ? ifaces : [ifaces];
    const ips = list
      .filter((i) => !i.internal && i.operstate !== 'down')
      .flatMap((i) => [i.ip4, i.ip6])
      .filter((ip): ip is string => Boolean(ip))
      .slice(0, 256);
    const family = familyOf(info.platform || system.platform);
    const machineId = ((await system.readFile('/etc/machine-id')) ?? (await system.readFile('/var/lib/dbus/machine-id')) ?? info.serial ?? '').trim();
    return {
      hostname: cut(info.hostname || os.hostname(), 253),
      fqdn: cut(info.fqdn || info.hostname || os.hostname(), 253),
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
