/**
 * Integration (real parts): the packaging script builds the esbuild bundle and the Node single
 * executable into a temporary directory (outside the repository, so no node_modules can be
 * found), and each runs a real `collect --once --json` of this machine. The systemd unit is
 * checked by systemd-analyze against the built executable. The Ansible role really runs
 * (ansible-playbook, connection local) with that executable against a collector process:
 * installs, writes a validated config, enrolls once, and a second run changes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Report } from '@posture/protocol';
import { ROOT, TEST_UNITS, collectorFixture, startCollectorProcess } from '../../testing/collector.js';

const run = promisify(execFile);
let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-pkg-'));
  await run(process.execPath, [join(ROOT, 'agent/scripts/package.mjs'), '--out', dir]);
  configFile = join(dir, 'agent.yaml');
  await writeFile(configFile, stringify({ unit: 'TTCNTT', systems: ['cong-ttdt'], stateDir: join(dir, 'state') }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function checkReport(stdout: string): void {
  const report = JSON.parse(stdout) as Report;
  expect(report.schemaVersion).toBe(1);
  expect(report.agentId).toBe('not-enrolled');
  const host = report.probes.host;
  expect(host.ok && host.facts.hostname).toBe(hostname());
  expect(host.ok && host.facts.os.family).toBe('linux');
  expect(report.probes.membership).toMatchObject({ ok: true, facts: { unit: 'TTCNTT', systems: ['cong-ttdt'] } });
  expect(report.probes.protection?.ok).toBe(true);
}

describe('agent packaging', () => {
  it('the single-file bundle runs collect --once on plain node, with no node_modules', async () => {
    const bundle = join(dir, 'posture-agent.cjs');
    // Outside the repository: nothing to resolve a bare import from.
    expect(dir.startsWith(ROOT)).toBe(false);
    const { stdout, stderr } = await run(process.execPath, [bundle, '-c', configFile, 'collect', '--once', '--json'], { env: { PATH: process.env.PATH ?? '' } });
    expect(stderr).toBe('');
    checkReport(stdout);
  });

  it('the single executable runs collect --once and version, no node needed', async () => {
    const exe = join(dir, 'posture-agent');
    const { stdout, stderr } = await run(exe, ['-c', configFile, 'collect', '--once', '--json'], { env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' } });
    expect(stderr).toBe('');
    checkReport(stdout);
    const version = await run(exe, ['version']);
    const pkg = JSON.parse(await readFile(join(ROOT, 'agent/package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
    // A broken config: the executable reports it like the npm install does.
    await writeFile(join(dir, 'bad.yaml'), 'unit: TTCNTT\nspool: {maxReport: 1}\n');
    const bad = await run(exe, ['-c', join(dir, 'bad.yaml'), 'config', 'check']).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toMatch(/bad\.yaml:2: unknown key "spool\.maxReport"/);
  });

  it("the single executable collects and checks its config under the systemd unit's Environment=", async () => {
    // The unit's memory settings (NODE_OPTIONS with --jitless and --expose-gc, glibc's mmap
    // threshold and one arena) are what ships: a full collection and ExecStartPre's check must
    // work under them.
    const unit = await readFile(join(ROOT, 'deploy/systemd/posture-agent.service'), 'utf8');
    const env: Record<string, string> = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };
    for (const [, list] of unit.matchAll(/^Environment=(.*)$/gm)) {
      for (const [, quoted, bare] of (list ?? '').matchAll(/"([^"]*)"|(\S+)/g)) {
        const [k, ...v] = (quoted ?? bare ?? '').split('=');
        if (k) env[k] = v.join('=');
      }
    }
    expect(env.NODE_OPTIONS).toMatch(/--jitless/);
    expect(env.MALLOC_MMAP_THRESHOLD_).toBe('65536');
    expect(env.MALLOC_ARENA_MAX).toBe('1');
    const exe = join(dir, 'posture-agent');
    // V8 says once per start that --jitless turns WebAssembly off (the agent uses none); nothing else.
    const only = (stderr: string) => stderr.replace(/^Warning: disabling flag --expose_wasm due to conflicting flags\n/m, '');
    const { stdout, stderr } = await run(exe, ['-c', configFile, 'collect', '--once', '--json'], { env });
    expect(only(stderr)).toBe('');
    checkReport(stdout);
    const check = await run(exe, ['-c', configFile, 'config', 'check', '--quiet'], { env });
    expect(check.stdout).toBe('');
    expect(only(check.stderr)).toBe('');
  });

  it("the Windows service runs with the systemd unit's NODE_OPTIONS (V8's settings hold on Windows too)", async () => {
    const unit = await readFile(join(ROOT, 'deploy/systemd/posture-agent.service'), 'utf8');
    const ps1 = await readFile(join(ROOT, 'deploy/windows/install-posture-agent.ps1'), 'utf8');
    const unitOptions = /^Environment="NODE_OPTIONS=([^"]*)"$/m.exec(unit)?.[1];
    expect(unitOptions).toMatch(/--max-semi-space-size=1/);
    expect(/<env name="NODE_OPTIONS" value="([^"]*)"\/>/.exec(ps1)?.[1]).toBe(unitOptions);
  });

  it('the .deb and the tarball carry the executable, the unit and the example config', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'agent/package.json'), 'utf8')) as { version: string };
    const deb = join(dir, `posture-agent_${pkg.version}_amd64.deb`);
    const info = await run('dpkg-deb', ['--field', deb, 'Package', 'Version', 'Architecture']);
    expect(info.stdout).toBe(`Package: posture-agent\nVersion: ${pkg.version}\nArchitecture: amd64\n`);
    const root = join(dir, 'deb-extracted');
    await run('dpkg-deb', ['-x', deb, root]);
    const v = await run(join(root, 'usr/bin/posture-agent'), ['version']);
    expect(v.stdout.trim()).toBe(pkg.version);
    expect(await readFile(join(root, 'lib/systemd/system/posture-agent.service'), 'utf8')).toMatch(/ExecStart=\/usr\/bin\/posture-agent -c \/etc\/posture\/agent\.yaml run/);
    await rm(root, { recursive: true, force: true });
    const tar = await run('tar', ['-tzf', join(dir, `posture-agent-${pkg.version}-linux-x64.tar.gz`)]);
    for (const f of ['usr/bin/posture-agent', 'lib/systemd/system/posture-agent.service', 'usr/share/doc/posture-agent/agent.example.yaml', 'etc/posture/agent.d/']) {
      expect(tar.stdout).toContain(`posture-agent-${pkg.version}-linux-x64/${f}`);
    }
  });

  it('the systemd unit passes systemd-analyze verify with the built executable', async () => {
    const unit = (await readFile(join(ROOT, 'deploy/systemd/posture-agent.service'), 'utf8')).replaceAll('/usr/bin/posture-agent', join(dir, 'posture-agent'));
    const file = join(dir, 'posture-agent.service');
    await writeFile(file, unit);
    const r = await run('systemd-analyze', ['verify', file]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((r as { stderr: string }).stderr).toBe('');
    expect((r as { code?: number }).code ?? 0).toBe(0);
  });

  it('the Ansible role installs, configures and enrolls the agent, and is idempotent', async () => {
    const fx = await collectorFixture();
    const collector = await startCollectorProcess(fx);
    try {
      const host = join(dir, 'ansible-host');
      const vars = {
        posture_agent_install: 'binary',
        posture_agent_binary_src: join(dir, 'posture-agent'),
        posture_agent_bin: join(host, 'bin/posture-agent'),
        posture_agent_config_dir: join(host, 'etc'),
        posture_agent_state_dir: join(host, 'state'),
        posture_agent_manage_service: false,
        posture_agent_collector_url: fx.url,
        posture_agent_unit: 'CHHVN',
        posture_agent_systems: ['hh-cong-ttdt'],
        posture_agent_extra_config: { ipv6: { services: ['localhost'] } },
        posture_agent_enroll_secret: TEST_UNITS[1]!.enrollmentSecret,
      };
      const playbook = join(dir, 'play.yml');
      await writeFile(
        playbook,
        stringify([
          { name: 'test', hosts: 'localhost', connection: 'local', gather_facts: false, vars, pre_tasks: [{ name: 'bin dir', 'ansible.builtin.file': { path: join(host, 'bin'), state: 'directory', mode: '0755' } }], roles: ['posture_agent'] },
        ]),
      );
      const env = { ...process.env, ANSIBLE_ROLES_PATH: join(ROOT, 'deploy/ansible/roles'), ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' };
      const play = () =>
        run('ansible-playbook', ['-i', 'localhost,', playbook], { env }).catch((e: { stdout: string; stderr: string }) => {
          throw new Error(`ansible-playbook failed:\n${e.stdout}\n${e.stderr}`);
        });
      const first = await play();
      expect(first.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0/);
      expect(first.stdout).not.toContain(TEST_UNITS[1]!.enrollmentSecret);
      const cred = JSON.parse(await readFile(join(host, 'state/credential.json'), 'utf8')) as { unit: string; agentId: string };
      expect(cred.unit).toBe('CHHVN');
      expect((await stat(join(host, 'state/credential.json'))).mode & 0o777).toBe(0o600);
      const cfg = await readFile(join(host, 'etc/agent.yaml'), 'utf8');
      expect(cfg).toMatch(/unit: CHHVN/);
      expect(cfg).toMatch(/services:\n\s+- localhost/);
      const again = await play();
      expect(again.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/);
      const healthz = (await (await fetch(`${fx.url}/healthz`)).json()) as { agents: number };
      expect(healthz.agents).toBe(1);
    } finally {
      await collector.stop();
      await rm(fx.dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('the Ansible role is ansible-lint clean (production profile)', async () => {
    const r = await run('ansible-lint', ['--nocolor', '--profile', 'production'], { cwd: join(ROOT, 'deploy/ansible') }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(`${(r as { stdout: string }).stdout}${(r as { stderr: string }).stderr}`).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
  }, 60_000);
});
