/**
 * The shipped rules over hand-computed fleets: ratios per unit and ministry-wide, empty units
 * (no data), all-stale units, unknown facts, systems without hosts, baseline by level, due
 * dates in the past and future.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRule, isPastDue, type IndicatorResult } from './evaluate.js';
import { loadRuleFiles, parseRuleText, type Rule, type RuleProblem } from './format.js';
import { expandRuleFiles, SHIPPED_RULES } from './manager.js';
import { hostMembers, systemMembers, type HostInput } from './members.js';
import { reasonText, type FailReason } from './reasons.js';
import { clamavFacts, host, system } from '../../../testing/fleet.js';
import type { PortalFacts } from '../portals/facts.js';

/** A reason as an English reader sees it, with its code (and evidence, when there is some). */
const why = (r: FailReason) => `${r.code}: ${reasonText(r, 'en')}${r.evidence ? ` [${r.evidence}]` : ''}`;

const RULES = new Map(loadRuleFiles(expandRuleFiles([SHIPPED_RULES])).flatMap((g) => g.rules.map((r) => [r.indicator, r] as const)));
const rule = (id: string): Rule => RULES.get(id)!;
const NOW = new Date('2022-06-01T00:30:00.000Z');
const STALE_AT = '2022-05-31T20:00:00.000Z'; // 4.5 h before NOW; the window below is 60 min
const UNITS = ['A', 'B', 'C'];

const run = (id: string, inputs: HostInput[], registry = [system('x', 'A')].slice(0, 0), now = NOW, portals: ReadonlyMap<string, PortalFacts> = new Map()): IndicatorResult => {
  const hosts = hostMembers(inputs, now, 60);
  const r = rule(id);
  return evaluateRule(r, r.population === 'hosts' ? hosts : systemMembers(registry, hosts, portals, now), UNITS, now);
};
const unit = (res: IndicatorResult, id: string) => res.units.find((u) => u.scope === id)!;

describe('endpoint_protection (90%)', () => {
  const fleet = [
    // A: 10 workstations, 9 protected -> exactly 90%, met (float tolerance).
    ...Array.from({ length: 9 }, () => host('A')),
    host('A', { protected: false, protectionReasons: ['ClamAV: not running'] }),
    // B: 3 hosts, all stale although their last report said protected -> 0/3.
    ...Array.from({ length: 3 }, () => host('B', { receivedAt: STALE_AT })),
    // B: protection probe failed -> unknown, failing.
    host('B', { protected: null, protectionReasons: ['protection probe failed: PROBE_TIMEOUT'], protectionError: 'PROBE_TIMEOUT' }),
    // B: an agent that sends its own reason codes: the collector's policy judges its product facts
    // (ClamAV not running), the agent's codes are its own verdict, not the reason.
    host('B', { protected: false, protectionReasons: ['ClamAV: not running'], protectionReasonCodes: [{ code: 'PROTECTION_NO_PRODUCT' }] }),
    // A decommissioned host does not count at all.
    host('A', { protected: false, decommissionedAt: '2022-05-01T00:00:00Z' }),
    // A host of another role is outside `where`.
    host('A', { role: 'printer', protected: false }),
  ];
  const res = run('endpoint_protection', fleet);

  it('per unit and ministry-wide, with the empty unit as no data', () => {
    expect(unit(res, 'A')).toEqual({ scope: 'A', pass: 9, total: 10, ratio: 0.9, met: true, overdue: false });
    expect(unit(res, 'B')).toEqual({ scope: 'B', pass: 0, total: 5, ratio: 0, met: false, overdue: false });
    expect(unit(res, 'C')).toEqual({ scope: 'C', pass: 0, total: 0, ratio: null, met: null, overdue: false });
    expect(res.ministry).toEqual({ scope: 'ministry', pass: 9, total: 15, ratio: 9 / 15, met: false, overdue: false });
  });

  it('lists every failing host with its coded reason: stale, not protected (agent text as evidence), agent codes, unknown', () => {
    const reasons = res.failing.map((f) => `${f.unit} ${f.reasons.map(why).join('; ')}`).sort();
    expect(reasons).toEqual([
      'A POLICY_NOT_RUNNING: ClamAV: not running; POLICY_REALTIME_OFF: ClamAV: real-time protection off',
      'B HOST_STALE: No report since 2022-06-01 03:00 (UTC+7) (more than 4.5 hours)',
      'B HOST_STALE: No report since 2022-06-01 03:00 (UTC+7) (more than 4.5 hours)',
      'B HOST_STALE: No report since 2022-06-01 03:00 (UTC+7) (more than 4.5 hours)',
      'B POLICY_NOT_RUNNING: ClamAV: not running; POLICY_REALTIME_OFF: ClamAV: real-time protection off',
      'B POLICY_PROBE_FAILED: the agent could not read the protection facts (PROBE_TIMEOUT) [protection probe failed: PROBE_TIMEOUT]',
    ]);
  });

  it('due date: not past before the end of 31/12/2022 in Vietnam, past after; overdue only where not met', () => {
    expect(isPastDue('2022-12-31', new Date('2022-12-31T16:59:59.000Z'))).toBe(false);
    expect(isPastDue('2022-12-31', new Date('2022-12-31T17:00:00.001Z'))).toBe(true);
    expect(isPastDue(null, new Date('2099-01-01T00:00:00Z'))).toBe(false);
    const later = new Date('2023-01-02T00:00:00Z');
    // Reported again just before `later`, with the same facts (signatures 5 h old then).
    const again = '2023-01-01T23:59:00.000Z';
    const fresh = fleet.map((h) => (h.receivedAt === STALE_AT ? h : { ...h, receivedAt: again, protection: clamavFacts(h.protected, again) }));
    const past = run('endpoint_protection', fresh, [], later);
    expect(past.pastDue).toBe(true);
    expect(unit(past, 'A')).toMatchObject({ met: true, overdue: false });
    expect(unit(past, 'B')).toMatchObject({ pass: 0, total: 5, met: false, overdue: true });
    expect(unit(past, 'C')).toMatchObject({ met: null, overdue: false });
    expect(res.pastDue).toBe(false);
  });
});

describe('agent_coverage', () => {
  it('all stale: 0%, not met; no hosts at all: no data everywhere', () => {
    const res = run('agent_coverage', [host('A', { receivedAt: STALE_AT }), host('A', { receivedAt: STALE_AT })]);
    expect(unit(res, 'A')).toMatchObject({ pass: 0, total: 2, ratio: 0, met: false });
    const empty = run('agent_coverage', []);
    expect(empty.ministry).toMatchObject({ total: 0, ratio: null, met: null });
    expect(empty.units.every((u) => u.met === null)).toBe(true);
  });
});

describe('systems_classified (70%): registry, level, approval, plan, and the baseline its level requires', () => {
  const checks = (r3: 'pass' | 'fail' | 'unknown') => [
    { id: 'firewall.active', level: 1, result: 'pass' as const },
    { id: 'audit.enabled', level: 3, result: r3 },
  ];
  const fleet = [
    host('A', { systems: ['s1', 's2'], baseline: checks('fail') }), // level-3 check fails
    host('A', { systems: ['s6'], baseline: checks('unknown') }),
    host('A', { systems: ['s7'], baseline: null }), // baseline probe failed
    host('B', { systems: ['s4'] }), // s4 declared by an agent, unknown to the registry
    host('B', { systems: ['s8'], baseline: checks('pass'), receivedAt: STALE_AT }), // only host is stale
  ];
  const registry = [
    system('s1', 'A', { level: 2 }), // level 2: the failing level-3 check is not required -> pass
    system('s2', 'A', { level: 3 }), // level 3: it is -> fail
    system('s3', 'A', { level: 2 }), // no hosts: baseline cannot be verified -> fail
    system('s5', 'A', { level: undefined }), // level not determined -> fail
    system('s6', 'A', { level: 3 }), // required check unknown -> fail
    system('s7', 'A', { level: 1 }), // no baseline facts -> fail
    system('s8', 'B', { level: 1 }), // its only host is stale -> fail
    system('s9', 'B', { level: 1, protectionPlan: { deployed: false } }),
  ];
  const res = run('systems_classified', fleet, registry);

  it('counts per owner unit, declared-only systems included as unclassified', () => {
    expect(unit(res, 'A')).toMatchObject({ pass: 1, total: 6, met: false });
    expect(unit(res, 'B')).toMatchObject({ pass: 0, total: 3, met: false });
    expect(unit(res, 'C')).toMatchObject({ total: 0, ratio: null, met: null });
    expect(res.ministry).toMatchObject({ pass: 1, total: 9 });
  });

  it('says why each system fails', () => {
    const of = Object.fromEntries(res.failing.map((f) => [f.id, f.reasons.map(why).join(' | ')]));
    // One summary line per system (the checks themselves are in system.baseline, named by the report's footnote).
    expect(of.s2).toBe('BASELINE_LEVEL_NOT_MET: Baseline of level 3 not met: 1 check(s) failing or unknown on 1/1 host(s)');
    expect(of.s3).toBe('BASELINE_NO_REPORTING_HOST: No reporting host: the baseline checks of level 2 cannot be verified');
    expect(of.s4).toBe('SYSTEM_UNCLASSIFIED: Declared by agents but not in the registry: unclassified');
    expect(of.s5).toBe('SYSTEM_LEVEL_NOT_DETERMINED: Security level not determined');
    expect(of.s6).toBe('BASELINE_LEVEL_NOT_MET: Baseline of level 3 not met: 1 check(s) failing or unknown on 1/1 host(s)');
    expect(of.s7).toBe('BASELINE_LEVEL_NOT_MET: Baseline of level 1 not met: 1 check(s) failing or unknown on 1/1 host(s)');
    expect(of.s8).toBe('BASELINE_NO_REPORTING_HOST: No reporting host: the baseline checks of level 1 cannot be verified');
    expect(of.s9).toBe('SYSTEM_PLAN_NOT_DEPLOYED: Protection plan of the level not deployed | BASELINE_NO_REPORTING_HOST: No reporting host: the baseline checks of level 1 cannot be verified');
    expect(of.s1).toBeUndefined();
  });

  it('keeps per system the hosts and checks that fail at its level, and the results as rule expressions read them', () => {
    const members = systemMembers(registry, hostMembers(fleet, NOW, 60));
    const of = (id: string) => members.find((m) => m.id === id)!;
    expect(of('s1').baseline).toMatchObject({ result: 'pass', level: 2, hosts: [] });
    expect(of('s2').baseline).toEqual({ result: 'fail', level: 3, reportingHosts: 1, hosts: [{ hostname: fleet[0]!.hostname, checks: [{ id: 'audit.enabled', result: 'fail', checkLevel: 3 }] }] });
    expect(of('s6').baseline.hosts[0]!.checks).toEqual([{ id: 'audit.enabled', result: 'unknown', checkLevel: 3, detail: { code: 'BASELINE_RESULT_UNKNOWN' } }]);
    expect(of('s7').baseline).toMatchObject({ result: 'unknown', hosts: [{ hostname: fleet[2]!.hostname, missing: { code: 'BASELINE_FACTS_MISSING', params: { host: fleet[2]!.hostname } }, checks: [] }] });
    expect(of('s2').cel).toMatchObject({ baseline: 'fail', baselineFailing: [`${fleet[0]!.hostname}: audit.enabled (fail)`] });
    expect(of('s6').cel).toMatchObject({ baseline: 'unknown', baselineFailing: [`${fleet[1]!.hostname}: audit.enabled (unknown)`] });
  });
});

describe('ipv6_portals (100%)', () => {
  it('counts the outside view: a probed ready portal passes; the hosts alone never do, and the reason says so', () => {
    const fleet = [host('A', { systems: ['p1'], ipv6Readiness: 'routed' }), host('B', { systems: ['p2'], ipv6Readiness: 'ready' }), host('B', { systems: ['p2'], ipv6Readiness: 'ready', receivedAt: STALE_AT })];
    const registry = [
      system('p1', 'A', { tags: ['portal'] }),
      system('p2', 'B', { tags: ['portal'] }),
      system('p3', 'C', { tags: ['portal'] }),
      system('p4', 'C', { tags: ['portal'] }),
      system('p5', 'C', { tags: ['portal'] }),
      system('internal', 'C'),
    ];
    const at = NOW.getTime() - 600_000;
    const portals = new Map<string, PortalFacts>([
      ['p1', { probedAt: at, level: 'ready', ready: true, checks: {}, blocking: [] }],
      ['p5', { probedAt: NOW.getTime() - 49 * 3600_000, level: 'ready', ready: true, checks: {}, blocking: [] }],
      ['p4', { probedAt: at, level: 'reachable', ready: false, checks: { tls: 'fail' }, blocking: [{ code: 'PORTAL_TLS_EXPIRED', params: { name: 'www.p4.test', address: '2001:db8::4', notAfter: '2022-05-01' } }] }],
    ]);
    const res = run('ipv6_portals', fleet, registry, NOW, portals);
    expect(res.units.map((u) => [u.scope, u.pass, u.total, u.met])).toEqual([
      ['A', 1, 1, true],
      ['B', 0, 1, false],
      ['C', 0, 3, false],
    ]);
    expect(Object.fromEntries(res.failing.map((f) => [f.id, f.reasons.map(why)]))).toEqual({
      p2: ['PORTAL_NOT_PROBED: No outside IPv6 probe of this portal yet (registry portal.urls and the collector’s portals section); only the hosts’ view exists: 1/2 hosts IPv6-ready'],
      p3: ['PORTAL_NOT_PROBED_NO_REPORTS: No outside IPv6 probe of this portal yet (registry portal.urls and the collector’s portals section); only the hosts’ view exists: no agent reports for its hosts'],
      // The prober's own code keeps the prober's parameters.
      p4: ['PORTAL_OUTSIDE_LEVEL: Outside view over IPv6: level reachable', 'PORTAL_TLS_EXPIRED: www.p4.test [2001:db8::4]: the certificate over IPv6 expired on 2022-05-01'],
      p5: ['PORTAL_PROBE_TOO_OLD: The newest outside IPv6 probe is 49 h old (older than 48 h does not count): is the collector’s portal prober running?'],
    });
  });
});

describe('expressions that cannot be evaluated', () => {
  it('a baseline check a host never reported fails that host as unknown, and by system scopes count per system', () => {
    const problems: RuleProblem[] = [];
    const [g] = parseRuleText(
      `groups:\n  - name: g\n    rules:\n      - indicator: fw\n        title: {vi: t, en: t}\n        basis: b\n        population: hosts\n        pass: host.baseline["firewall.active"] == "pass"\n        by: [unit, system]\n        target: 0.5\n`,
      'fw.rules.yaml',
      problems,
    );
    expect(problems).toEqual([]);
    const hosts = hostMembers([host('A', { systems: ['s1'], baseline: [{ id: 'firewall.active', level: 1, result: 'pass' }] }), host('A', { systems: ['s1', 's2'], baseline: [] })], NOW, 60);
    const res = evaluateRule(g!.rules[0]!, hosts, UNITS, NOW);
    expect(unit(res, 'A')).toMatchObject({ pass: 1, total: 2, met: true });
    expect(res.systems).toEqual([
      { scope: 's1', pass: 1, total: 2, ratio: 0.5, met: true, overdue: false },
      { scope: 's2', pass: 0, total: 1, ratio: 0, met: false, overdue: false },
    ]);
    expect(res.failing[0]!.reasons[0]).toMatchObject({ code: 'RULE_EVAL_FAILED', params: { field: 'pass' } });
    expect(res.failing[0]!.reasons[0]!.evidence).toMatch(/^host.baseline\["firewall.active"\] == "pass": No such key: firewall.active/);
  });
});

describe('approval of the level', () => {
  it('a dossier that proposes a level is submitted and awaiting approval; without one it was never submitted', () => {
    const registry = [system('p1', 'A', { approval: undefined, proposedLevel: 3 }), system('p2', 'A', { approval: undefined })];
    const res = run('systems_classified', [], registry);
    expect(Object.fromEntries(res.failing.map((f) => [f.id, f.reasons.filter((r) => r.code.startsWith('SYSTEM_')).map(why)]))).toEqual({
      p1: ['SYSTEM_LEVEL_PENDING_APPROVAL: Dossier proposing level 3 submitted, no approval decision yet'],
      p2: ['SYSTEM_LEVEL_NOT_APPROVED: No approval decision for the level'],
    });
  });
});

describe('stricter rules from the product facts and the time helper', () => {
  it('servers need signatures at most 72 h old NOW; a report older than 30 min fails `now - host.collectedAt`', () => {
    const problems: RuleProblem[] = [];
    const [g] = parseRuleText(
      [
        'groups:',
        '  - name: g',
        '    rules:',
        '      - indicator: strict_servers',
        '        title: {vi: t, en: t}',
        '        basis: b',
        '        population: hosts',
        '        pass: >-',
        '          host.protection.protected && now - host.collectedAt <= duration("30m") && (host.role != "server" || host.protection.items.exists(p,',
        '          p.protects && has(p.signatureAgeHours) && p.signatureAgeHours <= 72.0))',
        '        by: [unit]',
        '        target: 1',
      ].join('\n') + '\n',
      'strict.rules.yaml',
      problems,
    );
    expect(problems).toEqual([]);
    const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
    const hosts = hostMembers(
      [
        // Server, signatures 5 h old at a report 10 min ago: 5 h 10 min now. Passes.
        host('A', { role: 'server', receivedAt: at(10), protection: clamavFacts(true, at(10), 5) }),
        // Server, 71 h at a report 20 min ago: 71 h 20 min. Passes.
        host('A', { role: 'server', receivedAt: at(20), protection: clamavFacts(true, at(20), 71) }),
        // Server, 71 h 50 min at a report 20 min ago: 72 h 10 min now. Fails (protected under the 168 h policy).
        host('A', { role: 'server', receivedAt: at(20), protection: clamavFacts(true, at(20), 71 + 50 / 60) }),
        // Workstation, 100 h: the 72 h rule is for servers. Passes.
        host('A', { receivedAt: at(5), protection: clamavFacts(true, at(5), 100) }),
        // Workstation reported 40 min ago: fails the 30-minute freshness.
        host('A', { receivedAt: at(40), protection: clamavFacts(true, at(40), 1) }),
      ],
      NOW,
      60,
    );
    expect(hosts.map((h) => h.protected)).toEqual([true, true, true, true, true]);
    const res = evaluateRule(g!.rules[0]!, hosts, UNITS, NOW);
    expect(unit(res, 'A')).toMatchObject({ pass: 3, total: 5 });
    expect(res.failing.map((f) => f.id)).toEqual([hosts[2]!.id, hosts[4]!.id]);
  });

  it('rules branch on reason codes, never on the English text: host.protection.reasonCodes and host.ipv6.reasonCodes', () => {
    const problems: RuleProblem[] = [];
    const [g] = parseRuleText(
      [
        'groups:',
        '  - name: g',
        '    rules:',
        '      - indicator: not_just_stopped',
        '        title: {vi: t, en: t}',
        '        basis: b',
        '        population: hosts',
        '        pass: \'!("POLICY_NOT_RUNNING" in host.protection.reasonCodes) && !("IPV6_DISABLED" in host.ipv6.reasonCodes)\'',
        '        by: [unit]',
        '        target: 1',
      ].join('\n') + '\n',
      'codes.rules.yaml',
      problems,
    );
    expect(problems).toEqual([]);
    const hosts = hostMembers(
      [
        host('A'),
        // ClamAV stopped: the policy's reasons are POLICY_NOT_RUNNING and POLICY_REALTIME_OFF.
        host('A', { protected: false, protection: clamavFacts(false, NOW.toISOString()) }),
        host('A', { ipv6ReasonCodes: [{ code: 'IPV6_DISABLED' }] }),
        host('A', { ipv6ReasonCodes: [{ code: 'IPV6_NO_GLOBAL_ADDRESS' }] }),
      ],
      NOW,
      60,
    );
    expect(hosts[1]!.protection.reasonCodes).toEqual(['POLICY_NOT_RUNNING', 'POLICY_REALTIME_OFF']);
    const res = evaluateRule(g!.rules[0]!, hosts, UNITS, NOW);
    expect(unit(res, 'A')).toMatchObject({ pass: 2, total: 4 });
    expect(res.failing.map((f) => f.id).sort()).toEqual([hosts[1]!.id, hosts[2]!.id].sort());
  });
});
