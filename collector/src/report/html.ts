/**
 * The appendix report as one printable HTML page (no scripts, no external assets): the
 * directive's table, the per-unit tables worst first, and the footnotes. Vietnamese by default.
 */
import { MAX_LISTED, T, actual, percent, reasons, scopeName, status, when } from './i18n.js';
import { BASELINE_INDICATOR, baselineNoteText } from './baseline-footnotes.js';
import type { AppendixReport, IndicatorSection, Lang, ScopeRow } from './model.js';
import { REASONS, renderReason } from '@posture/protocol';
import { PORTAL_T, portalHeader, portalRows } from './portals.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 13pt; margin: 2em; color: #000; }
h1 { font-size: 16pt; text-align: center; text-transform: uppercase; }
h2 { font-size: 14pt; margin-top: 1.5em; }
p.meta { text-align: center; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 4px 6px; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
tr.ministry td { font-weight: bold; }
td.notmet { color: #b00; font-weight: bold; white-space: nowrap; }
td.met { color: #060; white-space: nowrap; }
ul.footnote { font-size: 11pt; }
nav.formats { font-family: sans-serif; font-size: 10pt; text-align: right; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } nav.formats { display: none; } }
`;

const resultCell = (s: ScopeRow, lang: Lang) => `<td class="${s.met === null ? 'nodata' : s.met ? 'met' : 'notmet'}">${esc(status(s, lang))}</td>`;

function unitTable(ind: IndicatorSection, r: AppendixReport, lang: Lang): string {
  const t = T[lang];
  const rows = [ind.ministry, ...ind.units].map(
    (u) =>
      `<tr class="${u.scope === 'ministry' ? 'ministry' : 'unit'}" data-scope="${esc(u.scope)}"><td>${esc(scopeName(u, lang))}</td><td class="num">${esc(actual(u, lang))}</td><td class="num">${esc(percent(ind.target, lang))}</td>${resultCell(u, lang)}</tr>`,
  );
  const notes: string[] = [];
  if (ind.belowTarget.length) notes.push(`<p class="below"><b>${esc(t.below)}:</b> ${esc(ind.belowTarget.map((u) => `${u.name}: ${percent(u.ratio, lang)}`).join(', '))}.</p>`);
  if (ind.failing.length) {
    const unitName = (id: string) => r.units.find((u) => u.id === id)?.name ?? id;
    const items = ind.failing.slice(0, MAX_LISTED).map((f) => `<li>${esc(unitName(f.unit))} / <b>${esc(f.name)}</b>: ${esc(reasons(f.reasons, lang))}</li>`);
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
<table class="units"><thead><tr><th>${esc(t.unit)}</th><th>${esc(t.actual)}</th><th>${esc(t.target)}</th><th>${esc(t.result)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
${notes.join('\n')}
</section>`;
}

/** Links to the other languages and formats of the same report (screen only, not printed). */
function nav(r: AppendixReport, lang: Lang): string {
  const at = r.requestedAt ? `&amp;at=${encodeURIComponent(r.requestedAt)}` : '';
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  const links = [
    `<a href="/report?lang=${other}${at}" hreflang="${other}">${other === 'en' ? 'English' : 'Tiếng Việt'}</a>`,
    ...(['markdown', 'csv', 'json'] as const).map((f) => `<a href="/api/v1/report?format=${f}&amp;lang=${lang}${at}">${f.toUpperCase()}</a>`),
  ];
  return `<nav class="formats">${links.join(' · ')}</nav>`;
}

export function toHtml(r: AppendixReport, lang: Lang = 'vi'): string {
  const t = T[lang];
  const summary = r.indicators.map(
    (ind) =>
      `<tr data-indicator="${esc(ind.id)}"><td class="num">${ind.tt || '—'}</td><td>${esc(ind.title[lang])}</td><td>${esc(ind.basis)}</td><td class="num">${esc(percent(ind.target, lang))}</td><td class="num">${esc(actual(ind.ministry, lang))}</td>${resultCell(ind.ministry, lang)}</tr>`,
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
            `<li><b>${esc(p.name)}</b> (${esc(p.id)}, ${esc(r.units.find((u) => u.id === p.unit)?.name ?? p.unit)}): ${esc(p.outside ? pt.levels[p.outside.level] : pt.notProbed)}; ${p.readyHosts}/${p.hosts} ${esc(t.portalHosts)}${p.reasons.length ? `; ${esc(reasons(p.reasons, lang))}` : ''}</li>`,
        )
        .join('')}</ul></section>`
    : '';
  const meta = `${t.at}: ${when(r.evaluatedAt, lang)}${r.requestedAt ? ` (${t.requested} ${when(r.requestedAt, lang)})` : ''}`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(t.title)}</title><style>${CSS}</style></head>
<body>
${nav(r, lang)}
<h1>${esc(t.title)}</h1>
<p class="meta">${esc(meta)}</p>
${r.source === 'history' ? `<p class="meta">${esc(t.fromHistory)}</p>` : ''}
<table id="appendix"><thead><tr><th>${esc(t.tt)}</th><th>${esc(t.indicator)}</th><th>${esc(t.basis)}</th><th>${esc(t.target)}</th><th>${esc(t.actual)}</th><th>${esc(t.result)}</th></tr></thead>
<tbody>${summary.join('\n')}</tbody></table>
<h2>${esc(t.perUnit)}</h2>
${r.indicators.map((ind) => unitTable(ind, r, lang)).join('\n')}
${criteria}
${portals}
${r.protectionPolicy ? `<p class="meta" id="protection-policy">${esc(renderReason(r.protectionPolicy, lang, REASONS))}</p>` : ''}
</body></html>
`;
}
