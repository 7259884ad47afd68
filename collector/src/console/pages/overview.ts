/**
 * Overview: each indicator against its target, ministry-wide and per unit (worst first), with
 * the trend from the stored indicator results. A unit's name leads to its page.
 */
import { ratioCell, sparkline, statusCell } from '../components.js';
import type { ConsoleData } from '../data.js';
import { html, type Html } from '../html.js';
import { WORDS, percent, when } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';
import type { IndicatorResult } from '../types.js';

const TREND_DAYS = 14;

/** The directive's numbered indicators first (by TT), then the supporting ones, as in the report. */
export const byTt = (a: IndicatorResult, b: IndicatorResult): number => (a.tt || Infinity) - (b.tt || Infinity);

/** Worst first; no data last (the report's order). */
const worstFirst = (a: { ratio: number | null; scope: string }, b: { ratio: number | null; scope: string }) => (a.ratio ?? 2) - (b.ratio ?? 2) || a.scope.localeCompare(b.scope);

export function overviewPage(ctx: PageContext, data: ConsoleData): Html {
  const w = WORDS[ctx.lang];
  const { ev } = data.evaluation();
  const trends = data.trend(TREND_DAYS);
  const names = new Map(ev.units.map((u) => [u.id, u.name]));
  const sections = [...ev.indicators].sort(byTt).map((ind) => {
    const trend = trends.get(ind.id);
    const rows = [...ind.units]
      .sort(worstFirst)
      .map(
        (u) =>
          html`<tr class="unit${u.met === false ? ' below' : ''}" data-unit="${u.scope}"><td><a href="/console/units/${encodeURIComponent(u.scope)}">${names.get(u.scope) ?? u.scope}</a></td>${ratioCell(u, ind.target, ctx.lang)}${statusCell(u, ctx.lang)}<td>${sparkline(trend?.get(`unit:${u.scope}`), ind.target, ctx.lang)}</td></tr>`,
      );
    return html`<section class="card indicator" id="ind-${ind.id}" data-indicator="${ind.id}">
<h2>${ind.tt ? `${ind.tt}. ` : ''}${ind.title[ctx.lang]}</h2>
<p class="meta">${w.target}: <b>${percent(ind.target, ctx.lang)}</b>${ind.due ? html` · ${w.due}: ${ind.due}` : ''} · ${ind.basis}</p>
<table><thead><tr><th>${w.unit}</th><th class="num">${w.actual}</th><th>${w.result}</th><th>${w.trend}</th></tr></thead>
<tbody><tr class="ministry"><td><b>${w.ministry}</b></td>${ratioCell(ind.ministry, ind.target, ctx.lang)}${statusCell(ind.ministry, ctx.lang)}<td>${sparkline(trend?.get('ministry'), ind.target, ctx.lang)}</td></tr>
${rows}</tbody></table>
</section>`;
  });
  const body = html`<p class="meta">${w.evaluatedAt} <b id="evaluated-at">${when(ev.evaluatedAt, ctx.lang)}</b>. ${w.lastEvaluationNote}</p>${sections}`;
  return layout(ctx, 'overview', w.overview, body);
}
