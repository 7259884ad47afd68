/**
 * The whole agent on this machine (Debian, root): `posture-agent collect --once` must show the
 * IPv6 level and every Linux baseline check with evidence, and its JSON must be a valid report.
 * What each check finds depends on the machine, so the assertions are on shape and honesty
 * (every check present, evidence given, results consistent with a few facts read here
 * directly), not on pass/fail. `npm test` builds the agent first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';
// The collector's own ingest validator (ajv, strict): what it accepts is what counts.
import { problemsOf, validateReport } from '../../../../collector/src/ingest/validate.js';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { LocalSystem } from '../../system.js';
import { builtinMapping } from './mapping.js';
import { families } from './index.js';
import { filesFamily } from './files.js';

const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'agent/bin/posture-agent.js');
let dir = '';
let conf = '';
const agent = (...args: string[]) => execFileSync(process.execPath, [BIN, '-c', conf, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(() => {
  if (!existsSync(join(ROOT, 'agent/dist/cli.js'))) throw new Error('agent/dist missing: run `npx tsc -b protocol agent` (npm test does) before this test');
  dir = mkdtempSync(join(tmpdir(), 'p4-local-'));
  conf = join(dir, 'agent.yaml');
  writeFileSync(
    conf,
    `unit: test-unit\nsystems: [portal-test]\nrole: server\nstateDir: ${join(dir, 'state')}\n` +
      // Nothing leaves this machine: no DNS query to its resolvers, no outbound target.
      'ipv6:\n  queryResolvers: false\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('posture-agent collect --once on this machine', () => {
  it('JSON: a report the collector accepts, with every Linux server check, each with evidence', () => {
    const report = JSON.parse(agent('collect', '--once', '--json')) as Report;
    validateReport(report);
    expect(problemsOf(validateReport.errors)).toEqual([]);
    const b = report.probes.baseline;
    if (!b?.ok) throw new Error(`baseline probe failed: ${JSON.stringify(b)}`);
    const linux = new Set(families.filter((f) => f.platforms.includes('linux')).flatMap((f) => f.ids));
    const expected = [...builtinMapping().checks].filter(([id, e]) => linux.has(id) && (!e.roles || e.roles.includes('server'))).map(([id]) => id);
    expect(b.facts.checks.map((c) => c.id)).toEqual(expected);
    for (const c of b.facts.checks) {
      expect(c.evidence.trim().length, c.id).toBeGreaterThan(10);
      expect(['pass', 'fail', 'unknown'], c.id).toContain(c.result);
    }
    // Cross-checks with what this test can see for itself.
    const byId = Object.fromEntries(b.facts.checks.map((c) => [c.id, c]));
    const protectedNow = report.probes.protection?.ok ? report.probes.protection.facts.protected : null;
    expect(byId['protection.endpoint']!.result).toBe(protectedNow === null ? 'unknown' : protectedNow ? 'pass' : 'fail');
    if (!existsSync('/usr/sbin/sshd') && !existsSync('/etc/ssh/sshd_config')) expect(byId['ssh.root_login']!.evidence).toMatch(/no SSH server installed/);
    expect(report.probes.membership).toMatchObject({ ok: true, facts: { unit: 'test-unit', systems: ['portal-test'], role: 'server' } });
    expect(report.probes.ipv6).toMatchObject({ ok: true, facts: { readiness: expect.stringMatching(/^(none|address|routed|dual-stack-services|ready)$/) } });
  });

  it('text: shows the IPv6 level and one line per check with its level and evidence', () => {
    const text = agent('collect', '--once');
    expect(text).toMatch(/\[ipv6\] ok .*\n {2}readiness: (none|address|routed|dual-stack-services|ready);/);
    for (const id of ['firewall.inbound_default_deny', 'time.synchronized', 'logging.system', 'updates.security_pending', 'ssh.root_login', 'password.min_length', 'protection.endpoint']) {
      expect(text).toMatch(new RegExp(`(PASS|FAIL|UNKNOWN) +L[1-5] ${id.replace('.', '\\.')}: .+ — .+`));
    }
  });

  it('file modes agree with the stat tool on this machine (`stat -L -c "%a %u %G"`: the same stat(2), group named by NSS)', async () => {
    const paths = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'];
    const tool = execFileSync('stat', ['-L', '-c', '%a %u %G', ...paths], { encoding: 'utf8' })
      .trim()
      .split('\n');
    const r = Object.fromEntries((await filesFamily.run(baselineContext({}, { system: new LocalSystem() }))).map((o) => [o.id, o]));
    paths.forEach((path, i) => {
      const [mode, uid, group] = tool[i]!.split(' ');
      expect(r[`files.${path.slice(5)}`]!.evidence).toMatch(new RegExp(`^${path}: mode ${mode!.padStart(3, '0')}, uid ${uid}, group ${group}\\b`));
    });
  });
});
