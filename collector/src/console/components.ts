/** Small pieces several pages use: status, ratio bar, trend sparkline, reasons, pager, audit table. */
import type { StoredReason } from '../store/host-verdicts.js';
import { agentText, html, type Html } from './html.js';
import { WORDS, fill, percent, reasonText, when, type Lang } from './i18n.js';
import type { AuditRecord, TrendPoint } from './types.js';

export interface Figure {
  pass: number;
  total: number;
  ratio: number | null;
  met: boolean | null;
  overdue?: boolean;
}

export const statusCell = (s: Figure, lang: Lang): Html => {
  const w = WORDS[lang];
  if (s.met === null) return html`<td class="nodata">${w.noData}</td>`;
  return s.met ? html`<td class="met">${w.met}</td>` : html`<td class="notmet">${w.notMet}${s.overdue ? html` (${w.overdue})` : ''}</td>`;
};

/** "85,7% (6/7)" with a bar; the bar is a <meter> (no inline style needed). */
export const ratioCell = (s: Figure, target: number, lang: Lang): Html =>
  html`<td class="num">${percent(s.ratio, lang)} <span class="none">(${s.pass}/${s.total})</span> ${s.ratio === null ? '' : html`<meter min="0" max="1" low="${target}" optimum="1" value="${s.ratio.toFixed(4)}"></meter>`}</td>`;

/** A sparkline of the ratio over the samples, with the target as a dashed line. */
export function sparkline(points: readonly TrendPoint[] | undefined, target: number, lang: Lang): Html {
  const usable = (points ?? []).filter((p) => p.total > 0);
  if (usable.length < 2) return html`<span class="none">${usable.length === 1 ? percent(usable[0]!.pass / usable[0]!.total, lang) : '—'}</span>`;
  const W = 120;
  const H = 30;
  const y = (r: number) => (H - 2 - r * (H - 4)).toFixed(1);
  const step = W / (usable.length - 1);
  const pts = usable.map((p, i) => `${(i * step).toFixed(1)},${y(p.pass / p.total)}`).join(' ');
  // The first and last samples name the span; every sample's value is in the tooltip.
  const label = `${shortDate(usable[0]!.at, lang)} ${percent(usable[0]!.pass / usable[0]!.total, lang)} → ${shortDate(usable.at(-1)!.at, lang)} ${percent(usable.at(-1)!.pass / usable.at(-1)!.total, lang)}`;
  const values = usable.map((p) => percent(p.pass / p.total, lang)).join(' ');
  return html`<svg class="spark" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}"><title>${label}: ${values}</title><line class="target" x1="0" x2="${W}" y1="${y(target)}" y2="${y(target)}"></line><polyline class="value" points="${pts}"></polyline></svg> <span class="none">${percent(usable[0]!.pass / usable[0]!.total, lang)} → ${percent(usable.at(-1)!.pass / usable.at(-1)!.total, lang)}</span>`;
}

/** dd/mm (vi) or mm-dd (en) in Vietnam time. */
const shortDate = (iso: string, lang: Lang): string => {
  const w = when(iso, lang);
  return lang === 'vi' ? w.slice(0, 5) : w.slice(5, 10);
};

export const reasonList = (reasons: readonly StoredReason[], lang: Lang): Html => (reasons.length ? html`<ul class="reasons">${reasons.map((r) => html`<li>${agentText(reasonText(r, lang), 400)}</li>`)}</ul>` : html`<span class="none">—</span>`);

/** "Showing 200 of 1,234" and links to the previous and next pages. */
export function pager(lang: Lang, total: number, offset: number, limit: number, href: (offset: number) => string): Html {
  const w = WORDS[lang];
  if (total <= limit) return html``;
  return html`<nav class="pages"><span>${fill(w.showing, { shown: `${offset + 1}–${Math.min(total, offset + limit)}`, total })}</span>${offset > 0 ? html`<a href="${href(Math.max(0, offset - limit))}">${w.prev}</a>` : ''}${offset + limit < total ? html`<a href="${href(offset + limit)}">${w.next}</a>` : ''}</nav>`;
}

export function auditTable(records: readonly AuditRecord[], lang: Lang): Html {
  const w = WORDS[lang];
  if (!records.length) return html`<p class="none">${w.none}</p>`;
  return html`<table class="audit"><thead><tr><th>${w.at}</th><th>${w.actor}</th><th>${w.action}</th><th>${w.subject}</th><th>${w.detail}</th></tr></thead><tbody>${records.map(
    (r) => html`<tr><td>${when(r.at, lang)}</td><td>${agentText(r.actor)}</td><td>${r.action}</td><td>${agentText(r.subject)}</td><td>${agentText(JSON.stringify(r.detail), 300)}</td></tr>`,
  )}</tbody></table>`;
}

export const badge = (text: string, kind: 'ok' | 'bad' | 'warn' | 'muted'): Html => html`<span class="badge ${kind}">${text}</span>`;

/** Query string from the defined params. */
export const qs = (params: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams(
    Object.entries(params)
      .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
      .map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  return s ? `?${s}` : '';
};
