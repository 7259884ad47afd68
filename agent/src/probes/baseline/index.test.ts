/** The baseline probe as a whole: mapping file validity and overrides, coverage, roles, failures. */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { BaselineFacts } from '@posture/protocol';
import { validateConfig } from '../../config.js';
import { FixtureSystem, type Fixture } from '../../../../testing/fixture-system.js';
import { baselineContext } from '../../../../testing/baseline-context.js';
import type { ProbeContext } from '../../probe.js';
import { baselineProbe, families, resolveMapping, runFamily } from './index.js';
import { applyOverride, builtinMapping, type MappingError, parseMapping } from './mapping.js';
import { BUILTIN_MAPPING_YAML } from './mapping.generated.js';

const yamlText = readFileSync(new URL('./mapping.yaml', import.meta.url), 'utf8');
const probe = (fx: Fixture, config: Record<string, unknown> = {}, earlier: ProbeContext['earlier'] = {}) =>
  baselineProbe.collect({ system: new FixtureSystem(fx), config: validateConfig({ unit: 'test-unit', ...config }, 'test'), earlier, signal: new AbortController().signal });
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as MappingError;
  }
  throw new Error('expected a MappingError');
};

describe('mapping file', () => {
  it('the embedded copy is mapping.yaml as it is (run node agent/scripts/gen-baseline-mapping.mjs after editing)', () => {
    expect(BUILTIN_MAPPING_YAML).toBe(yamlText);
  });

  it('maps every check the code produces, and nothing else', () => {
    const produced = [...new Set(families.flatMap((f) => f.ids))].sort();
    expect([...builtinMapping().checks.keys()].sort()).toEqual(produced);
    for (const [id, e] of builtinMapping().checks) expect(e.clause, id).toMatch(/TCVN 11930:2017 §\d/);
  });

  it('rejects unknown keys, bad levels and YAML errors with the line and key', () => {
    const bad = yamlText.replace('    level: 2\n    clause: "TCVN 11930:2017 §6.2 (cấp độ 2): nhật ký', '    levle: 2\n    clause: "TCVN 11930:2017 §6.2 (cấp độ 2): nhật ký');
    const e = errorOf(() => parseMapping(bad, 'm.yaml'));
    expect(e.code).toBe('BASELINE_MAPPING_INVALID');
    expect(e.message).toMatch(/m\.yaml: invalid baseline mapping/);
    expect(e.problems).toContain('line 39, checks.time.synchronized.level: Expected required property');
    expect(e.problems).toContain('line 39, unknown key "checks.time.synchronized.levle": remove it or check its spelling');
    expect(errorOf(() => parseMapping(yamlText.replace('level: 3', 'level: 6'), 'm.yaml')).problems.join()).toMatch(/line \d+, checks\.logging\.audit\.level: Expected integer to be less or equal to 5/);
    expect(errorOf(() => parseMapping('checks: [', 'm.yaml')).problems[0]).toMatch(/^line 1: /);
  });

  it('an override changes fields of known checks, merges params, and refuses unknown ids', () => {
    const m = applyOverride(builtinMapping(), 'checks:\n  password.min_length:\n    level: 2\n    params: { minLength: 14 }\n', 'o.yaml');
    expect(m.checks.get('password.min_length')).toMatchObject({ level: 2, params: { minLength: 14 }, title: builtinMapping().checks.get('password.min_length')!.title });
    expect(builtinMapping().checks.get('password.min_length')!.level).toBe(1);
    expect(errorOf(() => applyOverride(builtinMapping(), 'checks:\n  ssh.root_logon: { level: 2 }\n', 'o.yaml')).problems[0]).toMatch(/^unknown check id "ssh.root_logon"/);
    // A parameter the check does not read is refused, not ignored (the old single minDays of
    // logging.retention became one minimum per level).
    expect(errorOf(() => applyOverride(builtinMapping(), 'checks:\n  logging.retention:\n    params: { minDays: 60 }\n', 'o.yaml')).problems[0]).toMatch(
      /^checks.logging.retention.params.minDays: unknown parameter \(known: none\); this check's thresholds are per level: set minByLevel/,
    );
    const raised = applyOverride(builtinMapping(), 'checks:\n  logging.retention:\n    minByLevel: { "3": 120 }\n', 'o.yaml');
    expect(raised.checks.get('logging.retention')!.minByLevel).toEqual({ 2: 30, 3: 120, 4: 180, 5: 365 });
  });

  it('a broken override file keeps the built-in mapping and says why', async () => {
    const r = await resolveMapping(async () => 'checks:\n  ssh.root_login: { level: nine }\n', '/etc/posture/levels.yaml');
    expect(r.info).toMatchObject({ source: 'built-in', error: expect.stringMatching(/\/etc\/posture\/levels.yaml: invalid baseline mapping:\n {2}- line 2, checks.ssh.root_login.level: Expected integer[\s\S]*built-in mapping was used/) });
    expect((await resolveMapping(async () => null, '/nope.yaml')).info.error).toMatch(/cannot read baseline.mappingFile/);
  });
});

describe('probe', () => {
  it('reports every Linux check once, in mapping order, valid against the protocol', async () => {
    const facts = await probe({});
    expect(Value.Errors(BaselineFacts, facts).First()).toBeUndefined();
    const linux = new Set(families.filter((f) => f.platforms.includes('linux')).flatMap((f) => f.ids));
    const linuxIds = [...builtinMapping().checks].filter(([id, e]) => linux.has(id) && (!e.roles || e.roles.includes('server'))).map(([id]) => id);
    expect(linuxIds.length).toBeGreaterThanOrEqual(45);
    // Every failing or unknown check carries its catalogue code.
    for (const c of facts.checks) if (c.result !== 'pass') expect(c.reasonCode?.code, c.id).toMatch(/^BASELINE_(FAIL_|NOT_READ)/);
    expect(facts.checks.map((c) => c.id)).toEqual(linuxIds);
    expect(facts.checks.every((c) => c.evidence.length > 0)).toBe(true);
    expect(facts.mapping).toEqual({ source: 'built-in', legalBasis: builtinMapping().legalBasis, error: null });
  });

  it('a check limited to workstations appears only on workstations', async () => {
    const ids = async (role: string) => (await probe({}, { role })).checks.map((c) => c.id);
    expect(await ids('server')).not.toContain('encryption.disk');
    expect(await ids('workstation')).toContain('encryption.disk');
  });

  it('reads nothing for the checks of another role: a server runs neither lsblk nor modprobe, a workstation both', async () => {
    const ran = async (role: string) => {
      const system = new FixtureSystem({});
      await baselineProbe.collect({ system, config: validateConfig({ unit: 'test-unit', role }, 'test'), earlier: {}, signal: new AbortController().signal });
      return system.ran.map((line) => line.split(' ')[0]);
    };
    const server = await ran('server');
    expect(server).not.toContain('lsblk');
    expect(server).not.toContain('modprobe');
    expect(server).toContain('nft');
    expect(await ran('workstation')).toEqual(expect.arrayContaining(['lsblk', 'modprobe', 'nft']));
  });

  it('applies an override file from baseline.mappingFile (levels and thresholds)', async () => {
    const fx = {
      files: { '/etc/posture/levels.yaml': 'legal_basis: "TCVN 14423:2025"\nchecks:\n  password.max_age:\n    level: 4\n    params: { maxDays: 100000 }\n', '/etc/login.defs': 'PASS_MAX_DAYS 99999\n', '/etc/shadow': 'root:!:19000:0:99999:7:::\n' },
    };
    const facts = await probe(fx, { baseline: { mappingFile: '/etc/posture/levels.yaml' } });
    expect(facts.checks.find((c) => c.id === 'password.max_age')).toMatchObject({ level: 4, result: 'pass' });
    expect(facts.mapping).toEqual({ source: '/etc/posture/levels.yaml', legalBasis: 'TCVN 14423:2025', error: null });
  });

  it('Windows gets RDP and no SSH checks', async () => {
    const ids = (await probe({ platform: 'win32' })).checks.map((c) => c.id);
    expect(ids).toContain('rdp.nla');
    expect(ids.some((id) => id.startsWith('ssh.'))).toBe(false);
  });

  it('a family that throws, or forgets a check, leaves its checks unknown and the others intact', async () => {
    const ctx = baselineContext({});
    const boom = {
      name: 'boom',
      ids: ['a.one', 'a.two'],
      platforms: ['linux'] as const,
      run: async () => {
        throw new Error('parser exploded');
      },
    };
    expect(await runFamily(boom, ctx)).toEqual([
      { id: 'a.one', result: 'unknown', evidence: 'boom checks failed: parser exploded' },
      { id: 'a.two', result: 'unknown', evidence: 'boom checks failed: parser exploded' },
    ]);
    const lazy = { ...boom, run: async () => [{ id: 'a.one', result: 'pass' as const, evidence: 'ok' }] };
    expect((await runFamily(lazy, ctx))[1]).toEqual({ id: 'a.two', result: 'unknown', evidence: 'boom did not report this check' });
  });
});
