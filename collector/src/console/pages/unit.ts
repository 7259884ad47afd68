/**
 * A unit: its figure on each indicator, the hosts (or systems) failing each one with the
 * reasons, its information systems, and its agents' coverage.
 */
import { badge, ratioCell, reasonList, statusCell } from '../components.js';
import type { ConsoleData } from '../data.js';
import { agentText, html, type Html } from '../html.js';
import { WORDS, fill, percent, when, yesNo } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';
import { byTt } from './overview.js';

/** Failing members listed per indicator before "and N more". */
export const MAX_FAILING_LISTED = 200;

export function unitPage(ctx: PageContext, data: ConsoleData, unitId: string): Html | undefined {
  const w = WORDS[ctx.lang];
  const unit = data.units().find((u) => u.id === unitId);
  if (!unit) return undefined;
  const view = data.evaluation();
  const failing = view.failingByUnit.get(unitId);
  const indicators = [...view.ev.indicators].sort(byTt);

  const figures = indicators.map((ind) => {
    const s = ind.units.find((u) => u.scope === unitId);
    return s
      ? html`<tr data-indicator="${ind.id}"><td><a href="#fail-${ind.id}">${ind.tt ? `${ind.tt}. ` : ''}${ind.title[ctx.lang]}</a></td>${ratioCell(s, ind.target, ctx.lang)}<td class="num">${percent(ind.target, ctx.lang)}</td>${statusCell(s, ctx.lang)}</tr>`
      : '';
  });

  // Since when each failing host is in its present verdict: the longest-failing come first.
  const failingHostIds = [...new Set(indicators.filter((i) => i.population === 'hosts').flatMap((i) => (failing?.get(i.id) ?? []).map((f) => f.id)))];
  const since = data.verdictSince(failingHostIds);
  const failingSections = indicators.map((ind) => {
    const isHosts = ind.population === 'hosts';
    const all = failing?.get(ind.id) ?? [];
    const list = isHosts ? [...all].sort((a, b) => (since.get(a.id) ?? '9').localeCompare(since.get(b.id) ?? '9')) : all;
    const shown = list.slice(0, MAX_FAILING_LISTED);
    const rows = shown.map((f) => {
      const h = isHosts ? view.hostById.get(f.id) : undefined;
      const link = isHosts ? `/console/hosts/${encodeURIComponent(f.id)}` : `/console/systems/${encodeURIComponent(f.id)}`;
      return html`<tr data-member="${f.id}"><td><a href="${link}">${agentText(f.name)}</a></td>${isHosts ? html`<td>${when(since.get(f.id), ctx.lang)}</td><td>${h ? when(h.lastSeen, ctx.lang) : '—'}${h?.stale ? html` ${badge(w.stale, 'warn')}` : ''}</td>` : ''}<td>${reasonList(f.reasons, ctx.lang)}</td></tr>`;
    });
    return html`<section class="card failing" id="fail-${ind.id}" data-indicator="${ind.id}">
<h3>${isHosts ? w.failingHosts : w.failingSystems}: ${ind.tt ? `${ind.tt}. ` : ''}${ind.title[ctx.lang]} <span class="none">(${list.length})</span></h3>
${list.length ? html`<table><thead><tr><th>${isHosts ? w.hostname : w.name}</th>${isHosts ? html`<th>${w.failingSince}</th><th>${w.lastSeen}</th>` : ''}<th>${w.reasons}</th></tr></thead><tbody>${rows}</tbody></table>${list.length > shown.length ? html`<p class="none">… ${fill(w.andMore, { n: list.length - shown.length })}</p>` : ''}` : html`<p class="none">${w.none}</p>`}
</section>`;
  });

  const systemsFail = view.failingById.get('systems_classified');
  const systems = view.systemsByUnit.get(unitId) ?? [];
  const systemRows = systems.map(
    (s) =>
      html`<tr data-system="${s.id}"><td><a href="/console/systems/${encodeURIComponent(s.id)}">${agentText(s.id)}</a></td><td>${agentText(s.name)}</td><td class="num">${s.level ?? '—'}</td><td>${yesNo(s.approved, ctx.lang)}</td><td>${yesNo(s.planDeployed, ctx.lang)}</td><td class="num">${s.hosts}</td><td>${s.registered ? '' : badge(w.unclassified, 'bad')} ${systemsFail ? (systemsFail.has(s.id) ? badge(w.notMet, 'bad') : badge(w.met, 'ok')) : ''}</td></tr>`,
  );

  const counted = view.hostCounts.get(unitId) ?? { total: 0, stale: 0 };
  const staleCount = counted.stale;
  const cov = data.coverage(unitId);
  const covInd = view.ev.indicators.find((i) => i.id === 'agent_coverage')?.units.find((u) => u.scope === unitId);

  const body = html`<p class="meta">${w.evaluatedAt} <b>${when(view.ev.evaluatedAt, ctx.lang)}</b>. ${w.lastEvaluationNote}</p>
<section class="card"><table><thead><tr><th>${w.indicator}</th><th class="num">${w.actual}</th><th class="num">${w.target}</th><th>${w.result}</th></tr></thead><tbody>${figures}</tbody></table></section>
<section class="card" id="coverage"><h2>${w.coverage}</h2>
<dl class="facts"><dt>${w.enrolled}</dt><dd>${cov.enrolled}</dd><dt>${w.revoked}</dt><dd>${cov.revoked}</dd><dt>${w.neverReported}</dt><dd>${cov.neverReported}</dd>
<dt>${w.reporting}</dt><dd>${counted.total - staleCount}/${counted.total}${covInd?.ratio !== undefined && covInd.ratio !== null ? html` (${percent(covInd.ratio, ctx.lang)})` : ''}</dd><dt>${w.staleHosts}</dt><dd>${staleCount}</dd></dl></section>
${failingSections}
<section class="card" id="systems"><h2>${w.systemsOfUnit}</h2>${systems.length ? html`<table><thead><tr><th>ID</th><th>${w.name}</th><th class="num">${w.level}</th><th>${w.approval}</th><th>${w.planDeployed}</th><th class="num">${w.hosts}</th><th></th></tr></thead><tbody>${systemRows}</tbody></table>` : html`<p class="none">${w.none}</p>`}</section>`;
  return layout(ctx, 'overview', `${w.unit}: ${unit.name}`, body);
}
