/**
 * The report from the stored history of one evaluation (`indicator_results`): counts and the
 * target in force then, not members. Titles, legal basis, TT and directive come from the
 * current indicator definitions; an indicator that no longer exists keeps its id as its title
 * and is counted as a supporting one.
 */
import type { Evaluation } from '../rules/engine.js';
import { isPastDue, type IndicatorResult, type ScopeResult } from '../rules/evaluate.js';
import type { IndicatorResultRow as HistoryRow } from '../store/indicator-results.js';
import { measuredIndicators, section, type AppendixReport, type ReportFrame } from './model.js';

export function historyReport(rows: HistoryRow[], requestedAt: string, current: Evaluation, frame: ReportFrame): AppendixReport {
  const units = new Map(frame.units.map((u) => [u.id, u]));
  const byIndicator = new Map<string, HistoryRow[]>();
  for (const r of rows) byIndicator.set(r.indicator, [...(byIndicator.get(r.indicator) ?? []), r]);
  const meta = new Map(current.indicators.map((i) => [i.id, i]));
  const at = new Date(requestedAt);
  const indicators = [...byIndicator].map(([id, rs]): IndicatorResult => {
    const target = rs[0]!.target;
    const m = meta.get(id);
    const pastDue = isPastDue(m?.due ?? null, at);
    const scope = (r: HistoryRow): ScopeResult => {
      const ratio = r.total ? r.pass / r.total : null;
      const met = ratio === null ? null : ratio + 1e-9 >= target;
      // Overdue as of the requested time: the due date had passed and the target was not met.
      return { scope: r.scope === 'ministry' ? 'ministry' : r.scope.replace(/^unit:/, ''), pass: r.pass, total: r.total, ratio, met, overdue: pastDue && met === false };
    };
    const ministry = rs.find((r) => r.scope === 'ministry');
    return {
      id,
      directive: m?.directive ?? null,
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
      pastDue,
      failing: [],
    };
  });
  return {
    evaluatedAt: rows[0]?.evaluated_at ?? requestedAt,
    source: 'history',
    requestedAt,
    directive: frame.directive,
    compare: null,
    compareNote: null,
    filing: frame.filing,
    units: frame.units,
    indicators: measuredIndicators(indicators, frame).map((i) => section(i, units, [])),
    portalsNotReady: null,
    protectionPolicy: null,
    baselineNotMet: null,
    portals: null,
  };
}
