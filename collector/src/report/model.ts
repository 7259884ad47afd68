/**
 * The appendix report as data, built once and rendered by markdown.ts, csv.ts, json.ts,
 * html.ts and docx.ts. Built either from a live evaluation (with the failing members and the
 * portals), or from the stored indicator history at a past time (history.ts: history keeps
 * counts, not members, so the member footnotes are then absent and `source` says so). It
 * measures against one directive (its rule file) and, when history allows, compares each
 * figure with an earlier evaluation (trend.ts).
 */
import { IPV6_LEVELS } from '@posture/protocol';
import { VERDICT, type Evaluation } from '../rules/engine.js';
import type { FailingMember, IndicatorResult, ScopeResult } from '../rules/evaluate.js';
import type { Directive } from '../rules/format.js';
import type { HostMember, SystemMember } from '../rules/members.js';
import { because, type FailReason } from '../rules/reasons.js';
import type { Reason } from '@posture/protocol';
import type { BaselineNote } from './baseline-footnotes.js';
import type { CheckStatus, Criterion, PortalLevel, PortalResult } from '../portals/types.js';

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

/** The same scope in the evaluation compared with. */
export interface Previous {
  pass: number;
  total: number;
  ratio: number | null;
}

/** One row of the table: the ministry or a unit. */
export interface ScopeRow extends ScopeResult {
  /** Display name: the unit's name, or "ministry". */
  name: string;
  /** The unit's short name as the ministry writes it (config units[].shortName), else the name. */
  shortName: string;
  /** The figure in the evaluation compared with; null when that evaluation has no such scope. */
  previous: Previous | null;
  /** Change of the ratio since then in percentage points; null when either side has no data. */
  changePoints: number | null;
}

/** One point of an indicator's ministry-wide trend. */
export interface TrendPoint {
  at: string;
  ratio: number | null;
}

export interface IndicatorSection {
  id: string;
  /** The directive this target comes from; null for supporting indicators. */
  directive: string | null;
  tt: number;
  title: { vi: string; en: string };
  basis: string;
  /** The target in force at the report date. */
  target: number;
  due: string | null;
  /** The due date had passed at the report date. */
  pastDue: boolean;
  population: 'hosts' | 'systems';
  ministry: ScopeRow;
  /** Every configured unit, worst first; units without members (no data) last. */
  units: ScopeRow[];
  /** Units whose ratio is below the target, worst first. */
  belowTarget: ScopeRow[];
  /** Members that fail the indicator, with reasons (live reports only). */
  failing: FailingMember[];
  /** The ministry-wide figure per day from the stored evaluations, oldest first, ending with this report's. */
  trend: TrendPoint[];
}

/** The portal prober's newest result for a portal (what the public gets over IPv6). */
export interface PortalOutside {
  probedAt: string;
  level: PortalLevel;
  ready: boolean;
  checks: { criterion: Criterion; status: CheckStatus }[];
  /** What blocks the next level (codes; rendered in the report's language). */
  blocking: Reason[];
}

/** A system tagged `portal`: ready when its outside view is (as ipv6_portals counts it), with its hosts' view beside. */
export interface PortalStatus {
  id: string;
  name: string;
  unit: string;
  hosts: number;
  readyHosts: number;
  ready: boolean;
  /** The hosts' view: which hosts are not IPv6 ready, with the agents' codes for why. */
  reasons: FailReason[];
  /** null: never probed from outside (then never ready). */
  outside: PortalOutside | null;
}

/** The letter the appendix is attached to (config report.filing). */
export interface Filing {
  documentNumber: string;
  documentDate: string | null;
  issuer: string | null;
}

export interface ReportUnit {
  id: string;
  name: string;
  shortName: string;
}

export interface AppendixReport {
  /** The evaluation the numbers come from (ISO time). */
  evaluatedAt: string;
  /** live: evaluated now over the current state; history: stored results at or before `requestedAt`. */
  source: 'live' | 'history';
  /** The --at time asked for, when source is history. */
  requestedAt: string | null;
  /** The directive measured against; null when no rule file names one. */
  directive: Directive | null;
  /** The evaluation compared with (ISO time), and the time asked for; null: no comparison. */
  compare: { evaluatedAt: string; requestedAt: string } | null;
  /** Why there is no comparison, when there is none (e.g. no history before that date). */
  compareNote: string | null;
  filing: Filing | null;
  units: ReportUnit[];
  indicators: IndicatorSection[];
  /** Portals (systems tagged portal) not IPv6 ready; null when not known (history). */
  portalsNotReady: PortalStatus[] | null;
  /** The protection policy the collector judged hosts with (POLICY_IN_FORCE); null when not known (history). */
  protectionPolicy: Reason | null;
  /** Indicator 11: systems whose hosts do not meet the baseline of the system's level, with the checks; null when not known (history). */
  baselineNotMet: BaselineNote[] | null;
  /** Every portal with its outside criteria; null when not known (history). */
  portals: PortalStatus[] | null;
}

/** Worst first; no-data scopes last; ties by id for a stable order. */
export const worstFirst = (a: ScopeResult, b: ScopeResult) => (a.ratio ?? 2) - (b.ratio ?? 2) || a.scope.localeCompare(b.scope);

/**
 * The directive's numbered indicators first, by TT; then the supporting ones (TT 0: IPv6 of the
 * portals, agent coverage) in their rule-file order (a stable sort keeps it).
 */
export const byTt = (a: { tt: number }, b: { tt: number }) => (a.tt || Infinity) - (b.tt || Infinity) || 0;

export function section(ind: IndicatorResult, units: ReadonlyMap<string, ReportUnit>, failing: FailingMember[]): IndicatorSection {
  const row = (s: ScopeResult): ScopeRow => {
    const u = units.get(s.scope);
    return { ...s, name: s.scope === 'ministry' ? 'ministry' : (u?.name ?? s.scope), shortName: u?.shortName ?? s.scope, previous: null, changePoints: null };
  };
  const rows = [...ind.units].sort(worstFirst).map(row);
  return {
    id: ind.id,
    directive: ind.directive,
    tt: ind.tt,
    title: ind.title,
    basis: ind.basis,
    target: ind.target,
    due: ind.due,
    pastDue: ind.pastDue,
    population: ind.population,
    ministry: row(ind.ministry),
    units: rows,
    belowTarget: rows.filter((u) => u.met === false),
    failing,
    trend: [],
  };
}

function portalHostReason(h: HostMember): FailReason {
  if (h.stale) return because('PORTAL_HOST_STALE', { host: h.hostname });
  const level = IPV6_LEVELS.indexOf(h.ipv6Readiness as (typeof IPV6_LEVELS)[number]);
  return level < 0 ? because('PORTAL_HOST_READINESS_UNKNOWN', { host: h.hostname }) : because('PORTAL_HOST_NOT_READY', { host: h.hostname, level });
}

/** The rule whose per-system verdict says whether a portal is ready (rules/directive-2022.rules.yaml). */
export const PORTAL_INDICATOR = 'ipv6_portals';

/**
 * `verdicts`: the evaluation's verdicts of PORTAL_INDICATOR per system (same index as
 * `systems`): when that rule is in force, "ready" is its verdict, so the footnote and the
 * indicator row cannot disagree; without it, the outside view's level decides. `outside`: the
 * portal prober's newest result per system; the hosts give their counts and reasons beside it.
 */
export function portalStatus(systems: SystemMember[], hosts: HostMember[], verdicts?: Uint8Array, outside: ReadonlyMap<string, PortalResult> = new Map()): PortalStatus[] {
  return systems
    .map((s, i) => ({ s, verdict: verdicts?.[i] }))
    .filter(({ s }) => s.tags.includes('portal'))
    .map(({ s, verdict }) => {
      const serving = hosts.filter((h) => h.systems.includes(s.id));
      const notReady = serving.filter((h) => h.stale || h.ipv6Readiness !== 'ready');
      // Each host not ready, then the agent's own codes for why (e.g. IPv6 disabled by sysctl).
      const reasons = serving.length ? notReady.flatMap((h) => [portalHostReason(h), ...(h.stale ? [] : h.ipv6ReasonCodes)]) : [because('PORTAL_NO_REPORTS')];
      const o = outside.get(s.id);
      const view: PortalOutside | null = o ? { probedAt: new Date(o.probedAt).toISOString(), level: o.level, ready: o.ready, checks: o.checks.map((c) => ({ criterion: c.criterion, status: c.status })), blocking: o.blocking } : null;
      const ready = verdict === undefined || verdict === VERDICT.outOfScope ? (view?.ready ?? false) : verdict === VERDICT.pass;
      return { id: s.id, name: s.name, unit: s.unit, hosts: serving.length, readyHosts: serving.length - notReady.length, ready, reasons, outside: view };
    });
}

/** What every report carries besides its figures. */
export interface ReportFrame {
  directive: Directive | null;
  filing: Filing | null;
  units: ReportUnit[];
}

/**
 * The indicators a report measures: the directive's own, those of earlier directives it carries
 * over (numbered after its own rows, in the order it lists them; unnumbered ones stay so), and
 * the supporting ones; in report order (byTt).
 */
export function measuredIndicators<I extends { id: string; directive: string | null; tt: number }>(indicators: readonly I[], frame: ReportFrame): I[] {
  const d = frame.directive;
  const own = indicators.filter((i) => i.directive !== null && i.directive === d?.id);
  const supporting = indicators.filter((i) => i.directive === null);
  const carried = (d?.carriesOver ?? []).flatMap((id) => indicators.filter((i) => i.id === id && i.directive !== null && i.directive !== d?.id));
  let next = Math.max(0, ...own.map((i) => i.tt));
  return [...own, ...carried.map((i) => (i.tt ? { ...i, tt: ++next } : i)), ...supporting].sort(byTt);
}

/** The report of a live evaluation, with its failing members and portals. */
export function liveReport(ev: Evaluation, portals: PortalStatus[], frame: ReportFrame, protectionPolicy: Reason | null = null, baseline: BaselineNote[] = []): AppendixReport {
  const units = new Map(frame.units.map((u) => [u.id, u]));
  return {
    evaluatedAt: ev.evaluatedAt,
    source: 'live',
    requestedAt: null,
    directive: frame.directive,
    compare: null,
    compareNote: null,
    filing: frame.filing,
    units: frame.units,
    indicators: measuredIndicators(ev.indicators, frame).map((i) => section(i, units, i.failing)),
    portalsNotReady: portals.filter((p) => !p.ready),
    protectionPolicy,
    baselineNotMet: baseline,
    portals,
  };
}
