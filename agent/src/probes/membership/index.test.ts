/** membership: what the config says, validated strictly (unknown keys and bad ids named). */
import { describe, expect, it } from 'vitest';
import { ConfigError, validateConfig } from '../../config.js';
import { FixtureSystem } from '../../../../testing/fixture-system.js';
import type { ProbeContext } from '../../probe.js';
import { membershipProbe } from './index.js';

const collect = (raw: Record<string, unknown>, platform: NodeJS.Platform = 'linux', earlier: ProbeContext['earlier'] = {}) =>
  membershipProbe.collect({ system: new FixtureSystem({ platform }), config: validateConfig(raw, 'agent.yaml'), earlier, signal: new AbortController().signal });
const problems = (raw: unknown) => {
  try {
    validateConfig(raw, '/etc/posture/agent.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toMatch(/^\/etc\/posture\/agent.yaml: invalid agent config:/);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
};

describe('membership', () => {
  it('reports unit, systems and role from the config', async () => {
    expect(await collect({ unit: 'cuc-hhvn', systems: ['cong-ttdt', 'dvc-truc-tuyen'], role: 'server' })).toEqual({ unit: 'cuc-hhvn', systems: ['cong-ttdt', 'dvc-truc-tuyen'], role: 'server' });
  });

  it('without a configured role: the host probe decides, else the platform', async () => {
    expect((await collect({ unit: 'vu-ttr' }, 'win32')).role).toBe('workstation');
    expect((await collect({ unit: 'vu-ttr' }, 'linux')).role).toBe('server');
    const host = { role: 'workstation' } as NonNullable<ProbeContext['earlier']['host']>;
    expect((await collect({ unit: 'vu-ttr' }, 'linux', { host })).role).toBe('workstation');
  });

  it.each([
    ['misspelt key', { unit: 'cuc-hhvn', sytems: ['portal'] }, 'unknown key "sytems": remove it or check its spelling'],
    ['missing unit', { systems: ['portal'] }, /^missing required key "unit"/],
    ['unit with a space', { unit: 'Cục HHVN' }, /^key "unit": Expected string to match/],
    ['system id with a quote', { unit: 'cuc-hhvn', systems: ['portal"'] }, /^key "systems.0": Expected string to match/],
    ['same system twice', { unit: 'cuc-hhvn', systems: ['portal', 'portal'] }, /^key "systems": Expected array elements to be unique/],
    ['unknown role', { unit: 'cuc-hhvn', role: 'laptop' }, /^key "role": /],
    ['not a mapping', ['unit: x'], 'the file must contain a YAML mapping (key: value lines)'],
  ])('refuses %s, naming the key', (_n, raw, message) => {
    // Each problem is prefixed with the file it comes from (the loader names the file).
    const list = problems(raw).map((p) => p.replace(/^\/etc\/posture\/agent\.yaml: /, ''));
    expect(
      list.some((p) => (typeof message === 'string' ? p === message : message.test(p))),
      list.join(' | '),
    ).toBe(true);
  });
});
