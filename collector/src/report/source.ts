/**
 * Where a report's numbers come from: a live evaluation of the current state, or the stored
 * indicator history (`indicator_results`) as it was at a past time.
 */
import type { Collector } from '../context.js';
import { policyReason } from '../policy/protection.js';
import { BASELINE_INDICATOR, baselineNotes } from './baseline-footnotes.js';
import { PORTAL_INDICATOR, historyReport, liveReport, portalStatus, type AppendixReport } from './model.js';

export class ReportError extends Error {
  constructor(
    readonly code: 'QUERY_INVALID' | 'REPORT_NO_HISTORY',
    message: string,
  ) {
    super(message);
  }
}

const AT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parse a --at / ?at= value: an ISO date (the end of that day) or date-time. Without a zone it
 * is Vietnam time (UTC+7), the ministry's clock, as in the directive's "status at 30/4".
 */
export function parseAt(value: string): Date {
  const m = AT.exec(value.trim());
  const d = m ? new Date(m[2] ? `${m[1]}T${m[2]}${m[3] ?? '+07:00'}` : `${m[1]}T23:59:59.999+07:00`) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    throw new ReportError('QUERY_INVALID', `"at" must be an ISO date or date-time such as 2026-04-30 (end of that day, UTC+7) or 2026-04-30T17:00 or 2026-04-30T10:00:00Z, got "${value}"`);
  }
  return d;
}

/** A live report evaluated now over the current state (nothing recorded). */
export function freshReport(c: Collector, now = new Date()): AppendixReport {
  const { ev, members } = c.engine.evaluateNowWithMembers(now);
  return liveReport(
    ev,
    portalStatus(members.systems, members.hosts, members.verdicts.get(PORTAL_INDICATOR), new Map([...c.portals.latest()].map(([id, row]) => [id, row.result]))),
    policyReason(c.config.protection),
    baselineNotes(members.systems, members.verdicts.get(BASELINE_INDICATOR)),
  );
}

/**
 * The report at `at` from the stored history; without `at`, the last recorded evaluation
 * (c.lastReport) or, before there is one or when `fresh`, a new evaluation.
 */
export function buildReport(c: Collector, at?: Date, now = new Date(), fresh = false): AppendixReport {
  if (!at) return (!fresh && c.lastReport.report()) || freshReport(c, now);
  const iso = at.toISOString();
  // One evaluation writes every indicator and scope under the same evaluated_at: take the last
  // evaluation at or before the requested time, whole.
  const { last, first } = c.indicatorResults.lastAtOrBefore(at);
  if (!last) {
    throw new ReportError(
      'REPORT_NO_HISTORY',
      first
        ? `no indicator history at or before ${iso}: the earliest stored evaluation is ${first}; ask for a later time`
        : `no indicator history at all: the collector records one evaluation every evaluationIntervalSeconds while "posture serve" runs`,
    );
  }
  // Only the indicators' titles, basis and due dates are taken from the current evaluation.
  return historyReport(c.indicatorResults.at(last), iso, c.engine.last() ?? c.engine.evaluateNow(now));
}
