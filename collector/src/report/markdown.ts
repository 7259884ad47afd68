/**
 * The directive's appendix table as Markdown: per indicator the ministry row, then per unit
 * sorted worst first, then footnotes (units below target, failing members with reasons).
 */
import type { Evaluation } from '../rules/engine.js';
import type { ScopeResult } from '../rules/evaluate.js';

export type Lang = 'vi' | 'en';

const T = {
  vi: { tt: 'TT', indicator: 'Chỉ tiêu', basis: 'Căn cứ', target: 'Mục tiêu', actual: 'Thực tế', met: 'Đạt', notMet: 'Chưa đạt', noData: 'Chưa có dữ liệu', unit: 'Đơn vị', ministry: 'Toàn Bộ', below: 'Đơn vị chưa đạt', failing: 'Chưa đạt', title: 'Phụ lục: tình hình thực hiện các chỉ tiêu', at: 'Số liệu tại' },
  en: { tt: 'No.', indicator: 'Indicator', basis: 'Legal basis', target: 'Target', actual: 'Actual', met: 'Met', notMet: 'Not met', noData: 'No data', unit: 'Unit', ministry: 'Ministry-wide', below: 'Units below target', failing: 'Not meeting', title: 'Appendix: status of the indicators', at: 'Status at' },
};

/** 0.673 -> "67,3%" (vi) or "67.3%" (en). */
export function percent(r: number | null, lang: Lang): string {
  if (r === null) return '—';
  const s = (Math.round(r * 1000) / 10).toFixed(1).replace(/\.0$/, '');
  return `${lang === 'vi' ? s.replace('.', ',') : s}%`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const status = (s: ScopeResult, lang: Lang) => (s.met === null ? T[lang].noData : s.met ? T[lang].met : T[lang].notMet);

/** Worst first; no-data scopes last. */
export const worstFirst = (a: ScopeResult, b: ScopeResult) => (a.ratio ?? 2) - (b.ratio ?? 2) || a.scope.localeCompare(b.scope);

export function toMarkdown(ev: Evaluation, lang: Lang = 'vi'): string {
  const t = T[lang];
  const name = new Map(ev.units.map((u) => [u.id, u.name]));
  const out: string[] = [`# ${t.title}`, '', `${t.at}: ${ev.evaluatedAt}`, ''];
  out.push(`| ${t.tt} | ${t.indicator} | ${t.basis} | ${t.target} | ${t.actual} | ${t.met} |`, '|---|---|---|---|---|---|');
  for (const ind of ev.indicators) {
    const m = ind.ministry;
    out.push(`| ${ind.tt} | ${cell(ind.title[lang])} | ${cell(ind.basis)} | ${percent(ind.target, lang)} | ${percent(m.ratio, lang)} (${m.pass}/${m.total}) | ${status(m, lang)} |`);
  }
  for (const ind of ev.indicators) {
    out.push('', `## ${ind.tt}. ${ind.title[lang]}`, '', `| ${t.unit} | ${t.actual} | ${t.target} | ${t.met} |`, '|---|---|---|---|');
    out.push(`| **${t.ministry}** | ${percent(ind.ministry.ratio, lang)} (${ind.ministry.pass}/${ind.ministry.total}) | ${percent(ind.target, lang)} | ${status(ind.ministry, lang)} |`);
    for (const u of [...ind.units].sort(worstFirst)) {
      out.push(`| ${cell(name.get(u.scope) ?? u.scope)} | ${percent(u.ratio, lang)} (${u.pass}/${u.total}) | ${percent(ind.target, lang)} | ${status(u, lang)} |`);
    }
    const below = ind.units.filter((u) => u.met === false).sort(worstFirst);
    if (below.length) out.push('', `${t.below}: ${below.map((u) => `${name.get(u.scope) ?? u.scope}: ${percent(u.ratio, lang)}`).join(', ')}.`);
    if (ind.failing.length) {
      out.push('', `${t.failing}:`);
      for (const f of ind.failing.slice(0, 200)) out.push(`- ${cell(name.get(f.unit) ?? f.unit)} / ${cell(f.name)}: ${cell(f.reasons.join('; '))}`);
      if (ind.failing.length > 200) out.push(`- … (+${ind.failing.length - 200})`);
    }
  }
  return out.join('\n') + '\n';
}
