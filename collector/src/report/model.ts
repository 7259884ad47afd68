/**
 * The appendix report as data, built once and rendered by markdown.ts, csv.ts, json.ts and
 * html.ts. Built either from a live evaluation (with the failing members and the portals), or
 * from the stored indicator history at a past time (history keeps counts, not members, so the
 * member footnotes are then absent and `source` says so).
 */
import { VERDICT, type Evaluation } from '../rules/engine.js';
import type { FailingMember, IndicatorResult, ScopeResult } from '../rules/evaluate.js';
import type { HostMember, SystemMember } from '../rules/members.js';
import type { Reason } from '@posture/protocol';
import type { BaselineNote } from './baseline-footnotes.js';
import type { CheckStatus, Criterion, PortalLevel, PortalResult } from '../portals/types.js';

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

/** One row of the table: the ministry or a unit. */
export interface ScopeRow extends ScopeResult {
  /** Display name: the unit's name, or "ministry". */
  name: string;
}

export interface IndicatorSection {
  id: string;
  tt: number;
  title: { vi: string; en: string };
  basis: string;
  target: number;
  due: string | null;
  ministry: ScopeRow;
  /** Every configured unit, worst first; units without members (no data) last. */
  units: ScopeRow[];
  /** Units whose ratio is below the target, worst first. */
  belowTarget: ScopeRow[];
  /** Members that fail the indicator, with reasons (live reports only). */
  failing: FailingMember[];
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
  /** The hosts' view: which hosts are not IPv6 ready. */
  reasons: string[];
  /** null: never probed from outside (then never ready). */
  outside: PortalOutside | null;
}

export interface AppendixReport {
  /** The evaluation the numbers come from (ISO time). */
  evaluatedAt: string;
  /** live: evaluated now over the current state; history: stored results at or before `requestedAt`. */
  source: 'live' | 'history';
  /** The --at time asked for, when source is history. */
  requestedAt: string | null;
  units: { id: string; name: string }[];
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

function section(ind: IndicatorResult, names: Map<string, string>, failing: FailingMember[]): IndicatorSection {
  const row = (s: ScopeResult): ScopeRow => ({ ...s, name: s.scope === 'ministry' ? 'ministry' : (names.get(s.scope) ?? s.scope) });
  const units = [...ind.units].sort(worstFirst).map(row);
  return {
    id: ind.id,
    tt: ind.tt,
    title: ind.title,
    basis: ind.basis,
    target: ind.target,
    due: ind.due,
    ministry: row(ind.ministry),
    units,
    belowTarget: units.filter((u) => u.met === false),
    failing,
  };
}

/** Portals (systems tagged `portal`) and whether every host that serves them is IPv6 ready. */
/**
 * The directive's numbered indicators first, by TT; then the supporting ones (TT 0: IPv6 of the
 * portals, agent coverage) in their rule-file order (a stable sort keeps it).
 */
const byTt = (a: { tt: number }, b: { tt: number }) => (a.tt || Infinity) - (b.tt || Infinity) || 0;

/** The rule whose per-system verdict says whether a portal is ready (rules/directive.rules.yaml). */
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
      const reasons = serving.length ? notReady.map((h) => `${h.hostname}: ${h.stale ? 'stale' : `IPv6 readiness ${h.ipv6Readiness ?? 'unknown'}`}`) : ['no agent reports serving this portal'];
      const o = outside.get(s.id);
      const view: PortalOutside | null = o ? { probedAt: new Date(o.probedAt).toISOString(), level: o.level, ready: o.ready, checks: o.checks.map((c) => ({ criterion: c.criterion, status: c.status })), blocking: o.blocking } : null;
      const ready = verdict === undefined || verdict === VERDICT.outOfScope ? (view?.ready ?? false) : verdict === VERDICT.pass;
      return { id: s.id, name: s.name, unit: s.unit, hosts: serving.length, readyHosts: serving.length - notReady.length, ready, reasons, outside: view };
    });
}

/** The report of a live evaluation, with its failing members and portals. */
export function liveReport(ev: Evaluation, portals: PortalStatus[], protectionPolicy: Reason | null = null, baseline: BaselineNote[] = []): AppendixReport {
  const names = new Map(ev.units.map((u) => [u.id, u.name]));
  return {
    evaluatedAt: ev.evaluatedAt,
    source: 'live',
    requestedAt: null,
    units: ev.units,
    indicators: [...ev.indicators].sort(byTt).map((i) => section(i, names, i.failing)),
    portalsNotReady: portals.filter((p) => !p.ready),
    protectionPolicy,
    baselineNotMet: baseline,
    portals,
  };
}

/** One stored row of `indicator_results`. */
export interface HistoryRow {
  evaluated_at: string;
  indicator: string;
  scope: string;
  pass: number;
  total: number;
  target: number;
}

/**
 * The report from the stored history of one evaluation. Titles, legal basis and TT come from
 * the current indicator definitions (`current`); an indicator that no longer exists keeps its id
 * as its title.
 */
export function historyReport(rows: HistoryRow[], requestedAt: string, current: Evaluation): AppendixReport {
  const names = new Map(current.units.map((u) => [u.id, u.name]));
  const byIndicator = new Map<string, HistoryRow[]>();
  for (const r of rows) byIndicator.set(r.indicator, [...(byIndicator.get(r.indicator) ?? []), r]);
  const meta = new Map(current.indicators.map((i) => [i.id, i]));
  const indicators = [...byIndicator].map(([id, rs]): IndicatorResult => {
    const target = rs[0]!.target;
    const scope = (r: HistoryRow): ScopeResult => {
      const ratio = r.total ? r.pass / r.total : null;
      const met = ratio === null ? null : ratio + 1e-9 >= target;
      const due = meta.get(id)?.due;
      // Overdue as of the requested time: the due date had passed and the target was not met.
      const overdue = Boolean(due && Date.parse(due) < Date.parse(requestedAt)) && met === false;
      return { scope: r.scope === 'ministry' ? 'ministry' : r.scope.replace(/^unit:/, ''), pass: r.pass, total: r.total, ratio, met, overdue };
    };
    const m = meta.get(id);
    const ministry = rs.find((r) => r.scope === 'ministry');
    return {
      id,
      tt: m?.tt ?? 0,
      title: m?.title ?? { vi: id, en: id },
      basis: m?.basis ?? '',
      target,
      due: m?.due ?? null,
      ministry: ministry ? scope(ministry) : { scope: 'ministry', pass: 0, total: 0, ratio: null, met: null, overdue: false },
      units: rs.filter((r) => r.scope.startsWith('unit:')).map(scope),
      systems: rs.filter((r) => r.scope.startsWith('system:')).map((r) => ({ ...scope(r), scope: r.scope.replace(/^system:/, '') })),
      population: m?.population ?? 'hosts',
      group: m?.group ?? '',
      pastDue: Boolean(m?.due && Date.parse(m.due) < Date.parse(requestedAt)),
      failing: [],
    };
  });
  return {
    evaluatedAt: rows[0]?.evaluated_at ?? requestedAt,
    source: 'history',
    requestedAt,
    units: current.units,
    indicators: indicators.sort(byTt).map((i) => section(i, names, [])),
    portalsNotReady: null,
    protectionPolicy: null,
    baselineNotMet: null,
    portals: null,
  };
}
