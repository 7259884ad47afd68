/**
 * The baseline of an information system judged at its security level. A system at level L
 * passes when every reporting host passes every check that level requires: a check is required
 * from its `level` up, and judged by its per-level result at L (`byLevel`, for a requirement
 * that grows with the level, e.g. logs kept 30/90/180/365 days at levels 2/3/4/5) or else by
 * its `result`. Which checks a level requires and the per-level thresholds are the agent's
 * mapping data (mapping.yaml), as the agent reports them; see collector/README.md for why the
 * collector keeps no second copy. Unknown is failing: a check that could not be read, a host
 * without baseline facts, a system without a reporting host.
 */
import type { CheckResult, Reason } from '@posture/protocol';
import type { BaselineCheckInput } from '../store/host-facts.js';

/** The result of `check` at `level`, or null when that level does not require it. */
export function resultAtLevel(check: BaselineCheckInput, level: number): { result: CheckResult; threshold?: number } | null {
  if (check.level > level) return null;
  const at = check.byLevel?.find((b) => b.level === level);
  return at ? { result: at.result, threshold: at.threshold } : { result: check.result };
}

/** One required check a host does not pass at the system's level. */
export interface CheckShortfall {
  id: string;
  /** The agent's title; absent from stores of reports older than per-level facts. */
  title?: { vi: string; en: string };
  result: 'fail' | 'unknown';
  /** Lowest level that requires the check. */
  checkLevel: number;
  /** Why, beyond the title: below the level's minimum, or the agent's reason for an unknown. */
  detail?: Reason;
}

export interface HostShortfall {
  hostname: string;
  /** Set when the host sent no baseline facts (the probe failed or did not run). */
  missing?: Reason;
  /** Failing checks first, then unknown ones; by check level, then id. */
  checks: CheckShortfall[];
}

export interface SystemBaseline {
  result: 'pass' | 'fail' | 'unknown';
  /** The level judged at (null: level not determined). */
  level: number | null;
  reportingHosts: number;
  /** Reporting hosts that do not pass, most shortfalls first. */
  hosts: HostShortfall[];
  /** Why the system as a whole cannot be judged (no level, no reporting host). */
  reason?: Reason;
}

interface BaselineHost {
  hostname: string;
  stale: boolean;
  baseline: BaselineCheckInput[] | null;
}

const rank = (c: CheckShortfall) => (c.result === 'fail' ? 0 : 1);

function shortfalls(checks: readonly BaselineCheckInput[], level: number): CheckShortfall[] {
  const out: CheckShortfall[] = [];
  for (const c of checks) {
    const at = resultAtLevel(c, level);
    if (!at || at.result === 'pass') continue;
    const s: CheckShortfall = { id: c.id, result: at.result, checkLevel: c.level };
    if (c.title) s.title = c.title;
    if (at.result === 'fail' && at.threshold !== undefined && c.value !== undefined) {
      s.detail = { code: 'BASELINE_BELOW_LEVEL_MINIMUM', params: { value: c.value, threshold: at.threshold, level } };
    } else if (at.result === 'unknown') {
      s.detail = c.reasonCode ?? { code: 'BASELINE_RESULT_UNKNOWN' };
    }
    out.push(s);
  }
  return out.sort((a, b) => rank(a) - rank(b) || a.checkLevel - b.checkLevel || a.id.localeCompare(b.id));
}

/** The baseline of a system at `level` over the hosts that serve it (stale ones do not count). */
export function systemBaseline(level: number | null, hosts: readonly BaselineHost[]): SystemBaseline {
  const reporting = hosts.filter((h) => !h.stale);
  if (!level) return { result: 'unknown', level: null, reportingHosts: reporting.length, hosts: [] };
  if (!reporting.length) return { result: 'unknown', level, reportingHosts: 0, hosts: [], reason: { code: 'BASELINE_NO_REPORTING_HOST', params: { level } } };
  const out: HostShortfall[] = [];
  let failed = false;
  for (const h of reporting) {
    if (h.baseline === null) {
      out.push({ hostname: h.hostname, missing: { code: 'BASELINE_FACTS_MISSING', params: { host: h.hostname } }, checks: [] });
      continue;
    }
    const checks = shortfalls(h.baseline, level);
    if (!checks.length) continue;
    if (checks.some((c) => c.result === 'fail')) failed = true;
    out.push({ hostname: h.hostname, checks });
  }
  out.sort((a, b) => b.checks.length - a.checks.length || a.hostname.localeCompare(b.hostname));
  return { result: failed ? 'fail' : out.length ? 'unknown' : 'pass', level, reportingHosts: reporting.length, hosts: out };
}

/** The one-line summary of a system that does not pass (the member's reason). */
export function baselineSummary(b: SystemBaseline): Reason | null {
  if (b.result === 'pass' || b.level === null) return null;
  if (b.reason) return b.reason;
  const checks = b.hosts.reduce((n, h) => n + (h.missing ? 1 : h.checks.length), 0);
  return { code: 'BASELINE_LEVEL_NOT_MET', params: { level: b.level, checks, hosts: b.hosts.length, reporting: b.reportingHosts } };
}

/** "host: check (result)" per shortfall, as system.baselineFailing in rule expressions. */
export function shortfallTexts(b: SystemBaseline): string[] {
  const out: string[] = [];
  for (const h of b.hosts) {
    if (h.missing) out.push(`${h.hostname}: baseline facts missing (probe failed or not run)`);
    for (const c of h.checks) out.push(`${h.hostname}: ${c.id} (${c.result})`);
  }
  return out;
}
