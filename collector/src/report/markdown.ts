/**
 * The directive's appendix table as Markdown: the filing header, the summary with the change
 * since the compared evaluation and numbered footnotes, then per indicator the ministry row and
 * the units worst first, and the failing members with reasons (portals not IPv6 ready last).
 */
import { directiveLine, dueText, filingLine, footnotes } from './filed.js';
import { MAX_LISTED, T, actual, change, percent, reasons, status, when } from './i18n.js';
import { BASELINE_INDICATOR, baselineNoteText } from './baseline-footnotes.js';
import type { AppendixReport, Lang } from './model.js';
import { REASONS, renderReason } from '@posture/protocol';
import { PORTAL_T, portalHeader, portalRows } from './portals.js';

export type { Lang } from './model.js';
export { percent } from './i18n.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function toMarkdown(r: AppendixReport, lang: Lang = 'vi'): string {
  const t = T[lang];
  const notes = footnotes(r, lang);
  const cmp = r.compare !== null;
  const out: string[] = [];
  if (r.filing?.issuer) out.push(`**${r.filing.issuer}**`, '');
  out.push(`# ${t.title}`, '');
  const filing = filingLine(r, lang);
  if (filing) out.push(`_(${filing})_`, '');
  const directive = directiveLine(r, lang);
  if (directive) out.push(directive, '');
  out.push(`${t.at}: ${when(r.evaluatedAt, lang)}${r.requestedAt ? ` (${t.requested} ${when(r.requestedAt, lang)})` : ''}`, '');
  out.push(r.compare ? `${t.compared} ${when(r.compare.evaluatedAt, lang)}` : t.noCompare, '');
  if (r.source === 'history') out.push(`_${t.fromHistory}_`, '');
  out.push(`| ${t.tt} | ${t.indicator} | ${t.basis} | ${t.target} | ${t.actual} |${cmp ? ` ${t.change} |` : ''} ${t.result} |`, `|---|---|---|---|---|${cmp ? '---|' : ''}---|`);
  for (const ind of r.indicators) {
    const fn = notes
      .filter((n) => n.indicator === ind.id)
      .map((n) => ` (${n.n})`)
      .join('');
    const due = dueText(ind, lang);
    out.push(
      `| ${ind.tt || '—'} | ${cell(ind.title[lang])} | ${cell(ind.basis)} | ${percent(ind.target, lang)}${due ? ` (${due})` : ''} | ${actual(ind.ministry, lang)}${fn} |${cmp ? ` ${change(ind.ministry.changePoints, lang)} |` : ''} ${status(ind.ministry, lang)}${ind.ministry.overdue ? ` (${t.overdue})` : ''} |`,
    );
  }
  if (notes.length) {
    out.push('', `${t.notes}:`, '');
    for (const n of notes) out.push(`(${n.n}) ${n.text}`, '');
    out.pop();
  }
  for (const ind of r.indicators) {
    out.push('', `## ${ind.tt ? `${ind.tt}. ` : ''}${ind.title[lang]}`, '');
    out.push(`| ${t.unit} | ${t.actual} |${cmp ? ` ${t.previous} | ${t.change} |` : ''} ${t.target} | ${t.result} |`, `|---|---|${cmp ? '---|---|' : ''}---|---|`);
    for (const u of [ind.ministry, ...ind.units]) {
      const name = u.scope === 'ministry' ? `**${t.ministry}**` : cell(u.shortName);
      out.push(`| ${name} | ${actual(u, lang)} |${cmp ? ` ${percent(u.previous?.ratio ?? null, lang)} | ${change(u.changePoints, lang)} |` : ''} ${percent(ind.target, lang)} | ${status(u, lang)}${u.overdue ? ` (${t.overdue})` : ''} |`);
    }
    if (ind.failing.length) {
      out.push('', `${t.failing}:`);
      for (const f of ind.failing.slice(0, MAX_LISTED)) out.push(`- ${cell(r.units.find((u) => u.id === f.unit)?.shortName ?? f.unit)} / ${cell(f.name)}: ${cell(reasons(f.reasons, lang))}`);
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
        `- ${cell(p.name)} (${p.id}, ${cell(r.units.find((u) => u.id === p.unit)?.shortName ?? p.unit)}): ${p.outside ? PORTAL_T[lang].levels[p.outside.level] : PORTAL_T[lang].notProbed}; ${p.readyHosts}/${p.hosts} ${t.portalHosts}${p.reasons.length ? `; ${cell(reasons(p.reasons, lang))}` : ''}`,
      );
  }
  if (r.protectionPolicy) out.push('', `_${cell(renderReason(r.protectionPolicy, lang, REASONS))}_`);
  return out.join('\n') + '\n';
}
