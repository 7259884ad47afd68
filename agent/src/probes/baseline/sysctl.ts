/**
 * Kernel hardening sysctls, read from /proc/sys: the value the running kernel enforces now
 * (network ones for the agent's network namespace). /etc/sysctl.conf and /etc/sysctl.d are
 * evidence only: a value written there but never applied (`sysctl --system` not run, or a later
 * file overriding it) is not enforced, and a value applied by hand is lost at the next boot, so
 * the evidence says whether the running value is also persisted.
 */
import type { SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, pass, unknown } from './check.js';

interface Want {
  /** sysctl keys (dotted) that must all hold an allowed value. */
  keys: string[];
  ok: (v: number) => boolean;
  want: string;
  /** Why this matters / what to do, for evidence. */
  fix: string;
}

const CHECKS: Record<string, Want> = {
  'kernel.ip_forward': { keys: ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'], ok: (v) => v === 0, want: '0', fix: 'a host that is not a router must not forward packets' },
  'kernel.rp_filter': { keys: ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter'], ok: (v) => v === 1 || v === 2, want: '1 (strict) or 2 (loose)', fix: 'drop packets with spoofed source addresses' },
  'kernel.aslr': { keys: ['kernel.randomize_va_space'], ok: (v) => v === 2, want: '2', fix: 'full address space layout randomisation' },
  'kernel.suid_dumpable': { keys: ['fs.suid_dumpable'], ok: (v) => v === 0, want: '0', fix: 'no core dumps of setuid programs (they may hold secrets)' },
  'kernel.redirects': {
    keys: ['net.ipv4.conf.all.accept_redirects', 'net.ipv4.conf.default.accept_redirects', 'net.ipv6.conf.all.accept_redirects', 'net.ipv4.conf.all.send_redirects', 'net.ipv4.conf.all.secure_redirects'],
    ok: (v) => v === 0,
    want: '0',
    fix: 'ICMP redirects let a neighbour reroute traffic',
  },
  'kernel.source_route': { keys: ['net.ipv4.conf.all.accept_source_route', 'net.ipv4.conf.default.accept_source_route', 'net.ipv6.conf.all.accept_source_route'], ok: (v) => v === 0, want: '0', fix: 'source-routed packets bypass routing policy' },
  'kernel.syncookies': { keys: ['net.ipv4.tcp_syncookies'], ok: (v) => v === 1, want: '1', fix: 'SYN cookies keep services up under SYN floods' },
  'kernel.dmesg_restrict': { keys: ['kernel.dmesg_restrict'], ok: (v) => v === 1, want: '1', fix: 'kernel log readable by root only' },
  'kernel.kptr_restrict': { keys: ['kernel.kptr_restrict'], ok: (v) => v >= 1, want: '1 or 2', fix: 'kernel addresses hidden from unprivileged users' },
  'kernel.protected_links': { keys: ['fs.protected_symlinks', 'fs.protected_hardlinks'], ok: (v) => v === 1, want: '1', fix: 'no link attacks in world-writable directories' },
};

export const SYSCTL_IDS = Object.keys(CHECKS);
const procPath = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`;

/** `key = value` lines of the sysctl files, in the order sysctl --system applies them (last wins). */
export async function persistedSysctls(system: SystemReader): Promise<Map<string, { value: string; file: string }>> {
  const dirs = ['/usr/lib/sysctl.d', '/run/sysctl.d', '/etc/sysctl.d'];
  // Files of the same name in a later directory replace earlier ones; then name order, by byte
  // value as systemd-sysctl and procps sort them (strcmp, not the locale's collation: which
  // would also load ICU's collation tables into the agent, ~2 MB of resident memory).
  const byName = new Map<string, string>();
  for (const d of dirs) for (const n of (await system.readDir(d)) ?? []) if (n.endsWith('.conf')) byName.set(n, `${d}/${n}`);
  const paths = [...[...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p), '/etc/sysctl.conf'];
  const out = new Map<string, { value: string; file: string }>();
  for (const p of paths) {
    for (const raw of ((await system.readFile(p)) ?? '').split('\n')) {
      const m = raw.replace(/[#;].*$/, '').match(/^\s*-?\s*([\w./-]+)\s*=\s*(\S+)\s*$/);
      if (m) out.set(m[1]!.replaceAll('/', '.'), { value: m[2]!, file: p });
    }
  }
  return out;
}

export function judgeSysctl(id: string, running: Map<string, string | null>, persisted: Map<string, { value: string; file: string }>): CheckOutcome {
  const c = CHECKS[id]!;
  const unread = c.keys.filter((k) => running.get(k) === null || running.get(k) === undefined);
  const parts = c.keys
    .filter((k) => !unread.includes(k))
    .map((k) => {
      const v = running.get(k)!.trim();
      const p = persisted.get(k);
      const note = !p ? 'not persisted' : p.value === v ? `persisted in ${p.file}` : `${p.file} says ${p.value}: not applied`;
      return { k, v, ok: c.ok(Number(v)), text: `${k}=${v} (${note})` };
    });
  if (!parts.length) return unknown(id, `${unread.map(procPath).join(', ')} unreadable`);
  const bad = parts.filter((p) => !p.ok);
  const ev = parts.map((p) => p.text).join('; ');
  if (bad.length) return fail(id, `${ev}: set ${bad.map((p) => `${p.k}=${c.want}`).join(', ')} in /etc/sysctl.d/ and run sysctl --system (${c.fix})`);
  return unread.length ? unknown(id, `${ev}; unreadable: ${unread.join(', ')}`) : pass(id, ev);
}

export const sysctlFamily: CheckFamily = {
  name: 'sysctl',
  ids: SYSCTL_IDS,
  platforms: ['linux'],
  async run({ system }) {
    const keys = [...new Set(Object.values(CHECKS).flatMap((c) => c.keys))];
    const values = await Promise.all(keys.map((k) => system.readFile(procPath(k))));
    const running = new Map(keys.map((k, i) => [k, values[i] ?? null]));
    const persisted = await persistedSysctls(system);
    return SYSCTL_IDS.map((id) => judgeSysctl(id, running, persisted));
  },
};
