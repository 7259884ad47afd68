/**
 * The directive's appendix table as Markdown: per indicator the ministry row, then per unit
 * sorted worst first, then footnotes (units below target, failing members with reasons,
 * portals not IPv6 ready).
 */
import { MAX_LISTED, T, actual, percent, reasons, scopeName, status, when } from './i18n.js';
import { BASELINE_INDICATOR, baselineNoteText } from './baseline-footnotes.js';
import type { AppendixReport, Lang } from './model.js';
import { REASONS, renderReason } from '@posture/protocol';
import { PORTAL_T, portalHeader, portalRows } from './portals.js';

export type { Lang } from './model.js';
export { percent } from './i18n.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function toMarkdown(r: AppendixReport, lang: Lang = 'vi'): string {
  const t = T[lang];
  const out: string[] = [`# ${t.title}`, '', `${t.at}: ${when(r.evaluatedAt, lang)}${r.requestedAt ? ` (${t.requested} ${when(r.requestedAt, lang)})` : ''}`, ''];
  if (r.source === 'history') out.push(`_${t.fromHistory}_`, '');
  out.push(`| ${t.tt} | ${t.indicator} | ${t.basis} | ${t.target} | ${t.actual} | ${t.result} |`, '|---|---|---|---|---|---|');
  for (const ind of r.indicators) {
    out.push(`| ${ind.tt || '—'} | ${cell(ind.title[lang])} | ${cell(ind.basis)} | ${percent(ind.target, lang)} | ${actual(ind.ministry, lang)} | ${status(ind.ministry, lang)} |`);
  }
  for (const ind of r.indicators) {
    out.push('', `## ${ind.tt ? `${ind.tt}. ` : ''}${ind.title[lang]}`, '', `| ${t.unit} | ${t.actual} | ${t.target} | ${t.result} |`, '|---|---|---|---|');
    for (const u of [ind.ministry, ...ind.units]) {
      const name = u.scope === 'ministry' ? `**${t.ministry}**` : cell(scopeName(u, lang));
      out.push(`| ${name} | ${actual(u, lang)} | ${percent(ind.target, lang)} | ${status(u, lang)} |`);
    }
    if (ind.belowTarget.length) out.push('', `${t.below}: ${ind.belowTarget.map((u) => `${u.name}: ${percent(u.ratio, lang)}`).join(', ')}.`);
    if (ind.failing.length) {
      out.push('', `${t.failing}:`);
      for (const f of ind.failing.slice(0, MAX_LISTED)) out.push(`- ${cell(r.units.find((u) => u.id === f.unit)?.name ?? f.unit)} / ${cell(f.name)}: ${cell(reasons(f.reasons, lang))}`);
      if (ind.failing.length > MAX_LISTED) out.push(`- … (+${ind.failing.length - MAX_LISTED})`);
    }
    const notes = ind.id === BASELINE_INDICATOR ? (r.baselineNotMet ?? []) : [];
    if (notes.length) {
      out.push('', `${t.baseline}:`);
      for (const n of notes.slice(0, MAX_LISTED)) out.push(`- ${cell(baselineNoteText(n, lang))}`);
      if (notes.length > MAX_LISTED) out.push(`- … (+${notes.length - MAX_LISTED})`);
    }
  }
  if (r.portals?.length) {
    // Every portal's outside criteria (report/portals.ts), then what blocks the ones not ready.
    const pt = PORTAL_T[lang];
    const rows = portalRows(r, lang);
    const header = portalHeader(lang);
    out.push('', `## ${pt.title}`, '', `_${pt.note}_`, '', `| ${header.map(cell).join(' | ')} |`, `|${'---|'.repeat(header.length)}`);
    for (const p of rows) out.push(`| ${[p.portal, p.unit, p.level, ...p.cells, p.hosts, p.probedAt].map(cell).join(' | ')} |`);
    const blocked = rows.filter((p) => p.blocking.length);
    if (blocked.length) {
      out.push('', `${pt.blocking}:`);
      for (const p of blocked) out.push(`- ${cell(p.portal)}: ${cell(p.blocking.join('; '))}`);
    }
  }
  if (r.portalsNotReady?.length) {
    out.push('', `## ${t.portals}`, '');
    for (const p of r.portalsNotReady)
      out.push(
        `- ${cell(p.name)} (${p.id}, ${cell(r.units.find((u) => u.id === p.unit)?.name ?? p.unit)}): ${p.outside ? PORTAL_T[lang].levels[p.outside.level] : PORTAL_T[lang].notProbed}; ${p.readyHosts}/${p.hosts} ${t.portalHosts}${p.reasons.length ? `; ${cell(reasons(p.reasons, lang))}` : ''}`,
      );
  }
  if (r.protectionPolicy) out.push('', `_${cell(renderReason(r.protectionPolicy, lang, REASONS))}_`);
  return out.join('\n') + '\n';
}
