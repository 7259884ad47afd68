#!/usr/bin/env node
// Cross-check of the baseline probe with OpenSCAP on this machine, in the same run:
//  1. OpenSCAP (Debian openscap-scanner + ssg-debian 0.1.65). ssg ships no Debian 12 data
//     stream: the Debian 11 one is used with its version check widened to 11|12, and, when
//     this machine is a container (/.dockerenv), with its container detection pointed at an
//     absent file, so the rules that read the running kernel and daemons are evaluated rather
//     than "notapplicable" (the probe reads the same kernel).
//  2. Each OpenSCAP rule that overlaps a Posture check is mapped to it (OVERLAP below); a check
//     covered by several rules is compared with all of them together (fail if any fails).
//  3. Agreement per check, as found and after hardening in a private mount namespace (`unshare
//     -m`: bind-mounted copies of /etc/ssh and /etc/sysctl.d with hardened settings, /var/log and
//     /var/log/audit bind-mounted on themselves to become mount points): nothing changes for the
//     rest of the machine, and both tools see the same hardened view.
//  4. CPU of the OpenSCAP evaluation vs the probe's cycle, warm and cold, in the same run.
// Run after `npx tsc -b protocol agent` (as root):   node bench/openscap-agreement.mjs [probe runs=5]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMOKE, sized } from './lib/smoke.mjs';

const runs = sized(process.argv.slice(2).find((x) => /^\d+$/.test(x)) ?? '5', '1');
const SRC = '/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml';
const PROFILE = 'xccdf_org.ssgproject.content_profile_anssi_np_nt28_high';
if (!existsSync(SRC)) throw new Error(`${SRC} missing: install ssg-debian and openscap-scanner (scripts/install-deps.sh)`);

/** OpenSCAP rule id -> Posture check id. Rules without an entry have no Posture counterpart. */
const OVERLAP = {
  apt_conf_disallow_unauthenticated: 'packages.signed_sources',
  apt_sources_list_official: 'packages.official_sources',
  file_owner_etc_passwd: 'files.passwd',
  file_groupowner_etc_passwd: 'files.passwd',
  file_permissions_etc_passwd: 'files.passwd',
  file_owner_etc_group: 'files.group',
  file_groupowner_etc_group: 'files.group',
  file_permissions_etc_group: 'files.group',
  file_owner_etc_shadow: 'files.shadow',
  file_groupowner_etc_shadow: 'files.shadow',
  file_permissions_etc_shadow: 'files.shadow',
  file_owner_etc_gshadow: 'files.gshadow',
  file_groupowner_etc_gshadow: 'files.gshadow',
  file_permissions_etc_gshadow: 'files.gshadow',
  package_telnetd_removed: 'services.telnet_server',
  'package_telnetd-ssl_removed': 'services.telnet_server',
  'package_inetutils-telnetd_removed': 'services.telnet_server',
  package_nis_removed: 'services.nis',
  service_rsyslog_enabled: 'logging.system',
  rsyslog_files_permissions: 'logging.file_permissions',
  rsyslog_files_ownership: 'logging.file_permissions',
  rsyslog_files_groupownership: 'logging.file_permissions',
  partition_for_var_log: 'fs.var_log_separate',
  partition_for_var_log_audit: 'fs.var_log_audit_separate',
  service_auditd_enabled: 'logging.audit',
  sshd_allow_only_protocol2: 'ssh.weak_crypto',
  sshd_disable_empty_passwords: 'ssh.empty_passwords',
  sshd_disable_root_login: 'ssh.root_login',
  sshd_set_idle_timeout: 'ssh.idle_timeout',
  sshd_set_keepalive_0: 'ssh.idle_timeout',
  sudo_remove_nopasswd: 'sudo.nopasswd',
  sudo_remove_no_authenticate: 'sudo.nopasswd',
  sysctl_fs_protected_hardlinks: 'kernel.protected_links',
  sysctl_fs_protected_symlinks: 'kernel.protected_links',
  sysctl_fs_suid_dumpable: 'kernel.suid_dumpable',
  sysctl_kernel_randomize_va_space: 'kernel.aslr',
};

const HARDEN = `set -e
T=$1
mount --make-rprivate /
cp -a /etc/ssh "$T/ssh"
printf 'PermitRootLogin no\\nPermitEmptyPasswords no\\nClientAliveInterval 300\\nClientAliveCountMax 0\\n' > "$T/ssh/sshd_config.d/99-posture-bench.conf"
# ssg 0.1.65 reads /etc/ssh/sshd_config itself, not its Include: the same lines go first there too.
{ printf 'PermitRootLogin no\\nPermitEmptyPasswords no\\nClientAliveInterval 300\\nClientAliveCountMax 0\\n'; cat /etc/ssh/sshd_config; } > "$T/ssh/sshd_config"
mount --bind "$T/ssh" /etc/ssh
mkdir -p "$T/sysctl.d"; cp -a /etc/sysctl.d/. "$T/sysctl.d/" 2>/dev/null || true
printf 'fs.suid_dumpable = 0\\nkernel.randomize_va_space = 2\\nfs.protected_hardlinks = 1\\nfs.protected_symlinks = 1\\n' > "$T/sysctl.d/99-posture-bench.conf"
mount --bind "$T/sysctl.d" /etc/sysctl.d
mount --bind /var/log /var/log
mkdir -p /var/log/audit && mount --bind /var/log/audit /var/log/audit
shift; exec "$@"
`;

const dir = mkdtempSync(join(tmpdir(), 'posture-oscap-'));
try {
  let ds = readFileSync(SRC, 'utf8').replaceAll('^11.[0-9]+$', '^1[12].[0-9]+$');
  if (existsSync('/.dockerenv') || existsSync('/run/.containerenv')) ds = ds.replaceAll('/.dockerenv', '/.posture-bench-absent').replaceAll('/run/.containerenv', '/run/.posture-bench-absent');
  writeFileSync(join(dir, 'ds.xml'), ds);
  writeFileSync(join(dir, 'harden.sh'), HARDEN);
  const runner = [process.execPath, join(import.meta.dirname, 'lib/openscap-run.mjs'), join(dir, 'ds.xml'), PROFILE];
  const asFound = JSON.parse(execFileSync(runner[0], [...runner.slice(1), dir, runs], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const hdir = mkdtempSync(join(dir, 'hardened-'));
  // --smoke: the machine as found only (one OpenSCAP evaluation instead of two).
  const hardened = SMOKE ? null : JSON.parse(execFileSync('unshare', ['-m', 'bash', join(dir, 'harden.sh'), hdir, ...runner, hdir, runs], { encoding: 'utf8', maxBuffer: 64 << 20 }));

  for (const [name, r] of [
    ['as found', asFound],
    ['hardened (private mount namespace)', hardened],
  ].filter(([, r]) => r !== null)) {
    const byCheck = new Map();
    for (const [rule, res] of Object.entries(r.rules)) {
      const check = OVERLAP[rule];
      if (!check || !['pass', 'fail'].includes(res)) continue;
      const e = byCheck.get(check) ?? { rules: [], oscap: 'pass' };
      e.rules.push(`${rule}=${res}`);
      if (res === 'fail') e.oscap = 'fail';
      byCheck.set(check, e);
    }
    const skipped = Object.entries(r.rules)
      .filter(([rule, res]) => OVERLAP[rule] && !['pass', 'fail'].includes(res))
      .map(([rule, res]) => `${rule}=${res}`);
    let agree = 0;
    const evaluated = Object.values(r.rules).filter((x) => ['pass', 'fail', 'error'].includes(x)).length;
    console.log(`\n${name}: ${evaluated} OpenSCAP rules evaluated (pass/fail/error) in ${PROFILE.split('_profile_')[1]}, ${byCheck.size} Posture checks overlap`);
    for (const [check, e] of [...byCheck].sort()) {
      const p = r.probe.outcomes[check]?.result ?? 'missing';
      const same = p === e.oscap;
      if (same) agree++;
      console.log(
        `  ${same ? 'agree   ' : 'DISAGREE'} ${check.padEnd(28)} posture ${p.padEnd(7)} openscap ${e.oscap.padEnd(4)} (${e.rules.join(', ')})${same ? '' : `\n           posture evidence: ${r.probe.outcomes[check]?.evidence.slice(0, 200)}`}`,
      );
    }
    if (skipped.length) console.log(`  not compared (OpenSCAP gave no pass/fail): ${skipped.join(', ')}`);
    console.log(`  agreement: ${agree}/${byCheck.size} = ${((100 * agree) / byCheck.size).toFixed(1)}%`);
    console.log(`  CPU: OpenSCAP evaluation ${r.oscap.cpuMs.toFixed(0)} ms (wall ${r.oscap.wallMs.toFixed(0)} ms); probe cycle cold ${r.probe.coldCpuMs.toFixed(0)} ms, warm ${r.probe.warmCpuMs.toFixed(0)} ms`);
    console.log(`  ratio probe warm / OpenSCAP ${(r.probe.warmCpuMs / r.oscap.cpuMs).toFixed(3)}x, cold / OpenSCAP ${(r.probe.coldCpuMs / r.oscap.cpuMs).toFixed(3)}x`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
