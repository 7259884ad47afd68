/**
 * The compact facts rules read of a host (host_rule_facts.facts) and the titles of the checks it
 * does not pass (baseline_check_titles), built from the report the ingest has already parsed
 * and validated. They were built by SQL triggers in the commit thread, which parsed every
 * stored report again (about 0.3 ms of its 0.4 ms per report with a real agent's 62 baseline
 * checks); here they cost a walk of the parsed object. The format is the one the view
 * `host_rule_facts_of` (store/migrations.ts) defines and store/host-facts.ts reads:
 *
 *   [os family, [product ids], [ipv6 reasons], [check tuple] | null,
 *    [protection reason codes] | null, protection probe error code | null, [ipv6 reason codes] | null]
 *
 * a check tuple being [id, level, result] or, when the check has per-level results, a measured
 * value or a reason code, [id, level, result, [[level, result, threshold]] | null, value | null,
 * reasonCode | null]. The same JSON values as the view (store/rule-facts-views.integration.test.ts);
 * only the spelling of numbers may differ (the view writes `30.0` where the agent wrote it).
 */
import type { BaselineCheck, Report } from '@posture/protocol';

export interface RuleFacts {
  /** host_rule_facts.facts, JSON. */
  facts: string;
  /** JSON [[check id, title JSON]]: the checks this host does not pass at every level, for baseline_check_titles. */
  titles: string;
}

type CheckTuple = [string, number, string] | [string, number, string, [number, string, number][] | null, number | null, BaselineCheck['reasonCode'] | null];

function checkTuple(c: BaselineCheck): CheckTuple {
  if (c.byLevel === undefined && c.value === undefined && c.reasonCode === undefined) return [c.id, c.level, c.result];
  return [c.id, c.level, c.result, c.byLevel ? c.byLevel.map((b) => [b.level, b.result, b.threshold]) : null, c.value ?? null, c.reasonCode ?? null];
}

/** Not passing at some level: its title is kept for the report (the view baseline_titles_of). */
const notPassing = (c: BaselineCheck): boolean => c.result !== 'pass' || (c.byLevel?.some((b) => b.result !== 'pass') ?? false);

export function ruleFactsOf(report: Report): RuleFacts {
  const { host, protection, ipv6, baseline } = report.probes;
  const checks = baseline?.ok ? baseline.facts.checks : null;
  const facts = [
    host.ok ? host.facts.os.family : null,
    protection?.ok ? protection.facts.products.map((p) => p.id) : [],
    ipv6?.ok ? ipv6.facts.reasons : null,
    checks ? checks.map(checkTuple) : null,
    protection?.ok ? (protection.facts.reasonCodes ?? null) : null,
    protection && !protection.ok ? protection.error.code : null,
    ipv6?.ok ? (ipv6.facts.reasonCodes ?? null) : null,
  ];
  const titles: [string, string][] = [];
  if (checks) for (const c of checks) if (notPassing(c)) titles.push([c.id, JSON.stringify(c.title)]);
  return { facts: JSON.stringify(facts), titles: titles.length ? JSON.stringify(titles) : '' };
}
