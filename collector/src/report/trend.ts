/**
 * The comparison with an earlier period and the trend lines, both from stored evaluations
 * (`indicator_results`): the report's figures are never recomputed another way. The ministry's
 * own reports compare with the end of an earlier period ("so với 6 tháng đầu năm 2022, tỷ lệ
 * ... tăng khoảng 8,6%"); the default here is the end of the previous quarter.
 */
import type { IndicatorResultRow as HistoryRow, SeriesPoint } from '../store/indicator-results.js';
import type { AppendixReport, ScopeRow } from './model.js';

const VN = 7 * 3600_000;

/** The last instant of the quarter before the one `at` falls in, in Vietnam time (UTC+7). */
export function previousQuarterEnd(at: Date): Date {
  const vn = new Date(at.getTime() + VN);
  const quarterStart = Date.UTC(vn.getUTCFullYear(), Math.floor(vn.getUTCMonth() / 3) * 3, 1);
  return new Date(quarterStart - VN - 1);
}

/** The change of a ratio in percentage points, to one decimal as printed; null without both figures. */
export function changePoints(now: number | null, before: number | null): number | null {
  if (now === null || before === null) return null;
  return Math.round((now - before) * 1000) / 10;
}

/** Set each row's figure at the compared evaluation and its change since. */
export function applyComparison(r: AppendixReport, rows: readonly HistoryRow[], compareEvaluatedAt: string, requestedAt: string): AppendixReport {
  const key = (indicator: string, scope: string) => `${indicator}\u0000${scope}`;
  const prev = new Map(rows.map((x) => [key(x.indicator, x.scope), x]));
  const withPrevious = (indicator: string, s: ScopeRow): ScopeRow => {
    const p = prev.get(key(indicator, s.scope === 'ministry' ? 'ministry' : `unit:${s.scope}`));
    if (!p) return { ...s, previous: null, changePoints: null };
    const ratio = p.total ? p.pass / p.total : null;
    return { ...s, previous: { pass: p.pass, total: p.total, ratio }, changePoints: changePoints(s.ratio, ratio) };
  };
  return {
    ...r,
    compare: { evaluatedAt: compareEvaluatedAt, requestedAt },
    indicators: r.indicators.map((ind) => {
      const units = ind.units.map((u) => withPrevious(ind.id, u));
      return { ...ind, ministry: withPrevious(ind.id, ind.ministry), units, belowTarget: units.filter((u) => u.met === false) };
    }),
  };
}

/** Each indicator's ministry-wide trend: the stored daily points, then this report's own figure. */
export function applyTrend(r: AppendixReport, series: readonly SeriesPoint[]): AppendixReport {
  const by = new Map<string, SeriesPoint[]>();
  for (const p of series) by.set(p.indicator, [...(by.get(p.indicator) ?? []), p]);
  return {
    ...r,
    indicators: r.indicators.map((ind) => {
      const points = (by.get(ind.id) ?? []).filter((p) => p.at < r.evaluatedAt).map((p) => ({ at: p.at, ratio: p.total ? p.pass / p.total : null }));
      return { ...ind, trend: [...points, { at: r.evaluatedAt, ratio: ind.ministry.ratio }] };
    }),
  };
}
