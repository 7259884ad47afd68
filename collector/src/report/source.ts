/**
 * Where a report's numbers come from: a live evaluation of the current state, or the stored
 * indicator history (`indicator_results`) as it was at a past time; which directive it measures
 * against; and the earlier evaluation it is compared with.
 */
import type { Collector } from '../context.js';
import type { Evaluation, Members } from '../rules/engine.js';
import { policyReason } from '../policy/protection.js';
import { BASELINE_INDICATOR, baselineNotes } from './baseline-footnotes.js';
import { chooseDirective, directivesOf } from './directive.js';
import { historyReport } from './history.js';
import { PORTAL_INDICATOR, liveReport, portalStatus, type AppendixReport, type ReportFrame } from './model.js';
import type { LiveBase } from './last.js';
import { ReportError } from './source-error.js';
import { applyComparison, applyTrend, previousQuarterEnd } from './trend.js';

export { ReportError } from './source-error.js';

const AT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parse a --at / ?at= (or --compare) value: an ISO date (the end of that day) or date-time.
 * Without a zone it is Vietnam time (UTC+7), the ministry's clock, as in "status at 30/4".
 */
export function parseAt(value: string, name = 'at'): Date {
  const m = AT.exec(value.trim());
  const d = m ? new Date(m[2] ? `${m[1]}T${m[2]}${m[3] ?? '+07:00'}` : `${m[1]}T23:59:59.999+07:00`) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    throw new ReportError('QUERY_INVALID', `"${name}" must be an ISO date or date-time such as 2026-04-30 (end of that day, UTC+7) or 2026-04-30T17:00 or 2026-04-30T10:00:00Z, got "${value}"`);
  }
  return d;
}

export interface ReportOptions {
  /** The report as it was then, from the stored history; absent: now, live. */
  at?: Date | undefined;
  /** Compare with the evaluation at or before this time; absent: the end of the previous quarter, when stored; 'none': no comparison. */
  compare?: Date | 'none' | undefined;
  /** A rule file's directive id; absent: config report.directive, else the latest issued by the report date. */
  directive?: string | undefined;
  /** How many days of history the trend lines show. */
  trendDays?: number;
  /** Live only: evaluate now (not recorded) instead of serving the last recorded evaluation. */
  fresh?: boolean;
}

/** A live evaluation of the current state (nothing recorded), with what the footnotes need from its members. */
export function freshBase(c: Collector, now = new Date()): LiveBase {
  return baseOf(c, c.engine.evaluateNowWithMembers(now));
}

/** The same evaluated in slices (on a request: the collector goes on serving meanwhile; Engine.evaluateNowSliced). */
export async function freshBaseSliced(c: Collector): Promise<LiveBase> {
  return baseOf(c, await c.engine.evaluateNowSliced());
}

function baseOf(c: Collector, { ev, members }: { ev: Evaluation; members: Members }): LiveBase {
  const outside = new Map([...c.portals.latest()].map(([id, row]) => [id, row.result]));
  return {
    ev,
    portals: portalStatus(members.systems, members.hosts, members.verdicts.get(PORTAL_INDICATOR), outside),
    baseline: baselineNotes(members.systems, members.verdicts.get(BASELINE_INDICATOR)),
  };
}

/** The directive, filing header and unit names a report is framed by (config and rule files). */
function reportFrame(c: Collector, reportAt: Date, directive: string | undefined): ReportFrame {
  return {
    directive: chooseDirective(directivesOf(c.engine.rules.groups), reportAt, directive ?? c.config.report?.directive),
    filing: c.config.report?.filing ? { documentNumber: c.config.report.filing.documentNumber, documentDate: c.config.report.filing.documentDate ?? null, issuer: c.config.report.filing.issuer ?? null } : null,
    units: c.config.units.map((u) => ({ id: u.id, name: u.name, shortName: u.shortName ?? u.name })),
  };
}

/**
 * The live report (the last recorded evaluation, c.lastReport; a new evaluation before there is
 * one or when `fresh`), or the report at `opts.at` from the stored history; then the trend and
 * the comparison from the stored history. `evaluated`: that new evaluation, made already (in
 * slices, buildReportOnRequest); without it, one is made here in one go (the CLI).
 */
export function buildReport(c: Collector, opts: ReportOptions = {}, now = new Date(), evaluated?: LiveBase): AppendixReport {
  const history = c.indicatorResults;
  const frame = reportFrame(c, opts.at ?? now, opts.directive);
  let report: AppendixReport;
  if (!opts.at) {
    const base = evaluated ?? ((!opts.fresh && c.lastReport.base()) || freshBase(c, now));
    report = liveReport(base.ev, base.portals, frame, policyReason(c.config.protection), base.baseline);
  } else {
    const iso = opts.at.toISOString();
    // One evaluation writes every indicator and scope under the same evaluated_at: take the last
    // evaluation at or before the requested time, whole.
    const { last, first } = history.lastAtOrBefore(opts.at);
    if (!last) throw noHistory(first, iso, 'at');
    // Only the indicators' titles, basis and due dates are taken from the current evaluation.
    report = historyReport(history.at(last), iso, c.engine.last() ?? evaluated?.ev ?? c.engine.evaluateNow(now), frame);
  }
  report = applyTrend(report, history.ministrySeries(report.evaluatedAt, opts.trendDays ?? 400));
  if (opts.compare === 'none') return report;
  const compareAt = opts.compare ?? previousQuarterEnd(new Date(report.evaluatedAt));
  const iso = compareAt.toISOString();
  const { last: prev, first } = history.lastAtOrBefore(compareAt);
  if (!prev || prev >= report.evaluatedAt) {
    // Asked for: say why it cannot be done. The default: the report simply has no comparison.
    if (opts.compare) throw noHistory(first ?? history.earliest(), iso, 'compare');
    return { ...report, compareNote: `no stored evaluation at or before ${iso}` };
  }
  return applyComparison(report, history.at(prev), prev, iso);
}

/**
 * The same for a request (the API's report): an evaluation it needs (fresh, or nothing recorded
 * yet) is made in slices first, so the collector serves agents and other requests meanwhile;
 * the report is then of the time that evaluation started.
 */
export async function buildReportOnRequest(c: Collector, opts: ReportOptions = {}): Promise<AppendixReport> {
  const needs = opts.at ? !c.engine.last() : opts.fresh || !c.lastReport.base();
  if (!needs) return buildReport(c, opts);
  const evaluated = await freshBaseSliced(c);
  return buildReport(c, opts, new Date(evaluated.ev.evaluatedAt), evaluated);
}

function noHistory(first: string | null, iso: string, what: 'at' | 'compare'): ReportError {
  return new ReportError(
    'REPORT_NO_HISTORY',
    first
      ? `no indicator history at or before ${iso} (--${what}): the earliest stored evaluation is ${first}; ask for a later time`
      : `no indicator history at all (--${what}): the collector records one evaluation every evaluationIntervalSeconds while "posture serve" runs`,
  );
}
