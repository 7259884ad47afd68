/**
 * Indicator 11's baseline footnote: per information system that does not meet the baseline of
 * its level, its hosts and the checks each one fails at that level, by the checks' titles and
 * the reasons' codes (rendered in the reader's language). Bounded: the hosts with the most
 * shortfalls first, a few checks per host, then counts of what was left out.
 */
import { REASONS, renderReason, type Lang, type Reason } from '@posture/protocol';
import type { HostShortfall, SystemBaseline } from '../rules/baseline-level.js';
import { VERDICT } from '../rules/engine.js';
import type { SystemMember } from '../rules/members.js';

/** The rule whose footnote this is (rules/directive.rules.yaml). */
export const BASELINE_INDICATOR = 'systems_classified';
/** Hosts named per system, and checks named per host, before "and N more". */
export const MAX_HOSTS_PER_SYSTEM = 5;
export const MAX_CHECKS_PER_HOST = 5;

export interface BaselineNote {
  id: string;
  name: string;
  unit: string;
  level: number;
  result: 'fail' | 'unknown';
  reportingHosts: number;
  /** Reporting hosts that do not pass (all of them, also those not listed in `hosts`). */
  failingHosts: number;
  /** Why the system as a whole cannot be judged (no reporting host). */
  reason?: Reason;
  /** At most MAX_HOSTS_PER_SYSTEM, each with at most MAX_CHECKS_PER_HOST checks. */
  hosts: HostShortfall[];
}

/**
 * The systems with a level whose baseline does not pass. `verdicts` (the BASELINE_INDICATOR
 * verdicts, same index as `systems`), when the rule is in force, keeps the footnote to systems
 * that fail the indicator, so the footnote and the table cannot disagree.
 */
export function baselineNotes(systems: readonly SystemMember[], verdicts?: Uint8Array): BaselineNote[] {
  const out: BaselineNote[] = [];
  systems.forEach((s, i) => {
    const b: SystemBaseline = s.baseline;
    if (b.level === null || b.result === 'pass') return;
    if (verdicts && verdicts[i] === VERDICT.pass) return;
    out.push({
      id: s.id,
      name: s.name,
      unit: s.unit,
      level: b.level,
      result: b.result,
      reportingHosts: b.reportingHosts,
      failingHosts: b.hosts.length,
      ...(b.reason ? { reason: b.reason } : {}),
      hosts: b.hosts.slice(0, MAX_HOSTS_PER_SYSTEM),
    });
  });
  return out.sort((a, b) => a.unit.localeCompare(b.unit) || b.failingHosts - a.failingHosts || a.id.localeCompare(b.id));
}

const W = {
  vi: { system: 'Hệ thống', level: 'cấp độ', hostsNotMet: 'máy chưa đạt', host: 'máy', unknown: 'chưa xác định', moreChecks: 'kiểm tra khác', moreHosts: 'máy khác', and: 'và' },
  en: { system: 'System', level: 'level', hostsNotMet: 'hosts not meeting it', host: 'host', unknown: 'unknown', moreChecks: 'more checks', moreHosts: 'more hosts', and: 'and' },
} as const;

const text = (r: Reason, lang: Lang) => renderReason(r, lang, REASONS);

function hostLine(h: HostShortfall, lang: Lang): string {
  const w = W[lang];
  if (h.missing) return text(h.missing, lang);
  const items = h.checks.slice(0, MAX_CHECKS_PER_HOST).map((c) => {
    const title = c.title?.[lang] ?? c.id;
    if (c.result === 'unknown') return `${title}: ${w.unknown} (${c.detail ? text(c.detail, lang) : c.id})`;
    return c.detail ? `${title}: ${text(c.detail, lang)}` : title;
  });
  const more = h.checks.length - MAX_CHECKS_PER_HOST;
  if (more > 0) items.push(`${w.and} ${more} ${w.moreChecks}`);
  return `${w.host} ${h.hostname} — ${items.join('; ')}`;
}

/**
 * One line per system, e.g. "Hệ thống Quản lý tàu biển (cấp độ 3; 1/2 máy chưa đạt): máy
 * A — Tường lửa ...; Nhật ký hệ thống được lưu đủ thời gian: 30 < 90 (mức tối thiểu của cấp độ 3)".
 */
export function baselineNoteText(n: BaselineNote, lang: Lang): string {
  const w = W[lang];
  const head = `${w.system} ${n.name} (${w.level} ${n.level}; ${n.failingHosts}/${n.reportingHosts} ${w.hostsNotMet})`;
  if (n.reason) return `${head}: ${text(n.reason, lang)}`;
  const lines = n.hosts.map((h) => hostLine(h, lang));
  const more = n.failingHosts - n.hosts.length;
  if (more > 0) lines.push(`${w.and} ${more} ${w.moreHosts}`);
  return `${head}: ${lines.join('. ')}`;
}
