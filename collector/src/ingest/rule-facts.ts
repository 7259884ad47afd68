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
import type { TitlePart } from '../store/host-rule-facts.js';

export interface RuleFacts {
  /** host_rule_facts.facts, JSON. */
  facts: string;
  /** The checks this host does not pass at every level, for baseline_check_titles (store/host-rule-facts.ts). */
  titles: readonly TitlePart[];
}

/**
 * JSON text of a string: ids and results (schema patterns and literals) need no escaping and are
 * written as they are; anything else goes through JSON.stringify.
 */
const PLAIN = /^[\w.:-]*$/;
const str = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));
/** A finite number (storageProblems refused any other) is written as JSON.stringify writes it. */
const num = (n: number): string => String(n);

/**
 * A check's tuple as JSON text, written piece by piece: JSON.stringify of a real agent's 62
 * tuples took 27 µs (most of this module's time); this writes the same text.
 */
function checkJson(c: BaselineCheck): string {
  const head = `[${str(c.id)},${num(c.level)},${str(c.result)}`;
  if (c.byLevel === undefined && c.value === undefined && c.reasonCode === undefined) return `${head}]`;
  const byLevel = c.byLevel ? `[${c.byLevel.map((b) => `[${num(b.level)},${str(b.result)},${num(b.threshold)}]`).join(',')}]` : 'null';
  return `${head},${byLevel},${c.value === undefined ? 'null' : num(c.value)},${c.reasonCode ? JSON.stringify(c.reasonCode) : 'null'}]`;
}

const json = (v: unknown): string => (v === undefined || v === null ? 'null' : JSON.stringify(v));

/** Not passing at some level: its title is kept for the report (the view baseline_titles_of). */
const notPassing = (c: BaselineCheck): boolean => c.result !== 'pass' || (c.byLevel?.some((b) => b.result !== 'pass') ?? false);

/**
 * `[id, title]` as JSON per check id, kept while the title stays the same: every host sends the
 * same titles, and writing them was half of this module's time with a real agent's 35 checks
 * that do not pass (a pure memo of JSON.stringify; bounded, past the bound written each time).
 */
const titleParts = new Map<string, { vi: string; en: string; part: TitlePart }>();
const MAX_TITLES = 4096;

function titlePart(c: BaselineCheck): TitlePart {
  const known = titleParts.get(c.id);
  if (known && known.vi === c.title.vi && known.en === c.title.en) return known.part;
  const part = { id: c.id, json: JSON.stringify([c.id, c.title]) };
  if (known || titleParts.size < MAX_TITLES) titleParts.set(c.id, { vi: c.title.vi, en: c.title.en, part });
  return part;
}

export function ruleFactsOf(report: Report): RuleFacts {
  const { host, protection, ipv6, baseline } = report.probes;
  const checks = baseline?.ok ? baseline.facts.checks : null;
  const facts = [
    host.ok ? str(host.facts.os.family) : 'null',
    protection?.ok ? `[${protection.facts.products.map((p) => str(p.id)).join(',')}]` : '[]',
    ipv6?.ok ? json(ipv6.facts.reasons) : 'null',
    checks ? `[${checks.map(checkJson).join(',')}]` : 'null',
    protection?.ok ? json(protection.facts.reasonCodes) : 'null',
    protection && !protection.ok ? str(protection.error.code) : 'null',
    ipv6?.ok ? json(ipv6.facts.reasonCodes) : 'null',
  ];
  const titles: TitlePart[] = [];
  if (checks) for (const c of checks) if (notPassing(c)) titles.push(titlePart(c));
  return { facts: `[${facts.join(',')}]`, titles };
}
