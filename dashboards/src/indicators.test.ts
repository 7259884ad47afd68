/** The Overview's indicators come from the rule files when there are any. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadIndicators } from './indicators.js';

const dirs: string[] = [];
const rulesDir = (files: Record<string, string>) => {
  const d = mkdtempSync(join(tmpdir(), 'posture-rules-'));
  dirs.push(d);
  for (const [f, c] of Object.entries(files)) writeFileSync(join(d, f), c);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loadIndicators', () => {
  it('falls back to the built-in list without rule files', () => {
    expect(loadIndicators(join(tmpdir(), 'no-such-posture-rules')).map((i) => i.id)).toEqual(['systems_classified', 'endpoint_protection']);
  });

  it('reads indicator rules in the DESIGN 3.3 format, ordered by TT', () => {
    const d = rulesDir({
      'directive.rules.yaml': `groups:
  - name: directive-2022
    interval: 5m
    rules:
      - indicator: endpoint_protection
        tt: 12
        title: {vi: "Tỷ lệ thiết bị đầu cuối", en: "Endpoints protected"}
        target: 0.90
      - indicator: portals_ipv6
        tt: 13
        title: {vi: "Cổng IPv6", en: "Portals on IPv6"}
        target: 1
      - indicator: systems_classified
        tt: 11
        title: {vi: "Hệ thống được phân loại", en: "Systems classified"}
        target: 0.7
`,
    });
    expect(loadIndicators(d).map((i) => [i.tt, i.id, i.target])).toEqual([
      [11, 'systems_classified', 0.7],
      [12, 'endpoint_protection', 0.9],
      [13, 'portals_ipv6', 1],
    ]);
  });

  it('names the file and rule when a rule lacks a target', () => {
    const d = rulesDir({ 'a.rules.yaml': 'groups:\n  - name: g\n    rules:\n      - indicator: x\n        title: {vi: a, en: b}\n' });
    expect(() => loadIndicators(d)).toThrow('a.rules.yaml: groups[0].rules[0] (x): needs a numeric target between 0 and 1 for the dashboards');
  });
});
