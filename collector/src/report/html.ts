/**
 * The appendix report as one printable HTML page (no scripts, no external assets): the filing
 * header, the directive's table with the change since the compared evaluation and numbered
 * footnotes, then per indicator the unit table worst first, a bar chart of the units against
 * the target and the ministry-wide trend (inline SVG, charts.ts), and the failing members.
 */
import { barChart, trendChart } from './charts.js';
import { directiveLine, dueText, filingLine, footnotes, type Footnote } from './filed.js';
import { MAX_LISTED, T, actual, change, percent, reasonText, status, when } from './i18n.js';
import type { AppendixReport, IndicatorSection, Lang, ScopeRow } from './model.js';
import type { FailReason } from '../rules/reasons.js';
import { BASELINE_INDICATOR, baselineNoteText } from './baseline-footnotes.js';
import { REASONS, renderReason } from '@posture/protocol';
import { PORTAL_T, portalHeader, portalRows } from './portals.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 13pt; margin: 2em; color: #000; }
h1 { font-size: 16pt; text-align: center; text-transform: uppercase; margin-bottom: 0.2em; }
h2 { font-size: 14pt; margin-top: 1.5em; }
p.meta { text-align: center; font-style: italic; margin: 0.2em 0; }
p.filing { text-align: center; font-style: italic; margin: 0; }
p.issuer { font-weight: bold; text-transform: uppercase; margin: 0 0 0.8em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 4px 6px; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
table#appendix { table-layout: fixed; }
table#appendix col.tt { width: 5%; } table#appendix col.title { width: 28%; } table#appendix col.basis { width: 22%; }
table#appendix col.target { width: 12%; } table#appendix col.actual { width: 13%; } table#appendix col.change { width: 9%; } table#appendix col.result { width: 14%; }
table.units td.num { white-space: nowrap; }
tr.ministry td { font-weight: bold; }
td.notmet { font-weight: bold; }
sup.fn { font-size: 8pt; }
ol.footnotes { font-size: 11pt; }
ul.footnote { font-size: 11pt; }
q.evidence { font-style: italic; font-size: 10pt; }
div.charts { margin: 0.6em 0; }
svg.chart { display: block; margin: 0.4em 0; max-width: 100%; height: auto; }
nav.formats { font-family: sans-serif; font-size: 10pt; text-align: right; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } tr, svg.chart { page-break-inside: avoid; } nav.formats { display: none; } }
`;

const resultCell = (s: ScopeRow, lang: Lang) => `<td class="${s.met === null ? 'nodata' : s.met ? 'met' : 'notmet'}">${esc(status(s, lang))}${s.overdue ? ` (${esc(T[lang].overdue)})` : ''}</td>`;

const marks = (notes: Footnote[], id: string) =>
  notes
    .filter((n) => n.indicator === id)
    .map((n) => `<sup class="fn"><a href="#fn-${n.n}">(${n.n})</a></sup>`)
    .join('');

/** A reason in the reader's words; an agent's uncoded text follows as quoted evidence. */
const reasonHtml = (x: FailReason, lang: Lang) => esc(reasonText(x, lang)) + (x.evidence ? ` <q class="evidence" title="${esc(T[lang].evidence)}">${esc(x.evidence)}</q>` : '');

function unitTable(ind: IndicatorSection, r: AppendixReport, lang: Lang): string {
  const t = T[lang];
  const cmp = r.compare !== null;
  const due = dueText(ind, lang);
  const rows = [ind.ministry, ...ind.units].map(
    (u) =>
      `<tr class="${u.scope === 'ministry' ? 'ministry' : 'unit'}" data-scope="${esc(u.scope)}"><td>${esc(u.scope === 'ministry' ? t.ministry : u.shortName)}</td><td class="num">${esc(actual(u, lang))}</td>${
        cmp ? `<td class="num">${esc(percent(u.previous?.ratio ?? null, lang))}</td><td class="num change">${esc(change(u.changePoints, lang))}</td>` : ''
      }<td class="num">${esc(percent(ind.target, lang))}${due ? `<br><small>${esc(due)}</small>` : ''}</td>${resultCell(u, lang)}</tr>`,
  );
  const notes: string[] = [];
  if (ind.failing.length) {
    const unitName = (id: string) => r.units.find((u) => u.id === id)?.shortName ?? id;
    const items = ind.failing.slice(0, MAX_LISTED).map((f) => `<li>${esc(unitName(f.unit))} / <b>${esc(f.name)}</b>: ${f.reasons.map((x) => reasonHtml(x, lang)).join('; ')}</li>`);
    if (ind.failing.length > MAX_LISTED) items.push(`<li>… ${esc(t.more)} ${ind.failing.length - MAX_LISTED}</li>`);
    notes.push(`<p><b>${esc(t.failing)}:</b></p><ul class="footnote failing">${items.join('')}</ul>`);
  }
  const baseline = ind.id === BASELINE_INDICATOR ? (r.baselineNotMet ?? []) : [];
  if (baseline.length) {
    const items = baseline.slice(0, MAX_LISTED).map((n) => `<li data-system="${esc(n.id)}">${esc(baselineNoteText(n, lang))}</li>`);
    if (baseline.length > MAX_LISTED) items.push(`<li>… ${esc(t.more)} ${baseline.length - MAX_LISTED}</li>`);
    notes.push(`<p><b>${esc(t.baseline)}:</b></p><ul class="footnote baseline">${items.join('')}</ul>`);
  }
  return `<section class="indicator" id="ind-${esc(ind.id)}">
<h2>${ind.tt ? `${ind.tt}. ` : ''}${esc(ind.title[lang])}</h2>
<table class="units"><thead><tr><th>${esc(t.unit)}</th><th>${esc(t.actual)}</th>${cmp ? `<th>${esc(t.previous)}</th><th>${esc(t.change)}</th>` : ''}<th>${esc(t.target)}</th><th>${esc(t.result)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<div class="charts">${ind.units.length ? barChart(ind, lang) : ''}${trendChart(ind, lang)}</div>
${notes.join('\n')}
</section>`;
}

/** Links to the other languages and formats of the same report (screen only, not printed). */
function nav(r: AppendixReport, lang: Lang): string {
  const q = [r.requestedAt ? `at=${encodeURIComponent(r.requestedAt)}` : '', r.directive ? `directive=${encodeURIComponent(r.directive.id)}` : '']
    .filter(Boolean)
    .map((x) => `&amp;${x}`)
    .join('');
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  const links = [
    `<a href="/report?lang=${other}${q}" hreflang="${other}">${other === 'en' ? 'English' : 'Tiếng Việt'}</a>`,
    ...(['docx', 'markdown', 'csv', 'json'] as const).map((f) => `<a href="/api/v1/report?format=${f}&amp;lang=${lang}${q}">${f.toUpperCase()}</a>`),
  ];
  return `<nav class="formats">${links.join(' · ')}</nav>`;
}

export function toHtml(r: AppendixReport, lang: Lang = 'vi'): string {
  const t = T[lang];
  const notes = footnotes(r, lang);
  const cmp = r.compare !== null;
  const summary = r.indicators.map(
    (ind) =>
      `<tr data-indicator="${esc(ind.id)}"><td class="num">${ind.tt || '—'}</td><td>${esc(ind.title[lang])}</td><td>${esc(ind.basis)}</td><td class="num">${esc(percent(ind.target, lang))}${ind.due ? `<br><small>${esc(dueText(ind, lang))}</small>` : ''}</td><td class="num">${esc(actual(ind.ministry, lang))}${marks(notes, ind.id)}</td>${
        cmp ? `<td class="num change">${esc(change(ind.ministry.changePoints, lang))}</td>` : ''
      }${resultCell(ind.ministry, lang)}</tr>`,
  );
  const pt = PORTAL_T[lang];
  const prows = portalRows(r, lang);
  const criteria = prows.length
    ? `<section id="portal-criteria"><h2>${esc(pt.title)}</h2><p class="meta">${esc(pt.note)}</p><table class="portals"><thead><tr>${portalHeader(lang)
        .map((h) => `<th>${esc(h)}</th>`)
        .join('')}</tr></thead><tbody>${prows.map((p) => `<tr>${[p.portal, p.unit, p.level, ...p.cells, p.hosts, p.probedAt].map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>${
        prows.some((p) => p.blocking.length)
          ? `<p><b>${esc(pt.blocking)}:</b></p><ul class="footnote">${prows
              .filter((p) => p.blocking.length)
              .map((p) => `<li><b>${esc(p.portal)}</b>: ${esc(p.blocking.join('; '))}</li>`)
              .join('')}</ul>`
          : ''
      }</section>`
    : '';
  const portals = r.portalsNotReady?.length
    ? `<section id="portals"><h2>${esc(t.portals)}</h2><ul class="footnote">${r.portalsNotReady
        .map(
          (p) =>
            `<li><b>${esc(p.name)}</b> (${esc(p.id)}, ${esc(r.units.find((u) => u.id === p.unit)?.shortName ?? p.unit)}): ${esc(p.outside ? pt.levels[p.outside.level] : pt.notProbed)}; ${p.readyHosts}/${p.hosts} ${esc(t.portalHosts)}${p.reasons.length ? `; ${p.reasons.map((x) => reasonHtml(x, lang)).join('; ')}` : ''}</li>`,
        )
        .join('')}</ul></section>`
    : '';
  const meta = `${t.at}: ${when(r.evaluatedAt, lang)}${r.requestedAt ? ` (${t.requested} ${when(r.requestedAt, lang)})` : ''}`;
  const compared = r.compare ? `${t.compared} ${when(r.compare.evaluatedAt, lang)}` : t.noCompare;
  const filing = filingLine(r, lang);
  const directive = directiveLine(r, lang);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(t.title)}</title><style>${CSS}</style></head>
<body>
${nav(r, lang)}
${r.filing?.issuer ? `<p class="issuer">${esc(r.filing.issuer)}</p>` : ''}
<h1>${esc(t.title)}</h1>
${filing ? `<p class="filing">(${esc(filing)})</p>` : ''}
${directive ? `<p class="meta directive">${esc(directive)}</p>` : ''}
<p class="meta">${esc(meta)}</p>
<p class="meta compare">${esc(compared)}</p>
${r.source === 'history' ? `<p class="meta">${esc(t.fromHistory)}</p>` : ''}
<table id="appendix"><colgroup><col class="tt"><col class="title"><col class="basis"><col class="target"><col class="actual">${cmp ? '<col class="change">' : ''}<col class="result"></colgroup><thead><tr><th>${esc(t.tt)}</th><th>${esc(t.indicator)}</th><th>${esc(t.basis)}</th><th>${esc(t.target)}</th><th>${esc(t.actual)}</th>${cmp ? `<th>${esc(t.change)}</th>` : ''}<th>${esc(t.result)}</th></tr></thead>
<tbody>${summary.join('\n')}</tbody></table>
${notes.length ? `<p><b>${esc(t.notes)}:</b></p><ol class="footnotes">${notes.map((n) => `<li id="fn-${n.n}" value="${n.n}">${esc(n.text)}</li>`).join('')}</ol>` : ''}
<h2>${esc(t.perUnit)}</h2>
${r.indicators.map((ind) => unitTable(ind, r, lang)).join('\n')}
${criteria}
${portals}
${r.protectionPolicy ? `<p class="meta" id="protection-policy">${esc(renderReason(r.protectionPolicy, lang, REASONS))}</p>` : ''}
</body></html>
`;
}
