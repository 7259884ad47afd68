/**
 * Plain expressions answered in JavaScript (plain-cel.ts) give cel-js's answer, errors
 * included, on real member views and on values of the wrong type; the shipped host rules are
 * plain (or the speed-up is gone), and anything else is left to cel-js.
 */
import { describe, expect, it } from 'vitest';
import { compile, HOST_SCHEMA, isProblem, SYSTEM_SCHEMA, type CompiledExpr, type Population } from './cel.js';
import { loadRuleFiles } from './format.js';
import { expandRuleFiles, SHIPPED_RULES } from './manager.js';
import { hostMembers, systemMembers } from './members.js';
import { plainExpression } from './plain-cel.js';
import { host, system } from '../../../testing/fleet.js';
import { Environment } from '@marcbachmann/cel-js';

const NOW = new Date('2022-06-01T00:30:00.000Z');
const hosts = hostMembers(
  [host('A', { role: 'server' }), host('A', { protected: false, os: 'windows' }), host('B', { receivedAt: '2022-05-31T20:00:00.000Z', role: 'printer' }), host('B', { protected: null, protectionError: 'PROBE_TIMEOUT', ipv6Readiness: null })],
  NOW,
  60,
);
const systems = systemMembers([system('s1', 'A', { tags: ['portal'] }), system('s2', 'B', { level: undefined, approval: undefined })], hosts, new Map(), NOW);

/** Both ways: [result or error message] of cel-js alone and of compile's default. */
function both(population: Population, source: string, vars: Record<string, unknown>) {
  const a = compile(population, source, ['bool'], { plain: false }) as CompiledExpr;
  const b = compile(population, source, ['bool']) as CompiledExpr;
  expect(a).not.toSatisfy(isProblem);
  const out = (e: CompiledExpr) => {
    try {
      return { value: e.run(vars) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  return [out(a), out(b)];
}

const HOST_EXPRS = [
  'host.protection.protected',
  '!host.stale',
  'host.role in ["server", "workstation"]',
  'host.role == "server" && !host.stale',
  'host.os != "linux" || host.protection.known',
  '"windows" == host.os',
  'host.protection.agentProtected == false',
  'host.ipv6.readiness == "none"',
  '!(host.stale || !host.protection.protected)',
  'true && host.protection.known',
];
const SYSTEM_EXPRS = ['system.registered && system.approved', '"portal" in system.tags', 'system.planStatus == "unspecified"', 'system.portal.ready', '!system.planDeployed'];

describe('plain expressions', () => {
  it.each(HOST_EXPRS)('host: %s gives what cel-js gives, on every host', (source) => {
    expect(plainExpression(new Environment().parse(source).ast, { name: 'host', schema: HOST_SCHEMA })).not.toBeNull();
    for (const m of hosts) {
      const [cel, plain] = both('hosts', source, { host: m.cel, now: NOW });
      expect(plain).toEqual(cel);
    }
  });

  it.each(SYSTEM_EXPRS)('system: %s gives what cel-js gives, on every system', (source) => {
    for (const m of systems) {
      const [cel, plain] = both('systems', source, { system: m.cel, now: NOW });
      expect(plain).toEqual(cel);
    }
  });

  it('hands a value of the wrong type, or a missing one, to cel-js (its error, not a guess)', () => {
    const odd = [{ stale: 'no', role: 1, protection: { protected: null } }, { protection: 'x' }, {}];
    for (const source of HOST_EXPRS)
      for (const h of odd) {
        const [cel, plain] = both('hosts', source, { host: h, now: NOW });
        expect(plain).toEqual(cel);
      }
  });

  it('covers every host expression of the shipped rules, and only the plain forms', () => {
    const variable = { name: 'host', schema: HOST_SCHEMA };
    const sources = loadRuleFiles(expandRuleFiles([SHIPPED_RULES]))
      .flatMap((g) => g.rules)
      .filter((r) => r.population === 'hosts')
      .flatMap((r) => [r.where?.source, r.pass.source].filter((s): s is string => s !== undefined));
    expect(sources.length).toBeGreaterThan(1);
    for (const s of sources) expect(plainExpression(new Environment().parse(s).ast, variable), s).not.toBeNull();
    for (const s of ['host.baseline["ssh.root_login"] == "pass"', 'host.silentMinutes < 60', 'host.protection.items.exists(p, p.protects)', 'host.baseline.x == "pass"', 'host.role in host.systems', 'has(host.role)', 'host.stale ? false : true'])
      expect(plainExpression(new Environment().parse(s).ast, variable), s).toBeNull();
    expect(plainExpression(new Environment().parse('system.registered').ast, { name: 'system', schema: SYSTEM_SCHEMA })).not.toBeNull();
  });
});
