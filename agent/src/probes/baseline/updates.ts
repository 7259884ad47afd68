/**
 * updates.security_pending: no security update waits to be installed. Debian/Ubuntu: dpkg's
 * installed versions against the *-security suites' lists (apt-lists.ts); the answer is only
 * as fresh as the package lists, so stale lists give unknown, never pass.
 * RHEL family: `dnf -C updateinfo list --security`.
 * updates.automatic: unattended-upgrades enabled (apt) or a dnf-automatic timer enabled.
 * Windows: the Automatic Updates policy (NoAutoUpdate, AUOptions).
 */
import type { SystemReader } from '../../system.js';
import { aptConfigDump, DPKG_STATUS, installedCached, LISTS, securityPending, type SecurityPending } from './apt-lists.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { jsonRows, powershell, valueText } from '../common/powershell.js';

const PENDING = 'updates.security_pending';
const AUTO = 'updates.automatic';
const DAY_MS = 86_400_000;

/** `apt-config dump` holds `APT::Periodic::Unattended-Upgrade "1";` when enabled. */
export function aptPeriodic(dump: string, key: string): string | null {
  return dump.match(new RegExp(`^APT::Periodic::${key} "([^"]*)";`, 'm'))?.[1] ?? null;
}

/**
 * The comparison is reused, per SystemReader, while the lists directory, the security lists and
 * dpkg's status keep their modification times (a long-running agent reads them once per change).
 */
const aptCache = new WeakMap<object, { key: string; result: SecurityPending; at: Date }>();

async function pendingFromLists(system: SystemReader, key: string): Promise<{ result: SecurityPending | null; cachedAt: Date | null; why: string }> {
  const hit = aptCache.get(system);
  if (hit?.key === key) return { result: hit.result, cachedAt: hit.at, why: '' };
  const installed = await installedCached(system);
  if (installed === null) return { result: null, cachedAt: null, why: `${DPKG_STATUS} unreadable` };
  const result = await securityPending(system, installed);
  if (!result.unreadable.length) aptCache.set(system, { key, result, at: system.now() });
  return { result, cachedAt: null, why: '' };
}

async function apt(ctx: BaselineContext): Promise<CheckOutcome[]> {
  const { system } = ctx;
  const maxAgeDays = ctx.param(PENDING, 'maxListAgeDays');
  const [partial, stamp, dpkg, dump, uu] = await Promise.all([
    // apt-get update rewrites lists/partial on every run (even when nothing changed);
    // the periodic job leaves a stamp. List files keep the server's dates, so they cannot tell.
    system.stat('/var/lib/apt/lists/partial'),
    system.stat('/var/lib/apt/periodic/update-success-stamp'),
    system.stat('/var/lib/dpkg/status'),
    aptConfigDump(ctx),
    system.stat('/usr/bin/unattended-upgrade'),
  ]);
  const lists = await system.stat(LISTS);
  const { result, cachedAt, why } = await pendingFromLists(system, [partial, stamp, dpkg, lists].map((s) => `${s?.mtime.getTime() ?? 0}/${s?.size ?? 0}`).join(':'));
  const newest = Math.max(partial?.mtime.getTime() ?? 0, stamp?.mtime.getTime() ?? 0);
  const ageDays = newest ? (system.now().getTime() - newest) / DAY_MS : Infinity;
  const age = Number.isFinite(ageDays) ? `last apt-get update ${ageDays.toFixed(1)} days ago` : 'apt-get update never ran';
  let pending: CheckOutcome;
  if (result === null) pending = unknown(PENDING, why);
  else if (!result.lists.length) pending = unknown(PENDING, `no security suite in the apt lists (${LISTS}): add the distribution's security archive (e.g. deb.debian.org/debian-security) to the sources and run apt-get update`);
  else if (result.unreadable.length) pending = unknown(PENDING, `security lists unreadable: ${result.unreadable.join(', ')} (apt-helper cat-file failed)`);
  else {
    const pkgs = result.pending;
    if (pkgs.length) pending = fail(PENDING, `${pkgs.length} security update(s) pending (${age}): ${pkgs.slice(0, 12).join(', ')}${pkgs.length > 12 ? ', ...' : ''}; run apt-get upgrade`);
    else if (ageDays > maxAgeDays) pending = unknown(PENDING, `no security update pending in lists that are too old to trust (${age}, limit ${maxAgeDays}): run apt-get update or enable APT::Periodic::Update-Package-Lists`);
    else pending = pass(PENDING, `no security update pending: installed versions (dpkg status) >= ${result.lists.length} security list(s) (${age})`);
    if (cachedAt) pending.evidence = `${pending.evidence} [compared at ${cachedAt.toISOString()}: lists and packages unchanged since]`.slice(0, 1024);
  }
  const dumpOut = okOut(dump);
  let auto: CheckOutcome;
  if (dumpOut === null) auto = unknown(AUTO, whyFailed('apt-config dump', dump));
  else {
    const uuOn = aptPeriodic(dumpOut, 'Unattended-Upgrade');
    const listsOn = aptPeriodic(dumpOut, 'Update-Package-Lists');
    const ev = `APT::Periodic::Unattended-Upgrade=${uuOn ?? 'unset'}, Update-Package-Lists=${listsOn ?? 'unset'}, unattended-upgrades ${uu ? 'installed' : 'not installed'}`;
    const on = (v: string | null) => v !== null && v !== '0' && v !== '';
    auto = uu && on(uuOn) && on(listsOn) ? pass(AUTO, ev) : fail(AUTO, `${ev}: install unattended-upgrades and run dpkg-reconfigure -plow unattended-upgrades`);
  }
  return [pending, auto];
}

async function dnf(system: SystemReader): Promise<CheckOutcome[]> {
  const [info, conf, timer] = await Promise.all([
    system.run('dnf', ['-C', '-q', 'updateinfo', 'list', '--security'], { timeoutMs: 15_000 }),
    system.readFile('/etc/dnf/automatic.conf'),
    system.run('systemctl', ['is-enabled', 'dnf-automatic-install.timer', 'dnf-automatic.timer']),
  ]);
  const out = okOut(info);
  const lines = out?.split('\n').filter((l) => /^\S+\s+\S*Sec\.\s+\S+/.test(l)) ?? [];
  const pending =
    out === null
      ? unknown(PENDING, whyFailed('dnf updateinfo list --security', info))
      : lines.length
        ? fail(
            PENDING,
            `${lines.length} security advisory package(s) pending: ${lines
              .slice(0, 10)
              .map((l) => l.split(/\s+/).at(-1))
              .join(', ')}`,
          )
        : pass(PENDING, 'dnf updateinfo: no security advisory pending (cached metadata)');
  const apply = conf?.match(/^\s*apply_updates\s*=\s*(\S+)/m)?.[1] ?? 'unset';
  const timers = timer.kind === 'ok' ? timer.stdout.split('\n').map((s) => s.trim()) : [];
  const ev = `dnf-automatic.timer ${timers[1] || '?'}, dnf-automatic-install.timer ${timers[0] || '?'}, apply_updates=${apply}`;
  const on = timers[0] === 'enabled' || (timers[1] === 'enabled' && /^(yes|true|1)$/i.test(apply));
  return [pending, on ? pass(AUTO, ev) : fail(AUTO, `${ev}: enable dnf-automatic-install.timer`)];
}

export const WINDOWS_AU = "Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue | Select-Object NoAutoUpdate,AUOptions | ConvertTo-Json";

/** AU policy: NoAutoUpdate=1 off; AUOptions 4 auto install; 2/3 notify/download only; no policy = Windows default (automatic). */
export function windowsAutoUpdate(json: string): CheckOutcome {
  const r = jsonRows(json, 'WindowsUpdate AU policy')[0];
  if (!r) return pass(AUTO, 'no Windows Update policy set: Windows installs updates automatically by default');
  const ev = `WindowsUpdate\\AU policy: NoAutoUpdate=${valueText(r.NoAutoUpdate, 'unset')}, AUOptions=${valueText(r.AUOptions, 'unset')}`;
  if (r.NoAutoUpdate === 1) return fail(AUTO, `${ev}: automatic updates are disabled by policy`);
  return r.AUOptions === undefined || r.AUOptions === null || r.AUOptions === 4 ? pass(AUTO, ev) : fail(AUTO, `${ev}: updates are not installed automatically (AUOptions 4 does)`);
}

export const updatesFamily: CheckFamily = {
  name: 'updates',
  ids: [PENDING, AUTO],
  platforms: ['linux', 'win32'],
  async run(ctx) {
    const { system } = ctx;
    if (system.platform === 'win32') {
      const r = await powershell(system, WINDOWS_AU);
      const out = okOut(r);
      return [
        // Searching Windows Update for missing patches takes minutes through its COM API:
        // left to WSUS/Intune reporting, and said so rather than guessed.
        unknown(PENDING, 'pending Windows updates are not read by the agent (Windows Update search is too slow for a probe); use WSUS/Intune compliance'),
        out === null ? unknown(AUTO, whyFailed('WindowsUpdate AU policy', r)) : windowsAutoUpdate(out),
      ];
    }
    if ((await system.stat('/usr/bin/apt-get')) !== null) return apt(ctx);
    if ((await system.stat('/usr/bin/dnf')) !== null) return dnf(system);
    return [unknown(PENDING, 'no supported package manager (apt-get, dnf) found'), unknown(AUTO, 'no supported package manager (apt-get, dnf) found')];
  },
};
