/**
 * What runs and what may be plugged in:
 * - sudo.nopasswd: no sudoers rule lets a user run ALL commands without a password (NOPASSWD
 *   or !authenticate), in /etc/sudoers and every @includedir/#includedir file sudo reads;
 * - services.telnet_server, services.rsh_server, services.nis, services.tftp_server: the
 *   legacy clear-text service is neither listening (/proc/net sockets: what the kernel has
 *   open), nor running, nor installed (dpkg status; a removed package's leftovers do not count);
 * - usb.storage (workstations): the usb-storage driver cannot load (`modprobe -n -v` prints
 *   what modprobe would really do after every modprobe.d file: `install /bin/false` or a
 *   blacklist with no alias left) and is not loaded now (/proc/modules);
 * - fs.var_log_separate / fs.var_log_audit_separate (level-3 servers): /var/log and
 *   /var/log/audit are mount points in /proc/self/mountinfo (what is mounted, not fstab).
 */
import type { SystemReader } from '../../system.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { cycleListeners, fail, pass, readOncePerCycle, unknown } from './check.js';
import { installedCached } from './apt-lists.js';

const SUDO = 'sudo.nopasswd';
const USB = 'usb.storage';
const LEGACY: Record<string, { packages: RegExp; processes: string[]; ports: { proto: 'tcp' | 'udp'; port: number }[]; what: string }> = {
  'services.telnet_server': { packages: /^(telnetd|telnetd-ssl|inetutils-telnetd|telnet-server)$/, processes: ['in.telnetd', 'telnetd'], ports: [{ proto: 'tcp', port: 23 }], what: 'telnet server' },
  'services.rsh_server': { packages: /^(rsh-server|rsh-redone-server|rsh-server-krb5)$/, processes: ['in.rshd', 'in.rlogind', 'in.rexecd'], ports: [512, 513, 514].map((port) => ({ proto: 'tcp' as const, port })), what: 'rsh/rlogin/rexec server' },
  'services.nis': { packages: /^(nis|ypserv|ypbind)$/, processes: ['ypbind', 'ypserv'], ports: [], what: 'NIS' },
  'services.tftp_server': { packages: /^(tftpd|tftpd-hpa|atftpd|tftp-server)$/, processes: ['in.tftpd', 'atftpd'], ports: [{ proto: 'udp', port: 69 }], what: 'TFTP server' },
};
const FS: Record<string, string> = { 'fs.var_log_separate': '/var/log', 'fs.var_log_audit_separate': '/var/log/audit' };
export const SERVICE_IDS = [SUDO, ...Object.keys(LEGACY), USB, ...Object.keys(FS)];

/** Listening ports (this cycle's listeners, else /proc/net/{tcp,tcp6,udp,udp6}): `proto:port`. */
export async function listeningPorts(ctx: Pick<BaselineContext, 'system' | 'earlier'>): Promise<Set<string>> {
  const seen = cycleListeners(ctx);
  if (seen) return new Set(seen.map((l) => `${l.protocol ?? 'tcp'}:${l.port}`));
  const out = new Set<string>();
  for (const [proto, file] of [
    ['tcp', 'tcp'],
    ['tcp', 'tcp6'],
    ['udp', 'udp'],
    ['udp', 'udp6'],
  ] as const) {
    for (const line of ((await readOncePerCycle(ctx, `/proc/net/${file}`)) ?? '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4) continue;
      // TCP state 0A is LISTEN; an unconnected UDP socket (07) is a listener.
      if ((proto === 'tcp' && f[3] === '0A') || (proto === 'udp' && f[3] === '07')) out.add(`${proto}:${parseInt(f[1]!.split(':')[1]!, 16)}`);
    }
  }
  return out;
}

/** sudoers text (with includes) -> rules granting ALL without authentication. */
export async function sudoNopasswd(system: SystemReader, path = '/etc/sudoers', depth = 0): Promise<{ rules: string[]; files: string[] }> {
  const text = depth > 4 ? null : await system.readFile(path);
  if (text === null) return { rules: [], files: [] };
  const res = { rules: [] as string[], files: [path] };
  // Continuation lines end in a backslash.
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const inc = raw.match(/^\s*[@#]include(dir)?\s+(\S+)/);
    if (inc) {
      const targets = inc[1]
        ? ((await system.readDir(inc[2]!)) ?? [])
            .filter((n) => !n.includes('.') && !n.endsWith('~'))
            .sort()
            .map((n) => `${inc[2]}/${n}`)
        : [inc[2]!];
      for (const t of targets) {
        const sub = await sudoNopasswd(system, t, depth + 1);
        res.rules.push(...sub.rules);
        res.files.push(...sub.files);
      }
      continue;
    }
    const line = raw.replace(/#.*$/, '').trim();
    if (!line || /^Defaults/.test(line)) {
      if (/^Defaults.*!authenticate/.test(line)) res.rules.push(`${path}: ${line}`);
      continue;
    }
    // user host = (runas) TAGS: commands
    const m = line.match(/^(\S+)\s+\S+\s*=\s*(?:\([^)]*\)\s*)?((?:\w+:\s*)*)(.*)$/);
    if (!m) continue;
    const tags = m[2]!;
    const cmds = m[3]!.trim();
    if (/\b(NOPASSWD)\s*:/.test(tags) && /^ALL\b/.test(cmds)) res.rules.push(`${path}: ${line}`);
  }
  return res;
}

/**
 * Installed packages of each legacy service, per installed-packages map: the map is the same
 * object while dpkg's status is unchanged (installedCached), so the names are matched once per
 * package change, not every cycle.
 */
const legacyPackages = new WeakMap<Map<string, string>, Map<string, string[]>>();
function legacyInstalled(installed: Map<string, string>): Map<string, string[]> {
  let out = legacyPackages.get(installed);
  if (!out) {
    const names = [...installed.keys()].map((k) => k.slice(0, k.indexOf(':')));
    out = new Map(Object.entries(LEGACY).map(([id, l]) => [id, names.filter((n) => l.packages.test(n))]));
    legacyPackages.set(installed, out);
  }
  return out;
}

async function legacy(system: SystemReader, processes: ReadonlySet<string>, installed: Map<string, string> | null, ports: Set<string>): Promise<CheckOutcome[]> {
  const installedLegacy = installed ? legacyInstalled(installed) : null;
  return Object.entries(LEGACY).map(([id, l]) => {
    const listening = l.ports.filter((p) => ports.has(`${p.proto}:${p.port}`)).map((p) => `${p.proto}/${p.port}`);
    const running = l.processes.filter((p) => processes.has(p));
    const pkgs = installedLegacy?.get(id) ?? [];
    const found = [listening.length ? `listening on ${listening.join(', ')}` : '', running.length ? `running: ${running.join(', ')}` : '', pkgs.length ? `installed: ${pkgs.join(', ')}` : ''].filter(Boolean);
    if (found.length) return fail(id, `${l.what} ${found.join('; ')}: remove it (apt purge ${pkgs.join(' ') || l.processes[0]}) and use SSH/SFTP`);
    if (installed === null) return unknown(id, `${l.what}: not listening or running; installed packages unreadable (/var/lib/dpkg/status)`);
    return pass(id, `${l.what}: not installed, not running, nothing listening${l.ports.length ? ` on ${l.ports.map((p) => `${p.proto}/${p.port}`).join(', ')}` : ''}`);
  });
}

async function usb(system: SystemReader): Promise<CheckOutcome> {
  const [mods, dry] = await Promise.all([system.readFile('/proc/modules'), system.run('modprobe', ['-n', '-v', 'usb-storage'])]);
  const loaded = mods?.split('\n').some((l) => l.startsWith('usb_storage ')) ?? false;
  if (loaded) return fail(USB, 'usb_storage module is loaded (/proc/modules): USB mass storage works now; unload it and add "install usb-storage /bin/false" to /etc/modprobe.d/');
  if (dry.kind === 'not-found') return unknown(USB, 'modprobe not installed: cannot tell whether usb-storage would load');
  const text = dry.kind === 'ok' ? `${dry.stdout}${dry.stderr}`.trim() : '';
  if (/^install\s+\/(usr\/)?bin\/(false|true)\b/m.test(text)) return pass(USB, `usb-storage cannot load: modprobe -n -v says "${text.split('\n')[0]}"; not loaded now`);
  if (dry.kind === 'ok' && dry.code !== 0) return pass(USB, `usb-storage has no module on this kernel (modprobe exit ${dry.code}); not loaded now`);
  return fail(USB, `usb-storage would load on plug-in (modprobe -n -v: ${text.split('\n')[0] || 'insmod'}); add "install usb-storage /bin/false" to /etc/modprobe.d/`);
}

/** Mount points from /proc/self/mountinfo (field 5). */
export function mountPoints(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    const f = l.split(' ');
    const dash = f.indexOf('-');
    if (f.length > 5 && dash > 0) out.set(f[4]!.replace(/\\040/g, ' '), `${f[dash + 1]} ${f[dash + 2]}`);
  }
  return out;
}

export const hostServicesFamily: CheckFamily = {
  name: 'host-services',
  ids: SERVICE_IDS,
  platforms: ['linux'],
  async run(ctx) {
    const { system, processes } = ctx;
    const [sudo, installed, ports, mountinfo] = await Promise.all([sudoNopasswd(system), installedCached(system), listeningPorts(ctx), system.readFile('/proc/self/mountinfo')]);
    const sudoOut = !sudo.files.length
      ? (await system.stat('/usr/bin/sudo'))
        ? unknown(SUDO, '/etc/sudoers unreadable (run the agent as root)')
        : pass(SUDO, 'sudo not installed')
      : sudo.rules.length
        ? fail(SUDO, `passwordless sudo for all commands: ${sudo.rules.slice(0, 4).join(' | ')}; require the password (remove NOPASSWD / !authenticate) or list the commands`)
        : pass(SUDO, `no NOPASSWD ALL or !authenticate in ${sudo.files.length} sudoers file(s)`);
    const mounts = mountinfo === null ? null : mountPoints(mountinfo);
    const fsOut = Object.entries(FS).map(([id, dir]) => {
      if (!mounts) return unknown(id, '/proc/self/mountinfo unreadable');
      const m = mounts.get(dir);
      return m ? pass(id, `${dir} is its own file system (${m})`) : fail(id, `${dir} is not a separate file system (it lives on ${mounts.get('/var') ? '/var' : '/'}): a full log partition must not fill the system; give it its own partition or LV`);
    });
    // usb.storage is a workstation check: a server does not run modprobe for it.
    return [sudoOut, ...(await legacy(system, processes, installed, ports)), ...(ctx.applies(USB) ? [await usb(system)] : []), ...fsOut];
  },
};
