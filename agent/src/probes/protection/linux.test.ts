/**
 * Linux products over recorded outputs of real machines (testdata/README.md says where each came
 * from). Table-driven: each case is a machine, the products it must show and the verdict.
 */
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../system.js';
import { FixtureSystem, ok, type Fixture } from '../../../../testing/fixture-system.js';
import { validateConfig } from '../../config.js';
import { protectionProbe } from './index.js';
import { collect, expectCase, fx, type ExpectedProduct } from './testkit.js';

const proc = (...comms: string[]) => comms.map((comm) => ({ comm }));
const S1 = 'linux/sentinelone-30.1.1.10';
const s1Commands = (control = fx(`${S1}/control-status.txt`)) => [
  { match: 'sentinelctl version', result: ok(fx(`${S1}/version.txt`)) },
  { match: 'sentinelctl control status', result: ok(control) },
  { match: 'sentinelctl engines status', result: ok(fx(`${S1}/engines-status.txt`)) },
  { match: 'sentinelctl management status', result: ok(fx(`${S1}/management-status.txt`)) },
];
const mdatp = (stdout: string): { match: string; result: CommandResult }[] => [{ match: 'mdatp health --output json', result: ok(stdout) }];
const falcon = (result: CommandResult): Partial<Fixture> => ({ files: { '/opt/CrowdStrike/falconctl': '' }, commands: [{ match: 'falconctl -g', result }] });
const eset = {
  files: { '/opt/eset/eea/bin/upd': '' },
  commands: [
    { match: 'upd --version', result: ok(fx('linux/eset-eea-12.0.13.0/upd-version.txt')) },
    { match: 'upd --list-modules', result: ok(fx('linux/eset-eea-12.0.13.0/upd-list-modules.txt')) },
  ],
};
const CVD = fx('linux/clamav-daily-25784.cvd-header.txt');
const SOCK = '/run/clamav/clamd.ctl';
/** clamd's answers on its socket: VERSION (engine/daily/date) and INSTREAM of the test bytes. */
const clamd =
  (version = 'ClamAV 1.4.6/25784/Thu Apr 16 11:58:59 2020', scan = 'stream: OK') =>
  (req: string) =>
    req.startsWith('zVERSION') ? version : req.startsWith('zINSTREAM') ? scan : 'UNKNOWN COMMAND';
/** clamonacc with the distribution config, holding one fanotify mount mark on /. */
const onacc = (pid = 1001): Partial<Fixture> => ({
  files: { [`/proc/${pid}/fdinfo/5`]: 'pos:\t0\nflags:\t02\nfanotify flags:10 event-flags:0\nfanotify mnt_id:21 mflags:0 mask:10000 ignored_mask:0\n', '/proc/self/mounts': '/dev/vda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n' },
  dirs: { [`/proc/${pid}/fd`]: ['5'] },
});
/** A Debian host: clamd from the systemd unit (no -c: default config), daily.cvd of 2020-04-16. */
const clamav = (header: string, opts: { conf?: string; onacc?: boolean; socket?: Fixture['sockets'] } = {}): Partial<Fixture> => {
  const o = opts.onacc ? onacc() : { files: {}, dirs: {} };
  return {
    now: new Date('2020-04-17T11:58:59Z'),
    files: {
      '/usr/sbin/clamd': '',
      '/etc/clamav/clamd.conf': opts.conf ?? `LocalSocket ${SOCK}\nDatabaseDirectory /var/lib/clamav\nOnAccessMountPath /\n`,
      '/var/lib/clamav/daily.cvd': header.padEnd(512, ' ') + '\u001f\u008b\u0008',
      ...o.files,
    },
    dirs: { '/var/lib/clamav': ['daily.cvd', 'freshclam.dat'], ...(o.dirs as Record<string, string[]>) },
    running: [{ comm: 'clamd', argv: ['/usr/sbin/clamd', '--foreground=true'] }, ...(opts.onacc ? [{ comm: 'clamonacc', argv: ['/usr/sbin/clamonacc', '-F', '--fdpass'] }] : [])],
    sockets: opts.socket ?? { [SOCK]: clamd() },
  };
};
const mdatpReal = fx('linux/mdatp-health-101.23062.0010.json');
const mdatpActive = mdatpReal
  .replace('"passiveModeEnabled":{"displayValue":true,"isManaged":false,"value":true}', '"passiveModeEnabled":{"displayValue":true,"isManaged":false,"value":false}')
  .replace('"realTimeProtectionEnabled":{"displayValue":true,"isManaged":false,"value":false}', '"realTimeProtectionEnabled":{"displayValue":true,"isManaged":false,"value":true}');

interface Case {
  name: string;
  spec: Partial<Fixture>;
  protection?: Record<string, unknown>;
  protected: boolean;
  product?: ExpectedProduct;
  reason?: RegExp;
}

const NOW = new Date('2023-08-09T13:39:13Z');
const cases: Case[] = [
  { name: 'nothing installed', spec: { running: proc('systemd', 'sshd') }, protected: false, reason: /no anti-malware or EDR product found/ },
  { name: '/proc shows no process (hidepid, restricted container): protection unknown, not "no product"', spec: {}, protected: false, reason: /^protection unknown: the process list could not be read/ },
  { name: 'ClamAV with clamonacc on /, clamd answers, daily 25784 one day old (real header)', spec: clamav(CVD, { onacc: true }), protected: true, product: { id: 'clamav', running: true, realTime: true, protects: true, signatureAgeHours: 24 } },
  { name: 'ClamAV, clamd without clamonacc: on demand only', spec: clamav(CVD), protected: false, product: { id: 'clamav', running: true, realTime: false, protects: false }, reason: /ClamAV: not protecting \(real-time protection off\)/ },
  {
    name: 'ClamAV: clamd reports the database it loaded (older than the files)',
    spec: clamav(CVD, { onacc: true, socket: { [SOCK]: clamd('ClamAV 1.4.6/25700/Mon Apr  6 11:58:59 2020') } }),
    protected: false,
    product: { id: 'clamav', running: true, realTime: true, protects: false },
    reason: /signatures 2\d\d(\.\d)? h old/,
  },
  {
    name: 'ClamAV: clamd process exists, its socket does not reply within the deadline (stopped)',
    spec: clamav(CVD, { onacc: true, socket: { [SOCK]: () => ({ kind: 'timeout', afterMs: 10_000, partial: '' }) } }),
    protected: false,
    product: { id: 'clamav', running: false, realTime: false, protects: false },
    reason: /ClamAV: not protecting \(not running/,
  },
  {
    name: 'ClamAV: clamd replies to VERSION but does not scan',
    spec: clamav(CVD, { onacc: true, socket: { [SOCK]: clamd(undefined, 'INSTREAM: Size limit reached. ERROR') } }),
    protected: false,
    product: { id: 'clamav', running: false, protects: false },
  },
  { name: 'ClamAV: nothing listens on the socket (ENOENT)', spec: clamav(CVD, { onacc: true, socket: {} }), protected: false, product: { id: 'clamav', running: false, protects: false } },
  {
    name: 'ClamAV: the socket refuses us (EACCES): running unknown, never protecting',
    spec: clamav(CVD, { onacc: true, socket: { [SOCK]: () => ({ kind: 'failed', code: 'EACCES', message: 'permission denied' }) } }),
    protected: false,
    product: { id: 'clamav', running: null, protects: false, unknown: ['running'] },
  },
  {
    name: 'ClamAV: clamonacc watches one folder only (OnAccessIncludePath /home): real-time does not cover the system',
    spec: clamav(CVD, { onacc: true, conf: `LocalSocket ${SOCK}\nDatabaseDirectory /var/lib/clamav\nOnAccessIncludePath /home\n` }),
    protected: false,
    product: { id: 'clamav', running: true, realTime: false, protects: false },
  },
  {
    name: 'ClamAV: OnAccessIncludePath / is refused by clamonacc: not covered',
    spec: clamav(CVD, { onacc: true, conf: `LocalSocket ${SOCK}\nDatabaseDirectory /var/lib/clamav\nOnAccessIncludePath /\n` }),
    protected: false,
    product: { id: 'clamav', realTime: false, protects: false },
  },
  {
    name: 'ClamAV: clamonacc holds no fanotify mark (watches nothing)',
    spec: { ...clamav(CVD, { onacc: true }), dirs: { '/var/lib/clamav': ['daily.cvd'], '/proc/1001/fd': ['0', '1', '2'] } },
    protected: false,
    product: { id: 'clamav', realTime: false, protects: false },
  },
  {
    name: 'ClamAV: clamd has loaded no official database (VERSION names none), a site .hdb with a fresh mtime',
    spec: {
      ...clamav(CVD, { onacc: true, socket: { [SOCK]: clamd('ClamAV 1.4.6') } }),
      dirs: { '/var/lib/clamav': ['site.hdb'], '/proc/1001/fd': ['5'] },
      files: { ...clamav(CVD, { onacc: true }).files, '/var/lib/clamav/site.hdb': '44d88612fea8a8f36de82e1278abb02f:68:Site.Test\n' },
    },
    protected: false,
    product: { id: 'clamav', running: true, realTime: true, protects: false, signatureAgeHours: null, unknown: ['signatureDate'] },
    reason: /signature age unknown/,
  },
  { name: 'ClamAV stopped: header cut after the printed time: that time is used', spec: { ...clamav(CVD.slice(0, 60)), sockets: {} }, protected: false, product: { id: 'clamav', running: false, protects: false, signatureAgeHours: 24 } },
  { name: 'ClamAV stopped: header cut to 20 bytes: date unknown', spec: { ...clamav(CVD.slice(0, 20)), sockets: {} }, protected: false, product: { id: 'clamav', signatureAgeHours: null, protects: false, unknown: ['signatureDate'] } },
  { name: 'ClamAV stopped: header not a header (zeroed file)', spec: { ...clamav('\u0000'.repeat(100)), sockets: {} }, protected: false, product: { id: 'clamav', protects: false, unknown: ['signatureDate'] } },
  {
    name: 'Bitdefender GravityZone BEST 7.0.3.2239 (real bduitool get ps), security content 2 h old',
    spec: { now: new Date('2023-08-24T11:44:37Z'), files: { '/opt/bitdefender-security-tools/bin/bduitool': '' }, commands: [{ match: 'bduitool get ps', result: ok(fx('linux/bduitool-7.0.3.2239.txt')) }] },
    protected: true,
    product: { id: 'bitdefender', running: true, realTime: true, protects: true, signatureAgeHours: 2 },
  },
  {
    name: 'Bitdefender with the antimalware module off (real output, status set to Off)',
    spec: {
      now: new Date('2023-08-24T11:44:37Z'),
      files: { '/opt/bitdefender-security-tools/bin/bduitool': '' },
      commands: [{ match: 'bduitool get ps', result: ok(fx('linux/bduitool-7.0.3.2239.txt').replace('Antimalware status: On', 'Antimalware status: Off')) }],
    },
    protected: false,
    product: { id: 'bitdefender', realTime: false, protects: false },
  },
  {
    name: 'Bitdefender: bduitool hangs',
    spec: { files: { '/opt/bitdefender-security-tools/bin/bduitool': '' }, commands: [{ match: 'bduitool', result: { kind: 'timeout', afterMs: 10_000 } }] },
    protected: false,
    product: { id: 'bitdefender', running: null, protects: false, unknown: ['running', 'realTime', 'signatureDate'] },
  },
  {
    name: "mdatp 101.23062 in passive mode (real): not this product's real-time",
    spec: { running: proc('wdavdaemon'), commands: mdatp(mdatpReal) },
    protected: false,
    product: { id: 'mdatp', running: true, realTime: false, protects: false, signatureAgeHours: 0.3 },
    reason: /real-time protection off/,
  },
  { name: 'mdatp 101.23062 active (real, passive flag flipped)', spec: { running: proc('wdavdaemon'), commands: mdatp(mdatpActive) }, protected: true, product: { id: 'mdatp', realTime: true, protects: true } },
  {
    name: 'mdatp health truncated after 300 bytes',
    spec: { running: proc('wdavdaemon'), commands: mdatp(mdatpActive.slice(0, 300)) },
    protected: false,
    product: { id: 'mdatp', running: true, realTime: null, protects: false, signatureAgeHours: null, unknown: ['health', 'realTime', 'signatureAgeHours'] },
  },
  { name: 'mdatp health prints a JSON array, not an object', spec: { running: proc('wdavdaemon'), commands: mdatp('[1,2]') }, protected: false, product: { id: 'mdatp', realTime: null, protects: false, unknown: ['health'] } },
  { name: 'mdatp times out, no daemon', spec: { commands: [{ match: 'mdatp', result: { kind: 'timeout', afterMs: 10_000 } }] }, protected: false, product: { id: 'mdatp', running: null, protects: false } },
  { name: 'Falcon 6.24 rfm-state=false (real)', spec: { ...falcon(ok(fx('linux/falconctl-6.24.12104.0.txt'))), running: proc('falcon-sensor') }, protected: true, product: { id: 'falcon', running: true, realTime: true, protects: true } },
  { name: 'Falcon 5.34 in Reduced Functionality Mode (real)', spec: { ...falcon(ok(fx('linux/falconctl-5.34.9918.0-rfm.txt'))), running: proc('falcon-sensor') }, protected: false, product: { id: 'falcon', realTime: false, protects: false } },
  { name: 'Falcon RFM: modules file not found (real)', spec: { ...falcon(ok(fx('linux/falconctl-rfm-modules-not-found.txt'))), running: proc('falcon-sensor') }, protected: false, product: { id: 'falcon', realTime: false, protects: false } },
  { name: 'Falcon installed, sensor not running', spec: falcon(ok(fx('linux/falconctl-6.24.12104.0.txt'))), protected: false, product: { id: 'falcon', running: false, realTime: false, protects: false } },
  { name: 'falconctl hangs', spec: { ...falcon({ kind: 'timeout', afterMs: 10_000 }), running: proc('falcon-sensor') }, protected: false, product: { id: 'falcon', realTime: null, protects: false, unknown: ['realTime', 'version'] } },
  {
    name: 'falconctl output cut before rfm-state',
    spec: { ...falcon(ok('aid="bace43f9de594f479627b75adb54c294", apd is not set, aph is not')), running: proc('falcon-sensor') },
    protected: false,
    product: { id: 'falcon', realTime: null, protects: false },
  },
  {
    name: 'SentinelOne 30.1.1.10 enabled (real)',
    spec: { files: { '/opt/sentinelone/bin/sentinelctl': '' }, running: proc('s1-agent', 's1-orchestrator'), commands: s1Commands() },
    protected: true,
    product: { id: 'sentinelone', running: true, realTime: true, protects: true },
  },
  {
    name: 'SentinelOne agent disabled',
    spec: { files: { '/opt/sentinelone/bin/sentinelctl': '' }, running: proc('s1-agent'), commands: s1Commands(fx(`${S1}/control-status.txt`).replace('Enabled', 'Disabled')) },
    protected: false,
    product: { id: 'sentinelone', realTime: false, protects: false },
  },
  {
    name: 'SentinelOne, sentinelctl missing its answers',
    spec: { files: { '/opt/sentinelone/bin/sentinelctl': '' }, running: proc('s1-agent') },
    protected: false,
    product: { id: 'sentinelone', realTime: null, protects: false, unknown: ['realTime', 'version'] },
  },
  {
    name: 'ESET EEA 12.0.13.0, engine of 2025-09-09, on-access running (real)',
    spec: { ...eset, now: new Date('2025-09-10T10:10:10Z'), running: proc('startd', 'oaeventd') },
    protected: true,
    product: { id: 'eset', running: true, realTime: true, protects: true, signatureAgeHours: 34.2 },
  },
  {
    name: 'ESET EEA 12.0.13.0, three weeks later',
    spec: { ...eset, now: new Date('2025-09-30T10:00:00Z'), running: proc('startd', 'oaeventd') },
    protected: false,
    product: { id: 'eset', protects: false },
    reason: /signatures 514 h old \(limit 168 h\)/,
  },
  { name: 'ESET without the on-access daemon', spec: { ...eset, now: new Date('2025-09-10T10:10:10Z'), running: proc('startd') }, protected: false, product: { id: 'eset', realTime: null, protects: false, unknown: ['realTime'] } },
  {
    name: 'KESL 10.1 with file monitoring stopped (real)',
    spec: { now: new Date('2018-08-24T04:11:00Z'), files: { '/opt/kaspersky/kesl/bin/kesl-control': '' }, running: proc('kesl'), commands: [{ match: 'kesl-control --app-info', result: ok(fx('linux/kesl-10.1.0.5960-app-info.txt')) }] },
    protected: false,
    product: { id: 'kesl', running: true, realTime: false, protects: false, signatureAgeHours: 24 },
  },
  {
    name: 'Wazuh 4.14.5 agent (real): reported, not anti-malware',
    spec: {
      files: { '/var/ossec/bin/wazuh-control': '' },
      running: proc('wazuh-agentd'),
      commands: [
        { match: 'wazuh-control info', result: ok(fx('linux/wazuh-4.14.5/info.txt')) },
        { match: 'wazuh-control status', result: ok(fx('linux/wazuh-4.14.5/status.txt')) },
      ],
    },
    protected: false,
    product: { id: 'wazuh', running: true, realTime: null, protects: false },
    reason: /Wazuh agent: not protecting \(not an anti-malware product/,
  },
  {
    name: 'a Viettel agent declared by process name in the config',
    spec: { running: proc('vcs-agent') },
    protection: { extraProducts: [{ id: 'viettel-edr', name: 'Viettel EDR', vendor: 'Viettel Cyber Security', processes: ['vcs-agent'] }] },
    protected: false,
    product: { id: 'viettel-edr', running: true, realTime: null, protects: false, unknown: ['version', 'signatureDate', 'realTime'] },
  },
];

describe('protection probe on Linux (recorded outputs)', () => {
  it.each(cases)('$name', async (c) => {
    const { facts, system } = await collect({ platform: 'linux', now: NOW, ...c.spec }, c.protection);
    expectCase(facts, c);
    // Every command ran without a shell (argv form) and with a timeout.
    for (const call of system.calls) expect(call.timeoutMs).toBeGreaterThan(0);
  });
});

describe('clamd installed but stopped: its version', () => {
  it('is asked once, and again only when the binary, the package databases or the linker cache change', async () => {
    const spec: Fixture = {
      files: { '/usr/sbin/clamd': '', '/var/lib/dpkg/status': '' },
      commands: [{ match: '/usr/sbin/clamd --version', result: ok('ClamAV 1.0.7/27470/Mon Nov 30 09:25:00 2026\n') }],
      mtimes: { '/var/lib/dpkg/status': new Date('2026-11-01T00:00:00Z') },
    };
    const system = new FixtureSystem(spec);
    const config = validateConfig({ unit: 'test-unit' }, 'test');
    const run = async () => (await protectionProbe.collect({ system, config, signal: new AbortController().signal, earlier: {} })).products.find((p) => p.id === 'clamav')?.version;
    const asked = () => system.ran.filter((c) => c === '/usr/sbin/clamd --version').length;
    expect(await run()).toBe('1.0.7');
    expect(await run()).toBe('1.0.7');
    expect(asked()).toBe(1);
    spec.mtimes!['/var/lib/dpkg/status'] = new Date('2026-11-20T07:00:00Z'); // a package was upgraded
    expect(await run()).toBe('1.0.7');
    expect(asked()).toBe(2);
  });
});
