/**
 * The checks added for the level 2-3 host requirements, against files and outputs written here
 * (Linux: the formats of /proc, shadow, PAM, sudoers, rsyslog, auditctl -l, stat(2) fields, mountinfo;
 * this machine's own values are covered by local.integration.test.ts) and Windows outputs
 * reconstructed from the documented formats (testdata/windows/, see testdata/README.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { FixtureSystem, type Fixture } from '../../../../testing/fixture-system.js';
import type { BaselineContext, CheckFamily } from './check.js';
import { sysctlFamily } from './sysctl.js';
import { accountsFamily } from './accounts.js';
import { filesFamily } from './files.js';
import { hostServicesFamily } from './host-services.js';
import { auditFamily } from './audit.js';
import { packagesFamily } from './packages.js';
import { monitoringFamily, logForwards } from './monitoring.js';
import { tlsFamily } from './tls.js';
import { judgeWindowsPolicy, netAccountsByPosition, WINDOWS_POLICY_SCRIPT, windowsPolicyFamily } from './windows-policy.js';
import { levelResults, profiles } from './profile.js';
import { builtinMapping } from './mapping.js';
import { REASONS } from '@posture/protocol';
import { failCode } from './profile.js';

const win = (name: string) => readFileSync(new URL(`./testdata/windows/${name}`, import.meta.url), 'utf8');
const run = async (f: CheckFamily, fx: Fixture & { processes?: string[] }, over = {}) => Object.fromEntries((await f.run(baselineContext(fx, over))).map((o) => [o.id, o]));
const PS = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command';

describe('sysctl: the running kernel, files as evidence', () => {
  const proc = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [`/proc/sys/${k.replaceAll('.', '/')}`, `${x}\n`]));
  it('trap: a value written in sysctl.d but never applied fails, and says so', async () => {
    const r = await run(sysctlFamily, { files: { ...proc({ 'fs.protected_symlinks': '0', 'fs.protected_hardlinks': '1' }), '/etc/sysctl.d/60-links.conf': 'fs.protected_symlinks = 1\nfs.protected_hardlinks=1\n' } });
    expect(r['kernel.protected_links']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/fs.protected_symlinks=0 \(\/etc\/sysctl.d\/60-links.conf says 1: not applied\); fs.protected_hardlinks=1 \(persisted/) as unknown });
  });
  it('a value applied by hand passes and is marked not persisted; an unreadable one is unknown', async () => {
    const r = await run(sysctlFamily, { files: proc({ 'kernel.randomize_va_space': '2' }) });
    expect(r['kernel.aslr']).toMatchObject({ result: 'pass', evidence: 'kernel.randomize_va_space=2 (not persisted)' });
    expect(r['kernel.syncookies']!.result).toBe('unknown');
  });
  it('a later directory and file name wins (sysctl --system order)', async () => {
    const r = await run(sysctlFamily, {
      files: { ...proc({ 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '0' }), '/usr/lib/sysctl.d/50-default.conf': 'net.ipv4.ip_forward=0\n', '/etc/sysctl.d/99-router.conf': 'net.ipv4.ip_forward = 1\n' },
    });
    expect(r['kernel.ip_forward']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/net.ipv4.ip_forward=1 \(persisted in \/etc\/sysctl.d\/99-router.conf\)/) as unknown });
  });
});

describe('accounts: shadow and PAM stacks', () => {
  const base = {
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
    '/etc/login.defs': 'PASS_MAX_DAYS 90\nPASS_MIN_DAYS 1\nENCRYPT_METHOD YESCRYPT\nUMASK 027\n',
    '/etc/pam.d/common-auth': 'auth [success=1 default=ignore] pam_unix.so\nauth requisite pam_deny.so\n',
    '/etc/pam.d/sshd': '@include common-auth\n',
    '/etc/pam.d/common-password': 'password requisite pam_pwquality.so retry=3 minclass=3\npassword required pam_pwhistory.so remember=5 use_authtok\npassword [success=1 default=ignore] pam_unix.so obscure use_authtok yescrypt\n',
  };
  it('trap: login.defs says 90 days but the existing account was created with 99999: fails on the account', async () => {
    const r = await run(accountsFamily, { files: { ...base, '/etc/shadow': 'root:!:19000:0:99999:7:::\nalice:$y$j9T$abc$def:19000:1:99999:7:::\n' } });
    expect(r['password.max_age']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/above 90 days for alice=99999 .*login.defs PASS_MAX_DAYS 90 \(for new accounts\)/) as unknown });
    expect(r['password.min_age']!.result).toBe('pass');
  });
  it('hardened accounts pass everything', async () => {
    const r = await run(accountsFamily, { files: { ...base, '/etc/shadow': 'root:!:19000:0:99999:7:::\nalice:$y$j9T$abc$def:19000:1:90:7:::\n' } });
    expect(Object.values(r).filter((o) => o.result !== 'pass')).toEqual([]);
  });
  it('an MD5 hash, a second UID 0, an empty password and nullok through @include all fail', async () => {
    const files = {
      ...base,
      '/etc/passwd': `${base['/etc/passwd']}toor:x:0:0::/root:/bin/sh\n`,
      '/etc/pam.d/common-auth': 'auth [success=1 default=ignore] pam_unix.so nullok\n',
      '/etc/shadow': 'root:!:19000:0:99999:7:::\nalice:$1$salt$hash:19000:1:90:7:::\nbob::19000:1:90:7:::\n',
    };
    const r = await run(accountsFamily, { files });
    expect(r['password.hashing']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/alice \(MD5\)/) as unknown });
    expect(r['accounts.single_uid0']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/toor/) as unknown });
    expect(r['accounts.no_empty_passwords']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/bob/) as unknown });
    expect(r['accounts.pam_nullok']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/sshd \(\/etc\/pam.d\/common-auth\)/) as unknown });
  });
  it('umask from /etc/profile overrides login.defs; shadow unreadable is unknown, never pass', async () => {
    const r = await run(accountsFamily, { files: { ...base, '/etc/profile': 'umask 022\n' } });
    expect(r['accounts.umask']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/umask 022 \(\/etc\/profile\)/) as unknown });
    expect(r['accounts.no_empty_passwords']!.result).toBe('unknown');
    expect(r['password.max_age']!.result).toBe('unknown');
  });
});

describe('file modes, sudo, legacy services, USB, mounts', () => {
  // stat(2) of a Debian host: regular files (0o100000) with these permission bits and ids.
  const mtime = new Date('2026-11-01T00:00:00Z');
  const st = (mode: number, uid: number, gid: number) => ({ mtime, size: 1, mode: 0o100000 | mode, uid, gid });
  const group = 'root:x:0:\nadm:x:4:syslog\nshadow:x:42:\n';
  const stats = { '/etc/passwd': st(0o644, 0, 0), '/etc/group': st(0o644, 0, 0), '/etc/shadow': st(0o640, 0, 42), '/etc/gshadow': st(0o644, 0, 42), '/var/log/auth.log': st(0o644, 0, 4) };
  const rsyslog = { '/etc/rsyslog.conf': 'auth,authpriv.*  /var/log/auth.log\n*.*;auth,authpriv.none -/var/log/syslog\n', '/etc/group': group };
  it('modes: gshadow world-readable and a log file readable by others fail', async () => {
    const r = await run(filesFamily, { files: rsyslog, stats });
    expect(r['files.passwd']).toMatchObject({ result: 'pass', evidence: '/etc/passwd: mode 644, uid 0, group root' });
    expect(r['files.shadow']).toMatchObject({ result: 'pass', evidence: '/etc/shadow: mode 640, uid 0, group shadow' });
    expect(r['files.gshadow']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/mode 644 wider than 640/) as unknown });
    expect(r['logging.file_permissions']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/\/var\/log\/auth.log 644 uid 0 adm/) as unknown });
  });
  it('modes: a group missing from /etc/group is named by its id and fails; setuid bits count; an unreadable mode or /etc/group is unknown, never pass', async () => {
    const odd = { ...stats, '/etc/shadow': st(0o640, 0, 1234), '/etc/passwd': st(0o4644, 0, 0), '/var/log/auth.log': st(0o640, 0, 4) };
    const r = await run(filesFamily, { files: rsyslog, stats: odd });
    expect(r['files.shadow']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/group gid 1234, not root or shadow/) as unknown });
    expect(r['files.passwd']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/mode 4644 wider than 644/) as unknown });
    expect(r['logging.file_permissions']).toMatchObject({ result: 'pass', evidence: '/var/log/auth.log 640 uid 0 adm' });
    // A reader that knows the file exists but not its mode (no mode, uid, gid).
    const noLogStat = Object.fromEntries(Object.entries(stats).filter(([path]) => path !== '/var/log/auth.log'));
    const noMode = await run(filesFamily, { files: { ...rsyslog, '/var/log/auth.log': 'x' }, stats: noLogStat });
    expect(noMode['logging.file_permissions']).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/\/var\/log\/auth.log \?/) as unknown });
    const noGroup = await run(filesFamily, { files: { '/etc/rsyslog.conf': rsyslog['/etc/rsyslog.conf'] }, stats });
    expect(Object.values(noGroup).map((o) => o.result)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(noGroup['files.passwd']!.evidence).toMatch(/\/etc\/group unreadable/);
  });
  it('journald alone: its journal files are judged; one rotated away since it was listed is not there to judge', async () => {
    const id = '/var/log/journal/0123456789abcdef';
    const dirs = { '/var/log/journal': ['0123456789abcdef'], [id]: ['system.journal', 'system@0001.journal'] };
    const accounts = { '/etc/passwd': stats['/etc/passwd'], '/etc/group': stats['/etc/group'], '/etc/shadow': stats['/etc/shadow'], '/etc/gshadow': stats['/etc/gshadow'] };
    const r = await run(filesFamily, { files: { '/etc/group': `${group}systemd-journal:x:101:\n` }, dirs, stats: { ...accounts, [`${id}/system.journal`]: st(0o640, 0, 101) } });
    expect(r['logging.file_permissions']).toMatchObject({ result: 'pass', evidence: `${id}/system.journal 640 uid 0 systemd-journal` });
    const open = await run(filesFamily, { files: { '/etc/group': group }, dirs, stats: { ...accounts, [`${id}/system.journal`]: st(0o644, 0, 101) } });
    expect(open['logging.file_permissions']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/system.journal 644 uid 0 gid 101: .*readable or writable beyond owner and group/) as unknown });
  });
  it('sudo: NOPASSWD ALL in an included file fails; a NOPASSWD for one command does not', async () => {
    const files = {
      '/etc/sudoers': 'Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n',
      '/etc/sudoers.d/90-cloud': 'admin ALL=(ALL) NOPASSWD:ALL\n',
      '/etc/sudoers.d/backup': 'backup ALL=(root) NOPASSWD: /usr/bin/rsync\n',
      '/etc/sudoers.d/README': '#\n',
    };
    const r = await run(hostServicesFamily, { files });
    expect(r['sudo.nopasswd']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/90-cloud: admin ALL=\(ALL\) NOPASSWD:ALL/) as unknown });
    expect(r['sudo.nopasswd']!.evidence).not.toMatch(/rsync/);
  });
  it('telnet listening (kernel socket table) fails even without its package; an installed tftpd fails; removed packages do not count', async () => {
    const tcp = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1\n';
    const status = 'Package: tftpd-hpa\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2\n\nPackage: nis\nStatus: deinstall ok config-files\nVersion: 4.17\n';
    const r = await run(hostServicesFamily, { files: { '/proc/net/tcp': tcp, '/var/lib/dpkg/status': status } });
    expect(r['services.telnet_server']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/listening on tcp\/23/) as unknown });
    expect(r['services.tftp_server']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/installed: tftpd-hpa/) as unknown });
    expect(r['services.nis']!.result).toBe('pass');
  });
  it('USB storage: blocked by install /bin/false passes; loaded now fails whatever modprobe.d says', async () => {
    const ws = { role: 'workstation' as const };
    const blocked = { commands: { 'modprobe -n -v usb-storage': 'install /bin/false \n' }, files: { '/proc/modules': 'ext4 1 0 - Live 0x0\n' } };
    expect((await run(hostServicesFamily, blocked, ws))['usb.storage']!.result).toBe('pass');
    const loaded = { ...blocked, files: { '/proc/modules': 'usb_storage 77824 1 uas, Live 0x0\n' } };
    expect((await run(hostServicesFamily, loaded, ws))['usb.storage']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/loaded/) as unknown });
    const open = { commands: { 'modprobe -n -v usb-storage': 'insmod /lib/modules/6.1.0-28-amd64/kernel/drivers/usb/storage/usb-storage.ko \n' }, files: { '/proc/modules': '' } };
    expect((await run(hostServicesFamily, open, ws))['usb.storage']!.result).toBe('fail');
  });
  it('separate /var/log from mountinfo (what is mounted, not fstab)', async () => {
    const mi = '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n30 22 8:3 / /var/log rw,relatime shared:9 - xfs /dev/mapper/vg-log rw\n';
    const r = await run(hostServicesFamily, { files: { '/proc/self/mountinfo': mi } });
    expect(r['fs.var_log_separate']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/xfs \/dev\/mapper\/vg-log/) as unknown });
    expect(r['fs.var_log_audit_separate']!.result).toBe('fail');
  });
});

describe('kernel audit rules', () => {
  const full =
    '-w /var/log/lastlog -p wa -k logins\n-w /var/run/faillock -p wa -k logins\n-w /etc/passwd -p wa -k identity\n-w /etc/group -p wa -k identity\n-w /etc/shadow -p wa -k identity\n-w /etc/gshadow -p wa -k identity\n-w /etc/sudoers -p wa -k scope\n-a always,exit -S all -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=-1 -F key=privileged\n-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -F key=time-change\n-w /etc/localtime -p wa -k time-change\n';
  it('loaded rules that record everything pass; locked rules pass immutable', async () => {
    const r = await run(auditFamily, { commands: { 'auditctl -l': full, 'auditctl -s': 'enabled 2\n' }, files: { '/etc/audit/auditd.conf': 'num_logs = 5\nmax_log_file_action = ROTATE\n' } });
    expect(Object.values(r).filter((o) => o.result !== 'pass')).toEqual([]);
  });
  it('trap: rules written in rules.d but not loaded (auditctl -l: No rules) fail, naming the files', async () => {
    const r = await run(auditFamily, {
      commands: { 'auditctl -l': 'No rules\n', 'auditctl -s': 'enabled 1\n' },
      files: { '/etc/audit/rules.d/50-identity.rules': full, '/etc/audit/auditd.conf': 'max_log_file_action = keep_logs\ndisk_full_action = ignore\n' },
    });
    expect(r['audit.rules_identity']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/in \/etc\/audit\/rules.d but not loaded in the kernel: run augenrules --load/) as unknown });
    expect(r['audit.immutable']!.result).toBe('fail');
    expect(r['audit.log_retention']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/full disk silently stops/) as unknown });
  });
  it('auditd not installed fails (nothing is recorded); auditctl failing as non-root is unknown', async () => {
    expect((await run(auditFamily, {}))['audit.rules_logins']!.result).toBe('fail');
    const denied = { kind: 'ok' as const, code: 1, stdout: '', stderr: 'You must be root to run this program.\n' };
    expect((await run(auditFamily, { commands: { 'auditctl -l': denied, 'auditctl -s': denied } }))['audit.rules_logins']).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/run the agent as root/) as unknown });
  });
});

describe('apt sources, AIDE, remote logging, TLS', () => {
  const L = '/var/lib/apt/lists';
  it('a [trusted=yes] source (no Release signature fetched) and a foreign origin fail', async () => {
    const files = {
      '/usr/bin/apt-get': '',
      [`${L}/deb.debian.org_debian_dists_bookworm_InRelease`]: 'Origin: Debian\nSuite: oldstable\n',
      [`${L}/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4`]: 'x',
      [`${L}/repo.example_apt_dists_stable_Release`]: 'Origin: Example Corp\nSuite: stable\n',
      [`${L}/repo.example_apt_dists_stable_main_binary-amd64_Packages`]: 'x',
    };
    const r = await run(packagesFamily, { files, commands: { 'apt-config dump': 'APT::Get::AllowUnauthenticated "false";\n' } });
    expect(r['packages.signed_sources']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/without a signed Release: repo.example_apt_dists_stable/) as unknown });
    expect(r['packages.official_sources']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/Origin: Example Corp/) as unknown });
  });
  it('AIDE: a cron.daily script with no cron daemon never runs', async () => {
    const r = await run(monitoringFamily, {
      dirs: ['/run/systemd/system'],
      files: { '/usr/bin/aide': '', '/var/lib/aide/aide.db': 'db', '/etc/cron.daily/dailyaidecheck': '#!/bin/sh\n' },
      commands: { 'systemctl is-enabled dailyaidecheck.timer aidecheck.timer': { kind: 'ok', code: 1, stdout: 'disabled\n', stderr: '' } },
    });
    expect(r['integrity.aide_initialised']!.result).toBe('pass');
    expect(r['integrity.aide_scheduled']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/no cron daemon running/) as unknown });
  });
  it('AIDE: an enabled timer passes while systemd runs; without systemd no timer fires and systemctl is not asked', async () => {
    const fx = (booted: boolean): Fixture => ({
      ...(booted ? { dirs: ['/run/systemd/system'] } : {}),
      files: { '/usr/bin/aide': '', '/var/lib/aide/aide.db': 'db' },
      commands: { 'systemctl is-enabled dailyaidecheck.timer aidecheck.timer': 'enabled\nnot-found\n' },
    });
    expect((await run(monitoringFamily, fx(true)))['integrity.aide_scheduled']!.result).toBe('pass');
    const system = new FixtureSystem(fx(false));
    expect((await run(monitoringFamily, fx(false), { system }))['integrity.aide_scheduled']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/systemd not running: no timer fires/) as unknown });
    expect(system.ran.filter((c) => c.startsWith('systemctl'))).toEqual([]);
  });
  it('forwarding rules of rsyslog, legacy and RainerScript', () => {
    expect(logForwards('*.* @@siem.example.vn:6514\nauth.* @10.0.0.5\naction(type="omfwd" target="10.1.1.1" port="10514" protocol="tcp")\n').map((f) => `${f.proto}://${f.host}:${f.port}`)).toEqual([
      'tcp://siem.example.vn:6514',
      'udp://10.0.0.5:514',
      'tcp://10.1.1.1:10514',
    ]);
  });
  it('trap: TCP forwarding configured but no connection to the log server fails; established passes', async () => {
    const conf = { '/etc/rsyslog.conf': '*.* @@siem.example.vn:6514\n' };
    const none = await run(monitoringFamily, { processes: ['rsyslogd'], files: conf });
    expect(none['logging.remote']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/no TCP connection to 6514 is established/) as unknown });
    const tcp = '  sl  local_address rem_address   st\n   0: 0100000A:C350 0500000A:1972 01 00000000:00000000\n';
    expect((await run(monitoringFamily, { processes: ['rsyslogd'], files: { ...conf, '/proc/net/tcp': tcp } }))['logging.remote']!.result).toBe('pass');
  });
  it('TLS: an expiring certificate on a listening port fails; plain ports are skipped', async () => {
    const tcp = '  sl  local_address rem_address   st\n   0: 00000000:01BB 00000000:0000 0A 0\n   1: 0100007F:0016 00000000:0000 0A 0\n';
    const certs = { 443: { subject: 'portal.example.gov.vn', notBefore: new Date('2026-01-01'), notAfter: new Date('2026-11-25T00:00:00Z') } };
    const peerCertificate = async (_h: string, port: number) => certs[port as 443] ?? null;
    const r = await run(tlsFamily, { files: { '/proc/net/tcp': tcp } }, { peerCertificate });
    expect(r['tls.certificates_valid']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/port 443 portal.example.gov.vn notAfter 2026-11-25/) as unknown });
  });
  it("the cycle's listeners from the ipv6 probe (ss) give the same ports as /proc/net, which is then not read", async () => {
    const tcp = '  sl  local_address rem_address   st\n   0: 00000000:01BB 00000000:0000 0A 0\n   1: 0100007F:0017 00000000:0000 0A 0\n';
    const tcp6 = '  sl  local_address rem_address   st\n   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 0\n';
    const udp = '  sl  local_address rem_address   st\n   0: 00000000:0045 00000000:0000 07 0\n';
    const listeners = [
      { port: 443, bind: '0.0.0.0', family: 'ipv4' as const, process: 'nginx' },
      { port: 23, bind: '127.0.0.1', family: 'ipv4' as const, process: 'inetd' },
      { port: 22, bind: '::', family: 'dual-stack' as const, process: 'sshd' },
      { protocol: 'udp' as const, port: 69, bind: '0.0.0.0', family: 'ipv4' as const, process: 'in.tftpd' },
    ];
    const ipv6 = { listeners } as unknown as NonNullable<BaselineContext['earlier']['ipv6']>;
    const asked: { host: string; port: number }[] = [];
    const peerCertificate = async (host: string, port: number) => (asked.push({ host, port }), null);
    const fromProc = { files: { '/proc/net/tcp': tcp, '/proc/net/tcp6': tcp6, '/proc/net/udp': udp } };
    const services = (fx: Fixture, over = {}) => run(hostServicesFamily, fx, over);
    const procServices = await services(fromProc);
    const ssServices = await services({}, { earlier: { ipv6 } });
    for (const id of ['services.telnet_server', 'services.tftp_server']) expect(ssServices[id]).toEqual(procServices[id]);
    expect(ssServices['services.telnet_server']!.result).toBe('fail');
    await run(tlsFamily, fromProc, { peerCertificate });
    const viaProc = asked.splice(0);
    await run(tlsFamily, {}, { peerCertificate, earlier: { ipv6 } });
    expect(asked).toEqual(viaProc);
    expect(viaProc).toContainEqual({ host: '127.0.0.1', port: 443 });
  });
});

describe('Windows policy (secedit, auditpol backup: locale-independent)', () => {
  const ctx = baselineContext({ platform: 'win32' });
  const json = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      secedit: win('secedit-default-win10.inf'),
      seceditExit: 0,
      auditpol: win('auditpol-backup-default-win10.csv'),
      auditpolExit: 0,
      smb: { EnableSMB1Protocol: false, RequireSecuritySignature: false },
      defender: { IsTamperProtected: true, AMRunningMode: 'Normal' },
      autorun: { NoDriveTypeAutoRun: 145 },
      usbstor: 3,
      rdp: {},
      ...over,
    });
  it('Windows 10 defaults: weak password policy, partial audit policy, SMB1 off', () => {
    const r = Object.fromEntries(judgeWindowsPolicy(json(), ctx, null).map((o) => [o.id, o]));
    expect(r['password.min_length']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/MinimumPasswordLength = 0 \(secedit/) as unknown });
    expect(r['password.complexity']!.result).toBe('pass');
    expect(r['accounts.guest_disabled']!.result).toBe('pass');
    expect(r['audit.rules_logins']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/Credential Validation: No Auditing/) as unknown });
    expect(r['audit.rules_identity']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/User Account Management: Success; Security Group Management: Success/) as unknown });
    expect(r['audit.policy_change']!.result).toBe('pass');
    expect(r['smb.v1_disabled']!.result).toBe('pass');
    expect(r['smb.signing']!.result).toBe('fail');
    expect(r['autorun.disabled']!.result).toBe('fail');
    expect(r['defender.tamper_protection']!.result).toBe('pass');
    expect(Object.keys(r).length).toBe(23);
    expect(r['logging.audit']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/Logon Success and Failure/) as unknown });
  });
  it('secedit failed: Vietnamese net accounts is read by line position, never by its labels', () => {
    const pos = netAccountsByPosition(win('net-accounts.vi.txt'))!;
    expect(Object.fromEntries(pos)).toEqual({ MinimumPasswordAge: 1, MaximumPasswordAge: 42, MinimumPasswordLength: 14, PasswordHistorySize: 24, LockoutBadCount: 0 });
    const r = Object.fromEntries(judgeWindowsPolicy(json({ seceditExit: 5, secedit: null }), ctx, win('net-accounts.vi.txt')).map((o) => [o.id, o]));
    expect(r['password.min_length']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/net accounts \(by line position/) as unknown });
    expect(r['password.lockout']!.result).toBe('fail');
    expect(r['password.complexity']!.result).toBe('unknown');
  });
  it('the family runs one PowerShell script; a failed run makes every check unknown', async () => {
    const r = await run(windowsPolicyFamily, { platform: 'win32', commands: { [`${PS} ${WINDOWS_POLICY_SCRIPT}`]: json() } });
    expect(r['uac.enabled']!.result).toBe('pass');
    const failed = await run(windowsPolicyFamily, { platform: 'win32' });
    expect(Object.values(failed).every((o) => o.result === 'unknown')).toBe(true);
  });
});

describe('levels and profiles', () => {
  const entry = builtinMapping().checks.get('logging.retention')!;
  it('one threshold per level: 42 days kept passes level 2 and fails levels 3-5', () => {
    expect(levelResults(entry, { id: 'logging.retention', result: 'pass', evidence: '', value: 42 })).toEqual([
      { level: 2, result: 'pass', threshold: 30 },
      { level: 3, result: 'fail', threshold: 90 },
      { level: 4, result: 'fail', threshold: 180 },
      { level: 5, result: 'fail', threshold: 365 },
    ]);
    expect(levelResults(entry, { id: 'logging.retention', result: 'unknown', evidence: '' })!.every((l) => l.result === 'unknown')).toBe(true);
  });
  it('a level requires its checks and the lower ones, with per-level results', () => {
    const c = (id: string, level: number, result: 'pass' | 'fail', byLevel?: { level: number; result: 'pass' | 'fail'; threshold: number }[]) => ({ id, level, result, title: { vi: id, en: id }, evidence: 'e', ...(byLevel ? { byLevel } : {}) });
    const p = profiles([
      c('a', 1, 'pass'),
      c('b', 2, 'fail'),
      c('r', 2, 'pass', [
        { level: 2, result: 'pass', threshold: 30 },
        { level: 3, result: 'fail', threshold: 90 },
      ]),
    ]);
    expect(p[0]).toMatchObject({ level: 1, required: 1, passed: ['a'] });
    expect(p[1]).toMatchObject({ level: 2, required: 3, passed: ['a', 'r'], failed: ['b'] });
    expect(p[2]).toMatchObject({ level: 3, failed: ['b', 'r'] });
  });
  it('every check of the mapping has its reason code in the catalogue', () => {
    for (const id of builtinMapping().checks.keys()) expect(REASONS[failCode(id)], id).toBeDefined();
  });
});
