/**
 * time, logging, updates, password, encryption, rdp and protection checks against outputs and
 * files written here. Recorded on this machine (Debian 12 VM): apt-config-dump.debian12.txt, lsblk.vm-plain.json. chrony, ntpq,
 * timedatectl, auditctl, w32tm, net accounts texts follow those tools' documented output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { FixtureSystem, type Fixture } from '../../../../testing/fixture-system.js';
import type { CheckFamily } from './check.js';
import { timeFamily } from './time.js';
import { loggingFamily } from './logging.js';
import { logRetentionFamily } from './log-retention.js';
import { updatesFamily, WINDOWS_AU } from './updates.js';
import { passwordFamily } from './password.js';
import { encryptionFamily } from './encryption.js';
import { rdpFamily, WINDOWS_RDP } from './rdp.js';
import { protectionFamily } from './protection.js';

const win = (name: string) => readFileSync(new URL(`./testdata/windows/${name}`, import.meta.url), 'utf8');
const data = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const PS = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command';
const NOW = new Date('2026-11-20T08:00:00Z');
const run = async (f: CheckFamily, fx: Fixture & { processes?: string[] }) => Object.fromEntries((await f.run(baselineContext({ now: NOW, ...fx }))).map((o) => [o.id, o]));
const expectCheck = (o: { result: string; evidence: string } | undefined, result: string, evidence: RegExp) => {
  expect(o?.result).toBe(result);
  expect(o?.evidence).toMatch(evidence);
};
const NO_SYSTEMD = { kind: 'ok' as const, code: 1, stdout: '', stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\n" };
const CHRONY_OK = 'Reference ID    : C0000201 (192.0.2.1)\nStratum         : 3\nRef time (UTC)  : Fri Nov 20 07:59:01 2026\nSystem time     : 0.000021140 seconds slow of NTP time\nLast offset     : -0.000004521 seconds\nLeap status     : Normal\n';
const CHRONY_NOSYNC = 'Reference ID    : 00000000 ()\nStratum         : 0\nRef time (UTC)  : Thu Jan 01 00:00:00 1970\nSystem time     : 0.000000000 seconds fast of NTP time\nLeap status     : Not synchronised\n';

describe('time.synchronized', () => {
  it.each([
    ['timedatectl synchronised', { dirs: ['/run/systemd/system'], commands: { 'timedatectl show -p NTP -p NTPSynchronized': 'NTP=yes\nNTPSynchronized=yes\n' } }, 'pass', /NTP=yes NTPSynchronized=yes/],
    ['timedatectl NTP off', { dirs: ['/run/systemd/system'], commands: { 'timedatectl show -p NTP -p NTPSynchronized': 'NTP=no\nNTPSynchronized=no\n' } }, 'fail', /timedatectl set-ntp true/],
    ['chrony synchronised (no systemd)', { processes: ['chronyd'], commands: { 'timedatectl show -p NTP -p NTPSynchronized': NO_SYSTEMD, 'chronyc -n tracking': CHRONY_OK } }, 'pass', /reference 192.0.2.1, stratum 3, leap status Normal/],
    ['chrony without source', { processes: ['chronyd'], commands: { 'chronyc -n tracking': CHRONY_NOSYNC } }, 'fail', /no usable time source/],
    [
      'ntpd with a system peer',
      { commands: { 'ntpq -pn': '     remote           refid      st t when poll reach   delay   offset  jitter\n==========\n*192.0.2.10      .GPS.            1 u   33   64  377    0.512    0.021   0.011\n' } },
      'pass',
      /system peer 192.0.2.10/,
    ],
    ['a daemon runs but its state is unreadable', { processes: ['chronyd'], commands: { 'timedatectl show -p NTP -p NTPSynchronized': NO_SYSTEMD } }, 'unknown', /chronyd running/],
    ['nothing', { commands: { 'timedatectl show -p NTP -p NTPSynchronized': NO_SYSTEMD } }, 'fail', /no time synchronisation running/],
    ['w32tm synchronised (recorded)', { platform: 'win32' as const, commands: { [`${PS} w32tm /query /status`]: win('w32tm-status.synced.txt') } }, 'pass', /stratum 5, reference 0xA83DD74A, source time.windows.com/],
    ['w32tm never synchronised (recorded)', { platform: 'win32' as const, commands: { [`${PS} w32tm /query /status`]: win('w32tm-status.unsynced.txt') } }, 'fail', /no time source/],
    ['trap: w32tm on the local CMOS clock says stratum 1, leap 0 (recorded fields)', { platform: 'win32' as const, commands: { [`${PS} w32tm /query /status`]: win('w32tm-status.local-cmos.txt') } }, 'fail', /local CMOS clock/],
    ['w32tm in Korean: no English label is needed', { platform: 'win32' as const, commands: { [`${PS} w32tm /query /status`]: win('w32tm-status.ko-KR.txt') } }, 'pass', /stratum 3, reference 0x14653909/],
  ])('%s', async (_n, fx, result, evidence) => expectCheck((await run(timeFamily, fx))['time.synchronized'], result, evidence));
  it('chronyc is asked only while chronyd runs (only chronyd answers it)', async () => {
    const fx = { commands: { 'chronyc -n tracking': CHRONY_OK } };
    const idle = baselineContext({ now: NOW, ...fx });
    expectCheck((await timeFamily.run(idle))[0], 'fail', /no time synchronisation running/);
    expect((idle.system as FixtureSystem).ran.filter((c) => c.startsWith('chronyc'))).toEqual([]);
    const running = baselineContext({ now: NOW, ...fx, processes: ['chronyd'] });
    expectCheck((await timeFamily.run(running))[0], 'pass', /reference 192.0.2.1/);
    expect((running.system as FixtureSystem).ran).toContain('chronyc -n tracking');
  });
});

describe('logging.system and logging.audit', () => {
  it('rsyslog running passes system logging', async () => expectCheck((await run(loggingFamily, { processes: ['rsyslogd'] }))['logging.system'], 'pass', /rsyslogd running/));
  it('journald volatile fails, persistent (drop-in, last wins) passes', async () => {
    const volatile = { processes: ['systemd-journal'], files: { '/etc/systemd/journald.conf': '[Journal]\nStorage=volatile\n' } };
    expectCheck((await run(loggingFamily, volatile))['logging.system'], 'fail', /in memory only: journald Storage=volatile/);
    const fixed = { ...volatile, files: { ...volatile.files, '/etc/systemd/journald.conf.d/10-persist.conf': '[Journal]\nStorage=persistent\n' } };
    expectCheck((await run(loggingFamily, fixed))['logging.system'], 'pass', /Storage=persistent \(\/etc\/systemd\/journald.conf.d\/10-persist.conf\)/);
  });
  it('journald auto persists only when /var/log/journal exists', async () => {
    expectCheck((await run(loggingFamily, { processes: ['systemd-journal'], dirs: ['/var/log/journal'] }))['logging.system'], 'pass', /Storage=auto .* exists/);
    expectCheck((await run(loggingFamily, { processes: ['systemd-journal'] }))['logging.system'], 'fail', /absent/);
  });
  it.each([
    ['auditd on', ['auditd'], { 'auditctl -s': 'enabled 1\nfailure 1\npid 612\nrate_limit 0\nbacklog_limit 8192\n' }, 'pass', /enabled 1/],
    ['auditd locked', ['auditd'], { 'auditctl -s': 'enabled 2\n' }, 'pass', /locked/],
    ['auditd running, auditing off', ['auditd'], { 'auditctl -s': 'enabled 0\n' }, 'fail', /auditing is off/],
    ['auditd not installed', [], {}, 'fail', /install auditd/],
  ])('%s', async (_n, processes, commands, result, evidence) => expectCheck((await run(loggingFamily, { processes, commands }))['logging.audit'], result, evidence));
});

describe('updates', () => {
  const apt = (over: Fixture = {}): Fixture => ({
    files: { '/usr/bin/apt-get': '', '/usr/bin/unattended-upgrade': '', '/var/lib/dpkg/status': '', ...over.files },
    dirs: ['/var/lib/apt/lists'],
    mtimes: { '/var/lib/apt/lists/partial': new Date('2026-11-19T08:00:00Z'), ...over.mtimes },
    commands: { 'apt-config dump': data('apt-config-dump.debian12.txt'), ...over.commands },
  });
  it('unattended-upgrades enabled passes', async () => {
    const on = { commands: { 'apt-config dump': 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' } };
    expectCheck((await run(updatesFamily, apt(on)))['updates.automatic'], 'pass', /Unattended-Upgrade=1, Update-Package-Lists=1, unattended-upgrades installed/);
  });
  it('dnf: security advisories pending, dnf-automatic-install.timer enabled', async () => {
    const r = await run(updatesFamily, {
      files: { '/usr/bin/dnf': '' },
      commands: {
        'dnf -C -q updateinfo list --security': 'RHSA-2024:0012 Important/Sec. openssl-libs-1:3.0.7-25.el9_3.x86_64\nRHSA-2024:0019 Moderate/Sec.  curl-7.76.1-26.el9_3.2.x86_64\n',
        'systemctl is-enabled dnf-automatic-install.timer dnf-automatic.timer': { kind: 'ok', code: 1, stdout: 'enabled\ndisabled\n', stderr: '' },
      },
    });
    expectCheck(r['updates.security_pending'], 'fail', /2 security advisory package\(s\) pending: openssl-libs/);
    expectCheck(r['updates.automatic'], 'pass', /dnf-automatic-install.timer enabled/);
  });
  it('Windows: pending updates are unknown (said so); AU policy read', async () => {
    const r = await run(updatesFamily, { platform: 'win32', commands: { [`${PS} ${WINDOWS_AU}`]: '{"NoAutoUpdate":0,"AUOptions":3}' } });
    expectCheck(r['updates.security_pending'], 'unknown', /WSUS\/Intune/);
    expectCheck(r['updates.automatic'], 'fail', /AUOptions=3/);
  });
});

describe('password policy', () => {
  const debian = (over: Record<string, string> = {}): Fixture => ({
    files: {
      '/etc/login.defs': 'PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\n',
      '/etc/pam.d/common-password': 'password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\n',
      '/etc/pam.d/common-auth': 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\n',
      ...over,
    },
  });
  it('Debian defaults fail all three, saying why', async () => {
    const r = await run(passwordFamily, debian());
    expectCheck(r['password.min_length'], 'fail', /pam_unix minlen 6 \(default\)/);
    expectCheck(r['password.lockout'], 'fail', /never locked/);
  });
  it('pwquality minlen from pwquality.conf, overridden by the module argument', async () => {
    const q = { '/etc/pam.d/common-password': 'password requisite pam_pwquality.so retry=3\npassword [success=1 default=ignore] pam_unix.so obscure use_authtok\n', '/etc/security/pwquality.conf': '# minlen = 8\nminlen = 12\n' };
    expectCheck((await run(passwordFamily, debian(q)))['password.min_length'], 'pass', /minlen 12 \(\/etc\/security\/pwquality.conf\)/);
    const arg = { ...q, '/etc/pam.d/common-password': 'password requisite pam_pwquality.so retry=3 minlen=6\n' };
    expectCheck((await run(passwordFamily, debian(arg)))['password.min_length'], 'fail', /minlen 6 \(module argument/);
  });
  it('pam_faillock deny=5 passes', async () => {
    const r = await run(
      passwordFamily,
      debian({ '/etc/pam.d/common-auth': 'auth required pam_faillock.so preauth\nauth [success=1 default=ignore] pam_unix.so\nauth [default=die] pam_faillock.so authfail\n', '/etc/security/faillock.conf': 'deny = 5\nunlock_time = 900\n' }),
    );
    expectCheck(r['password.lockout'], 'pass', /deny=5/);
  });
  it('pam_faillock deny=0 disables lockout', async () => {
    const r = await run(passwordFamily, debian({ '/etc/pam.d/common-auth': 'auth required pam_faillock.so preauth deny=0\n' }));
    expectCheck(r['password.lockout'], 'fail', /0 disables lockout/);
  });
});

describe('encryption, rdp, protection', () => {
  it('recorded lsblk of this VM: / on a plain disk fails', async () =>
    expectCheck((await run(encryptionFamily, { commands: { 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT': data('lsblk.vm-plain.json') } }))['encryption.disk'], 'fail', /\/ on vda\(disk\): no dm-crypt/));
  it('LUKS under LVM passes', async () => {
    const luks = {
      blockdevices: [
        {
          name: 'nvme0n1',
          type: 'disk',
          children: [{ name: 'nvme0n1p3', type: 'part', fstype: 'crypto_LUKS', children: [{ name: 'nvme0n1p3_crypt', type: 'crypt', fstype: 'LVM2_member', children: [{ name: 'vg-root', type: 'lvm', fstype: 'ext4', mountpoint: '/' }] }] }],
        },
      ],
    };
    expectCheck((await run(encryptionFamily, { commands: { 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT': JSON.stringify(luks) } }))['encryption.disk'], 'pass', /nvme0n1p3_crypt\(crypt LVM2_member\) > vg-root\(lvm ext4\)/);
  });
  it('no block device on / (container) is unknown', async () => expectCheck((await run(encryptionFamily, { commands: { 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT': '{"blockdevices":[]}' } }))['encryption.disk'], 'unknown', /container/));
  it.each([
    ['{"fDenyTSConnections":1,"UserAuthentication":0}', 'pass', /Remote Desktop off/],
    ['{"fDenyTSConnections":0,"UserAuthentication":1}', 'pass', /with NLA/],
    ['{"fDenyTSConnections":0,"UserAuthentication":0}', 'fail', /without NLA/],
  ])('rdp %s', async (json, result, evidence) => expectCheck((await run(rdpFamily, { platform: 'win32', commands: { [`${PS} ${WINDOWS_RDP}`]: json } }))['rdp.nla'], result, evidence));
  it('protection follows the protection probe; absent is unknown', async () => {
    const facts = { products: [], protected: false, reasons: ['no anti-malware or EDR product found'], maxSignatureAgeHours: 168 };
    const ctx = baselineContext({}, { earlier: { protection: facts } });
    expect(await protectionFamily.run(ctx)).toEqual([{ id: 'protection.endpoint', result: 'fail', evidence: 'no anti-malware or EDR product found' }]);
    expect((await protectionFamily.run(baselineContext({})))[0]!.result).toBe('unknown');
  });
});

describe('logging.retention', () => {
  const DEBIAN_CONF = '# see "man logrotate"\nweekly\nrotate 4\ncreate\ninclude /etc/logrotate.d\n/var/log/wtmp {\n    monthly\n    rotate 1\n}\n';
  const RSYSLOG = '/var/log/syslog\n/var/log/mail.log\n/var/log/kern.log\n{\n\trotate 4\n\tweekly\n\tmissingok\n\tcompress\n\tsharedscripts\n\tpostrotate\n\t\t/usr/lib/rsyslog/rsyslog-rotate\n\tendscript\n}\n';
  const rsyslog = (text: string, extra: Record<string, string> = {}) => ({ processes: ['rsyslogd'], files: { '/etc/logrotate.conf': DEBIAN_CONF, '/etc/logrotate.d/rsyslog': text, ...extra } });
  const check = async (fx: Fixture & { processes?: string[] }) => (await run(logRetentionFamily, fx))['logging.retention'];
  it('Debian default rsyslog rotation keeps 28 days: short of a month', async () =>
    expectCheck(await check(rsyslog(RSYSLOG)), 'fail', /^\/var\/log\/syslog in \/etc\/logrotate.d\/rsyslog: rotate 4, weekly = at least 28 days kept; required 30: raise rotate/));
  it('rotate 13 weekly passes; maxage caps it; a .dpkg-old copy is ignored', async () => {
    expectCheck(await check(rsyslog(RSYSLOG.replace('rotate 4', 'rotate 13'), { '/etc/logrotate.d/rsyslog.dpkg-old': RSYSLOG.replace('rotate 4', 'rotate 1') })), 'pass', /at least 91 days/);
    expectCheck(await check(rsyslog(RSYSLOG.replace('rotate 4', 'rotate 13\n\tmaxage 14'))), 'fail', /maxage 14 = at least 14 days/);
  });
  it('the global period applies when the block has none; size-only rotation is unknown', async () => {
    expectCheck(await check(rsyslog('/var/log/messages {\n  rotate 2\n}\n', { '/etc/logrotate.conf': 'monthly\nrotate 4\n' })), 'pass', /rotate 2, monthly = at least 60 days/);
    expectCheck(await check(rsyslog('/var/log/syslog {\n  rotate 5\n  size 100M\n}\n', { '/etc/logrotate.conf': 'rotate 4\n' })), 'unknown', /rotation by size/);
  });
  it('journald alone: MaxRetentionSec too short fails; an old entry passes; none is unknown', async () => {
    // Asked from the shortest level threshold up (30, 90, 180, 365 days) while entries are found.
    const j = (files: Record<string, string>, out: string, reach = 30) => ({
      files: { '/var/log/journal/0f3c/system.journal': '', ...files },
      commands: Object.fromEntries([365, 180, 90, 30].map((d) => [`journalctl -q --no-pager -o short-iso -n 1 --until=-${d}d`, d <= reach ? out : ''])),
    });
    expectCheck(await check(j({ '/etc/systemd/journald.conf': '[Journal]\nMaxRetentionSec=1week\n' }, '')), 'fail', /MaxRetentionSec=1week \(7 days\)/);
    const old = '2026-09-02T10:11:12+0000 host kernel: Linux version 6.1.0\n';
    expectCheck(await check(j({}, old)), 'pass', /older than 30 days \(2026-09-02T10:11:12\+0000\)/);
    expect((await check(j({}, old, 90)))!.value).toBe(90);
    expectCheck(await check(j({}, '')), 'unknown', /younger, or the size limit/);
  });
  it('journald: a threshold once reached is not asked again until a journal file goes; no journal file, no journalctl', async () => {
    const ask = (d: number) => `journalctl -q --no-pager -o short-iso -n 1 --until=-${d}d`;
    const old = '2026-09-02T10:11:12+0000 host kernel: Linux version 6.1.0\n';
    const fx: Fixture = {
      files: { '/var/log/journal/0f3c/system.journal': '', '/var/log/journal/0f3c/system@0001.journal': '' },
      commands: { [ask(30)]: old, [ask(90)]: '', [ask(180)]: '', [ask(365)]: '' },
      mtimes: { '/var/log/journal/0f3c': new Date('2026-11-01T00:00:00Z') },
    };
    const system = new FixtureSystem(fx);
    const run = async () => (await logRetentionFamily.run(baselineContext({ ...fx, processes: ['systemd-journal'] }, { system })))[0]!;
    const asked = (d: number) => system.ran.filter((c) => c === ask(d)).length;
    expectCheck(await run(), 'pass', /older than 30 days/);
    expectCheck(await run(), 'pass', /older than 30 days \(2026-09-02T10:11:12\+0000\)/);
    expect([asked(30), asked(90)]).toEqual([1, 2]); // reached: kept; not reached: asked each cycle
    fx.mtimes!['/var/log/journal/0f3c'] = new Date('2026-11-20T07:00:00Z'); // vacuum removed an archive
    await run();
    expect(asked(30)).toBe(2);
    const none = new FixtureSystem({ dirs: ['/var/log/journal'], commands: fx.commands });
    expectCheck((await logRetentionFamily.run(baselineContext({ processes: ['systemd-journal'] }, { system: none })))[0], 'unknown', /younger, or the size limit/);
    expect(none.ran).toEqual([]);
  });
});
