/**
 * The appendix table as CSV (RFC 4180, UTF-8 with BOM so that Excel shows Vietnamese text):
 * one row per indicator and scope (`scope` is `ministry` or the unit id), the ministry first, then units worst first. Column names are
 * stable English ids for spreadsheets and scripts (new ones are only ever added at the end);
 * `ratio`, `target` and `previous_ratio` are plain decimals, `actual` is the localized
 * percentage; `due` is the target's due date, `overdue` 1 when it passed unmet; `directive` the
 * directive the indicator's target comes from (empty: a supporting indicator); `previous_ratio`
 * and `change_points` compare with the evaluation at `compared_with` (empty: no comparison).
 */
import { percent, scopeName, status } from './i18n.js';
import type { AppendixReport, Lang } from './model.js';

export const CSV_COLUMNS = [
  'tt',
  'indicator',
  'title',
  'basis',
  'scope',
  'unit',
  'pass',
  'total',
  'ratio',
  'actual',
  'target',
  'met',
  'result',
  'evaluated_at',
  'due',
  'overdue',
  'directive',
  'previous_ratio',
  'change_points',
  'compared_with',
] as const;

const field = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const decimal = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Number(x.toFixed(6)));

export function toCsv(r: AppendixReport, lang: Lang = 'vi'): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const ind of r.indicators) {
    for (const s of [ind.ministry, ...ind.units]) {
      const row = [
        ind.tt,
        ind.id,
        ind.title[lang],
        ind.basis,
        s.scope,
        scopeName(s, lang),
        s.pass,
        s.total,
        decimal(s.ratio),
        percent(s.ratio, lang),
        ind.target,
        s.met === null ? null : s.met ? 1 : 0,
        status(s, lang),
        r.evaluatedAt,
        ind.due,
        s.overdue ? 1 : 0,
        ind.directive,
        decimal(s.previous?.ratio),
        s.changePoints === null ? null : Number(s.changePoints.toFixed(2)),
        r.compare?.evaluatedAt ?? null,
      ];
      lines.push(row.map(field).join(','));
    }
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
