/**
 * The appendix as the ministry files it: the header line naming the letter it is attached to,
 * and numbered footnotes worded like the directive's own appendix ("Cục HHVN: 67,3%", "Các đơn
 * vị chưa trình phê duyệt hồ sơ: ..."), with the units' short names. Shared by the HTML,
 * Markdown and Word renderings so the three say the same.
 */
import { T, day, percent } from './i18n.js';
import type { AppendixReport, IndicatorSection, Lang } from './model.js';

export interface Footnote {
  /** 1, 2, ... in document order. */
  n: number;
  indicator: string;
  text: string;
}

/** Which system reasons make a unit appear in which footnote (codes, never words). */
const SYSTEM_NOTES = [
  { codes: ['SYSTEM_LEVEL_NOT_DETERMINED', 'SYSTEM_LEVEL_NOT_APPROVED'], label: 'notSubmitted' },
  { codes: ['SYSTEM_LEVEL_PENDING_APPROVAL'], label: 'pendingApproval' },
  { codes: ['SYSTEM_PLAN_NOT_DEPLOYED'], label: 'notDeployed' },
  { codes: ['SYSTEM_UNCLASSIFIED'], label: 'unclassified' },
] as const;

function notesOf(ind: IndicatorSection, r: AppendixReport, lang: Lang): string[] {
  const t = T[lang];
  const short = (id: string) => r.units.find((u) => u.id === id)?.shortName ?? id;
  const out: string[] = [];
  if (ind.belowTarget.length) out.push(`${t.belowNote}: ${ind.belowTarget.map((u) => `${u.shortName}: ${percent(u.ratio, lang)}`).join('; ')}.`);
  if (ind.population === 'systems') {
    for (const note of SYSTEM_NOTES) {
      const per = new Map<string, number>();
      for (const f of ind.failing) if (f.reasons.some((x) => (note.codes as readonly string[]).includes(x.code))) per.set(f.unit, (per.get(f.unit) ?? 0) + 1);
      // Units in the order of the table (worst first), as the directive's appendix lists them.
      const order = (u: string) => ind.units.findIndex((x) => x.scope === u);
      const listed = [...per].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
      if (listed.length) out.push(`${t[note.label]}: ${listed.map(([u, n]) => `${short(u)} (${n} ${t.systemsWord})`).join('; ')}.`);
    }
  }
  return out;
}

/** Every footnote of the report, numbered in the order of the indicators. */
export function footnotes(r: AppendixReport, lang: Lang): Footnote[] {
  const out: Footnote[] = [];
  for (const ind of r.indicators) for (const text of notesOf(ind, r, lang)) out.push({ n: out.length + 1, indicator: ind.id, text });
  return out;
}

/** "Kèm theo Văn bản số …/BGTVT-TTCNTT ngày … tháng … năm 2026"; null without report.filing. */
export function filingLine(r: AppendixReport, lang: Lang): string | null {
  if (!r.filing) return null;
  const t = T[lang];
  const year = new Date(Date.parse(r.evaluatedAt) + 7 * 3600_000).getUTCFullYear();
  const date = r.filing.documentDate ?? (lang === 'vi' ? `${t.dateBlank} ${year}` : `${t.dateBlank}${year}`);
  return `${t.attached} ${r.filing.documentNumber} ${t.dated} ${date}`;
}

/** "Đánh giá theo: Chỉ thị số 09/CT-TTg ... (ban hành 23/02/2024)". */
export function directiveLine(r: AppendixReport, lang: Lang): string | null {
  if (!r.directive) return null;
  return `${T[lang].directive}: ${r.directive.title[lang]}`;
}

/** "hạn 31/12/2022, quá hạn" for a row's target column. */
export function dueText(ind: IndicatorSection, lang: Lang): string {
  if (!ind.due) return '';
  const t = T[lang];
  return `${t.dueShort} ${day(ind.due, lang)}`;
}
