/**
 * Which directive a report measures against: the one asked for (`--directive`, `?directive=`,
 * or the config's report.directive), else the latest one issued on or before the report date,
 * so that a report of 2023 measures against the 2022 targets and one of 2025 against those of
 * Chỉ thị 09/CT-TTg. The rule files define the directives (their `directive:` block).
 */
import type { Directive, RuleGroup } from '../rules/format.js';
import { ReportError } from './source-error.js';

export function directivesOf(groups: readonly RuleGroup[]): Directive[] {
  const seen = new Map<string, Directive>();
  for (const g of groups) if (g.directive && !seen.has(g.directive.id)) seen.set(g.directive.id, g.directive);
  return [...seen.values()].sort((a, b) => a.issued.localeCompare(b.issued));
}

export function chooseDirective(all: readonly Directive[], at: Date, asked: string | undefined): Directive | null {
  if (asked !== undefined) {
    const d = all.find((x) => x.id === asked);
    if (!d) throw new ReportError('QUERY_INVALID', `unknown directive "${asked}": the rule files define ${all.length ? all.map((x) => x.id).join(', ') : 'none'}`);
    return d;
  }
  // Issued on a day in Vietnam: in force from the start of that day (UTC+7).
  const inForce = all.filter((d) => Date.parse(`${d.issued}T00:00:00+07:00`) <= at.getTime());
  return inForce.at(-1) ?? all[0] ?? null;
}
