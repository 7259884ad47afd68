/**
 * updates.security_pending from dpkg's status and the security suites' lists. Recorded on this
 * machine (Debian 12): testdata/apt/ holds a trimmed dpkg status, a trimmed bookworm-security
 * Packages list and the head of two InRelease files. The integration case compares the whole
 * answer with `apt-get -s dist-upgrade` on this machine.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FixtureSystem, type Fixture } from '../../../../testing/fixture-system.js';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { LocalSystem } from '../../system.js';
import { aptConfigDump, compareDebVersions, installedPackages, isSecurityRelease, securityPending } from './apt-lists.js';
import { updatesFamily } from './updates.js';

const data = (name: string) => readFileSync(new URL(`./testdata/apt/${name}`, import.meta.url), 'utf8');
const L = '/var/lib/apt/lists';
const SEC = 'deb.debian.org_debian-security_dists_bookworm-security';
const MAIN = 'deb.debian.org_debian_dists_bookworm';

const fixture = (over: Partial<Fixture> = {}): Fixture => ({
  now: new Date('2026-11-20T08:00:00Z'),
  files: {
    '/usr/bin/apt-get': '',
    '/var/lib/dpkg/status': data('dpkg-status.debian12.trimmed'),
    [`${L}/${SEC}_InRelease`]: data('security-InRelease.head'),
    [`${L}/${SEC}_main_binary-amd64_Packages`]: data('security-Packages.debian12.trimmed'),
    [`${L}/${MAIN}_InRelease`]: data('bookworm-InRelease.head'),
    // The main suite also offers newer versions of some packages: not a security update.
    [`${L}/${MAIN}_main_binary-amd64_Packages`]: 'Package: bash\nArchitecture: amd64\nVersion: 9.9-1\n',
    ...over.files,
  },
  mtimes: { '/var/lib/apt/lists/partial': new Date('2026-11-19T20:00:00Z'), ...over.mtimes },
  commands: { 'apt-config dump': '', ...over.commands },
});

describe('Debian version order (deb-version(7))', () => {
  it.each([
    ['1.10.1-3+deb12u1', '1.10.1-3', 1],
    ['1.0~rc1-1', '1.0-1', -1],
    ['1:0.9-1', '2.0-1', 1],
    ['2.36-9+deb12u10', '2.36-9+deb12u9', 1],
    ['1.2.3', '1.2.3-0', 0],
    ['1.0a', '1.0+', -1],
    ['3.0.17-1~deb12u2', '3.0.17-1~deb12u2', 0],
  ])('%s vs %s', (a, b, sign) => expect(Math.sign(compareDebVersions(a, b))).toBe(sign));
});

describe('security suites and installed packages', () => {
  it('tells a security suite by its signed Release fields', () => {
    expect(isSecurityRelease(data('security-InRelease.head'))).toBe(true);
    expect(isSecurityRelease(data('bookworm-InRelease.head'))).toBe(false);
  });
  it('reads installed and held packages, not removed ones', () => {
    const m = installedPackages('Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n\nPackage: c\nStatus: hold ok installed\nArchitecture: all\nVersion: 3\n');
    expect([...m]).toEqual([
      ['a:amd64', '1'],
      ['c:all', '3'],
    ]);
  });
});

describe('updates.security_pending from lists', () => {
  it('recorded bookworm machine: older installed versions than bookworm-security fail, naming both versions', async () => {
    const [pending] = await updatesFamily.run(baselineContext(fixture()));
    expect(pending!.result).toBe('fail');
    expect(pending!.evidence).toMatch(/libgcrypt20 \(1\.10\.1-3 -> 1\.10\.1-3\+deb12u1\)/);
    expect(pending!.evidence).not.toMatch(/bash/); // only newer in the main suite
  });
  it('up to date installed versions on fresh lists pass; on stale lists are unknown', async () => {
    const sec = data('security-Packages.debian12.trimmed');
    const upToDate = sec.replace(/^Status: .*$/gm, '');
    const status = [...sec.split('\n\n')].map((s) => `${s}\nStatus: install ok installed`).join('\n\n');
    const fresh = fixture({ files: { '/var/lib/dpkg/status': status, [`${L}/${SEC}_main_binary-amd64_Packages`]: upToDate } });
    expect((await updatesFamily.run(baselineContext(fresh)))[0]).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/installed versions \(dpkg status\) >= 1 security list/) as unknown });
    const stale = fixture({ files: fresh.files, mtimes: { '/var/lib/apt/lists/partial': new Date('2026-10-01T00:00:00Z') } });
    expect((await updatesFamily.run(baselineContext(stale)))[0]).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/too old to trust/) as unknown });
  });
  it('no security suite in the lists is unknown, not pass', async () => {
    const fx = fixture();
    delete fx.files![`${L}/${SEC}_InRelease`];
    expect((await updatesFamily.run(baselineContext(fx)))[0]).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/no security suite/) as unknown });
  });
  it('a compressed list that apt-helper cannot read is unknown', async () => {
    const fx = fixture();
    delete fx.files![`${L}/${SEC}_main_binary-amd64_Packages`];
    fx.files![`${L}/${SEC}_main_binary-amd64_Packages.lz4`] = 'binary';
    expect((await updatesFamily.run(baselineContext(fx)))[0]).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/unreadable: .*Packages\.lz4/) as unknown });
  });
  it('reuses the comparison while lists and dpkg status are unchanged; re-reads after a change', async () => {
    const fx = fixture();
    const system = new FixtureSystem(fx);
    const ctx = baselineContext(fx, { system });
    await updatesFamily.run(ctx);
    const second = await updatesFamily.run(ctx);
    expect(second[0]!.evidence).toMatch(/\[compared at 2026-11-20T08:00:00.000Z: lists and packages unchanged since\]$/);
    fx.mtimes!['/var/lib/dpkg/status'] = new Date('2026-11-20T07:00:00Z'); // a package was installed
    expect((await updatesFamily.run(ctx))[0]!.evidence).not.toMatch(/compared at/);
  });
});

describe('apt-config dump across cycles', () => {
  const DUMP = 'Dir "/";\nDir::Etc "etc/apt";\nDir::Etc::main "apt.conf";\nDir::Etc::parts "apt.conf.d";\nAPT::Periodic::Unattended-Upgrade "1";\n';
  it('runs once per cycle, and again only when a file it reads changed', async () => {
    const fx: Fixture = {
      files: { '/usr/bin/apt-config': '', '/etc/apt/apt.conf.d/20auto-upgrades': 'APT::Periodic::Unattended-Upgrade "1";\n' },
      commands: { 'apt-config dump': DUMP },
      mtimes: { '/etc/apt/apt.conf.d/20auto-upgrades': new Date('2026-11-01T00:00:00Z') },
    };
    const system = new FixtureSystem(fx);
    const runs = () => system.ran.filter((c) => c === 'apt-config dump').length;
    const cycle = { system };
    await Promise.all([aptConfigDump(cycle), aptConfigDump(cycle)]);
    expect(runs()).toBe(1);
    expect(okText(await aptConfigDump({ system }))).toBe(DUMP); // the next cycle: nothing changed
    expect(runs()).toBe(1);
    fx.mtimes!['/etc/apt/apt.conf.d/20auto-upgrades'] = new Date('2026-11-20T07:00:00Z');
    await aptConfigDump({ system });
    expect(runs()).toBe(2);
  });

  it('is not kept when the dump moves apt.conf.d elsewhere (those files are not watched)', async () => {
    const fx: Fixture = { files: { '/usr/bin/apt-config': '' }, commands: { 'apt-config dump': DUMP.replace('"apt.conf.d"', '"/srv/apt.d"') } };
    const system = new FixtureSystem(fx);
    await aptConfigDump({ system });
    await aptConfigDump({ system });
    expect(system.ran.filter((c) => c === 'apt-config dump')).toHaveLength(2);
  });
});

const okText = (r: Awaited<ReturnType<typeof aptConfigDump>>) => (r.kind === 'ok' ? r.stdout : null);

describe('integration: the same answer as apt-get -s dist-upgrade on this machine', () => {
  it('every installed package apt would upgrade from a security suite, and no other', async () => {
    const system = new LocalSystem();
    const sim = await system.run('apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'dist-upgrade'], { timeoutMs: 60_000 });
    if (sim.kind !== 'ok' || sim.code !== 0) throw new Error(`apt-get -s dist-upgrade did not run on this machine: ${JSON.stringify(sim).slice(0, 300)}`);
    // Upgrades (an installed version in brackets) whose candidate a security suite offers.
    const fromApt = sim.stdout
      .split('\n')
      .filter((l) => /^Inst \S+ \[/.test(l) && /\([^)]*securi[^)]*\)/i.test(l))
      .map((l) => l.split(' ')[1]!)
      .sort();
    const mine = await securityPending(system, (await system.readFile('/var/lib/dpkg/status'))!);
    expect(mine.unreadable).toEqual([]);
    expect(mine.pending.map((p) => p.split(' ')[0]!)).toEqual([...new Set(fromApt)]);
  }, 90_000);
});
