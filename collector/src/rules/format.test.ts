/**
 * Broken rule files, each with the exact problem the loader must report (file:line:col, group,
 * rule, field, message), and the shipped rules loading clean.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadRuleFiles, parseRuleText, RuleFileError, type RuleProblem } from './format.js';
import { expandRuleFiles, SHIPPED_RULES } from './manager.js';

const rule = (body: string, population = 'hosts') => `groups:
  - name: g
    interval: 1m
    rules:
      - indicator: ep
        title: {vi: "T", en: "T"}
        basis: "QĐ 2224"
        population: ${population}
${body}`;

const ok = '        pass: host.stale\n        target: 0.9\n';

const CASES: [name: string, text: string, expected: string[]][] = [
  ['yaml syntax', 'groups:\n  - name: g\n    rules: [\n', ['f.rules.yaml:4:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]']],
  ['duplicate key', 'groups: []\ngroups: []\n', ['f.rules.yaml:2:1: YAML syntax: Map keys must be unique']],
  ['unknown top-level key', 'group: []\n', ['f.rules.yaml:1:1: field "group": unknown key: a rule file has "directive" (optional) and "groups"', 'f.rules.yaml:1:1: field "groups": expected a list of groups']],
  [
    'directive block: every field checked',
    'directive: {id: "x y", title: {vi: t}, issued: 2024-13-45, basis: b, number: 9}\ngroups: []\n',
    [
      'f.rules.yaml:1:70: field "directive.number": unknown key (a directive has id, title, issued, basis, carriesOver)',
      'f.rules.yaml:1:17: field "directive.id": required: an id like 09-CT-TTg-2024 (letters, digits, . _ -)',
      'f.rules.yaml:1:31: field "directive.title": required: {vi: "...", en: "..."}',
      'f.rules.yaml:1:48: field "directive.issued": required: the date it was issued, YYYY-MM-DD',
    ],
  ],
  [
    'directive carriesOver: a list of indicator ids',
    'directive: {id: d, title: {vi: t, en: t}, issued: 2024-02-23, basis: b, carriesOver: endpoint_protection}\ngroups: []\n',
    ['f.rules.yaml:1:86: field "directive.carriesOver": a list of indicator ids of earlier directives, e.g. [endpoint_protection]'],
  ],
  [
    'reason: a literal shaped like a code must be a collector reason code',
    rule(ok.replace('target: 0.9', 'reason: \'host.stale ? "HOST_STALE" : "NO_SUCH_REASON"\'\n        target: 0.9')),
    ['f.rules.yaml:10:17: group "g" rule "ep" field "reason": "NO_SUCH_REASON" is not a reason code of the catalogue; use one of protocol/src/reasons/ (e.g. RULE_NOT_MET) or add one to collector.ts there, in both languages'],
  ],
  ['bad interval', 'groups:\n  - name: g\n    interval: soon\n    rules: []\n', ['f.rules.yaml:3:15: group "g" field "interval": "soon" is not a duration of at least 1s (e.g. 30s, 5m, 1h)']],
  ['unknown rule key', rule(ok + '        expr: x\n'), ['f.rules.yaml:11:9: group "g" rule "ep" field "expr": unknown key (a rule has indicator, tt, title, basis, population, where, pass, reason, by, target, due, for, labels, annotations)']],
  ['CEL unknown field', rule('        pass: host.protection.protect\n        target: 0.9\n'), ['f.rules.yaml:9:31: group "g" rule "ep" field "pass": CEL: No such key: protect']],
  ['CEL wrong type', rule('        pass: host.role\n        target: 0.9\n'), ['f.rules.yaml:9:15: group "g" rule "ep" field "pass": CEL: expression has type string, expected bool']],
  ['CEL syntax', rule('        pass: host.role ==\n        target: 0.9\n'), ['f.rules.yaml:9:27: group "g" rule "ep" field "pass": CEL: Unexpected token: EOF']],
  ['CEL prototype access', rule('        pass: host.constructor == "x"\n        target: 0.9\n'), ['f.rules.yaml:9:20: group "g" rule "ep" field "pass": CEL: No such key: constructor']],
  ['CEL variable of the other population', rule(ok, 'systems'), ['f.rules.yaml:9:15: group "g" rule "ep" field "pass": CEL: Unknown variable: host']],
  ['target as percent', rule('        pass: host.stale\n        target: 90\n'), ['f.rules.yaml:10:17: group "g" rule "ep" field "target": required: a ratio in (0, 1], e.g. 0.9 for 90%']],
  ['missing pass', rule('        target: 0.9\n'), ['f.rules.yaml:5:9: group "g" rule "ep" field "pass": required: a CEL expression of type bool']],
  ['unknown population', rule(ok, 'endpoints'), ['f.rules.yaml:8:21: group "g" rule "ep" field "population": required: hosts or systems']],
  ['for not a duration', rule(ok + '        for: 15 minutes\n'), ['f.rules.yaml:11:14: group "g" rule "ep" field "for": "15 minutes" is not a duration (e.g. 0s, 10m, 1h)']],
  ['due not ISO', rule(ok + '        due: 31/12/2022\n'), ['f.rules.yaml:11:14: group "g" rule "ep" field "due": a date YYYY-MM-DD']],
  ['reserved label', rule(ok + '        labels: {unit: x}\n'), ['f.rules.yaml:11:17: group "g" rule "ep" field "labels": label "unit" is set by the engine; choose another name']],
  [
    'template typo',
    rule(ok + '        annotations: {summary: "{{ $valeu }}"}\n'),
    [
      'f.rules.yaml:11:32: group "g" rule "ep" field "annotations": annotation "summary": unknown template variable "$valeu" (known: $labels.NAME, $value, $percent, $target, $targetPercent, $pass, $total, $due, $indicator, $scopeName, $title, $titleEn)',
    ],
  ],
  [
    'template unknown label',
    rule(ok + '        annotations: {summary: "{{ $labels.region }}"}\n'),
    ['f.rules.yaml:11:32: group "g" rule "ep" field "annotations": annotation "summary": unknown label "region" (known: alertname, indicator, scope, system, unit)'],
  ],
  [
    'systems rule by system',
    rule('        pass: system.registered\n        target: 0.9\n        by: [system]\n', 'systems'),
    ['f.rules.yaml:11:13: group "g" rule "ep" field "by": a systems rule cannot be scoped by system (each system is its own member); use [unit]'],
  ],
  [
    'indicator defined twice',
    rule(ok + '      - indicator: ep\n        title: {vi: "T", en: "T"}\n        basis: b\n        population: hosts\n        pass: host.stale\n        target: 0.5\n'),
    ['f.rules.yaml:11:20: group "g" rule "ep" field "indicator": indicator "ep" is already defined in f.rules.yaml group "g"'],
  ],
];

describe('rule files: every problem named with its place', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    const problems: RuleProblem[] = [];
    const groups = parseRuleText(text, 'f.rules.yaml', problems);
    expect(problems.map(formatProblem)).toEqual(expected);
    expect(groups).toEqual([]); // a file with any problem yields nothing
  });

  it('a good rule parses with its fields', () => {
    const problems: RuleProblem[] = [];
    const [g] = parseRuleText(rule(ok + '        for: 1h30m\n        due: "2022-12-31"\n        by: [unit, system]\n'), 'f.rules.yaml', problems);
    expect(problems).toEqual([]);
    expect(g!.intervalMs).toBe(60_000);
    expect(g!.rules[0]).toMatchObject({ indicator: 'ep', forMs: 5_400_000, due: '2022-12-31', by: ['unit', 'system'], target: 0.9, tt: 0 });
  });

  it('loadRuleFiles refuses the whole set and names a missing file', () => {
    let err: unknown;
    try {
      loadRuleFiles([...expandRuleFiles([SHIPPED_RULES]), '/nonexistent/x.rules.yaml']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleFileError);
    expect((err as RuleFileError).problems).toEqual([expect.objectContaining({ file: '/nonexistent/x.rules.yaml', message: expect.stringMatching(/^cannot read the file: ENOENT/) })]);
  });

  it('the shipped rules load: the directive indicators with their legal basis', () => {
    const rules = loadRuleFiles(expandRuleFiles([SHIPPED_RULES])).flatMap((g) => g.rules);
    expect(rules.map((r) => [r.directive, r.indicator, r.tt, r.target, r.due])).toEqual([
      ['2224-QD-BGTVT', 'systems_classified', 11, 0.7, '2022-12-31'],
      ['2224-QD-BGTVT', 'endpoint_protection', 12, 0.9, '2022-12-31'],
      ['2224-QD-BGTVT', 'ipv6_portals', 0, 1, '2022-12-31'],
      ['09-CT-TTg-2024', 'systems_level_approved', 1, 1, '2024-09-30'],
      ['09-CT-TTg-2024', 'systems_plan_deployed', 2, 1, '2024-12-31'],
      [null, 'agent_coverage', 0, 0.95, null],
    ]);
    for (const r of rules) expect(r.basis).toMatch(r.directive === '09-CT-TTg-2024' ? /09\/CT-TTg ngày 23\/02\/2024/ : /2224\/QĐ-BGTVT/);
    const directives = loadRuleFiles(expandRuleFiles([SHIPPED_RULES])).map((g) => g.directive?.issued ?? null);
    expect(directives).toEqual(['2021-12-27', '2024-02-23', null]);
    // Chỉ thị 09 raises the systems' targets; the 2022 endpoint and portal targets stay in force.
    expect(loadRuleFiles(expandRuleFiles([SHIPPED_RULES]))[1]!.directive!.carriesOver).toEqual(['endpoint_protection', 'ipv6_portals']);
  });

  it('carriesOver names indicators of directives issued before it; one no loaded file defines is allowed (a file is checked alone)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posture-carry-'));
    const file = (name: string, d: string, issued: string, carries: string, indicator: string) => {
      const f = join(dir, name);
      writeFileSync(
        f,
        `directive: {id: ${d}, title: {vi: t, en: t}, issued: ${issued}, basis: b, carriesOver: [${carries}]}\n` +
          rule('        pass: host.stale\n        target: 0.9\n').replace('indicator: ep', `indicator: ${indicator}`).replace('name: g', `name: ${d}`),
      );
      return f;
    };
    try {
      const early = file('a.rules.yaml', 'early', '2021-12-27', '', 'ep_early');
      const late = file('b.rules.yaml', 'late', '2024-02-23', 'ep_early, nowhere, ep_late', 'ep_late');
      const backwards = file('c.rules.yaml', 'older', '2020-01-01', 'ep_late', 'ep_older');
      let err: unknown;
      try {
        loadRuleFiles([early, late, backwards]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RuleFileError);
      expect((err as RuleFileError).problems.map((p) => `${p.file.slice(dir.length + 1)} ${p.field}: ${p.message}`)).toEqual([
        'b.rules.yaml directive.carriesOver: "ep_late" is this directive\'s own indicator: carriesOver lists indicators of earlier directives that stay in force',
        'c.rules.yaml directive.carriesOver: "ep_late" is of late, issued 2024-02-23, not before this directive (2020-01-01): carriesOver lists indicators of earlier directives that stay in force',
      ]);
      // The earlier directive's indicator alone: loads.
      expect(loadRuleFiles([early, file('d.rules.yaml', 'later', '2024-02-23', 'ep_early', 'ep_later')])[1]!.directive!.carriesOver).toEqual(['ep_early']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CEL problem positions', () => {
  const at = (text: string) => {
    const problems: RuleProblem[] = [];
    parseRuleText(text, 'f.rules.yaml', problems);
    return problems.map(formatProblem);
  };
  it('quoted: the column inside the quotes; block scalar: the field itself', () => {
    expect(at(rule('        pass: "host.stale && host.nope"\n        target: 0.9\n'))).toEqual(['f.rules.yaml:9:35: group "g" rule "ep" field "pass": CEL: No such key: nope']);
    expect(at(rule('        pass: >-\n          host.stale\n          && host.nope\n        target: 0.9\n'))).toEqual(['f.rules.yaml:9:15: group "g" rule "ep" field "pass": CEL: No such key: nope']);
  });
});
