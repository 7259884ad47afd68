/**
 * The appendix table as CSV (RFC 4180, UTF-8 with BOM so that Excel shows Vietnamese text):
 * one row per indicator and scope (`scope` is `ministry` or the unit id), the ministry first, then units worst first. Column names are
 * stable English ids for spreadsheets and scripts; `ratio` and `target` are plain decimals,
 * `actual` is the localized percentage.
 */
import { percent, scopeName, status } from './i18n.js';
import type { AppendixReport, Lang } from './model.js';

export const CSV_COLUMNS = ['tt', 'indicator', 'title', 'basis', 'scope', 'unit', 'pass', 'total', 'ratio', 'actual', 'target', 'met', 'result', 'evaluated_at'] as const;

const field = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

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
        s.ratio === null ? null : Number(s.ratio.toFixed(6)),
        percent(s.ratio, lang),
        ind.target,
        s.met === null ? null : s.met ? 1 : 0,
        status(s, lang),
        r.evaluatedAt,
      ];
      lines.push(row.map(field).join(','));
    }
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
