/**
 * A host: its state (active, stale, decommissioned), the verdict the last evaluation gave it and
 * the indicators it fails with their reasons, its verdict history, and the latest facts and
 * evidence of each probe as the agent sent them. Admins can decommission it (with a reason).
 */
import type { Report } from '@posture/protocol';
import { auditTable, badge, reasonList } from '../components.js';
import type { ConsoleData } from '../data.js';
import { agentText, html, type Html } from '../html.js';
import { WORDS, reasonText, when, yesNo, type Lang } from '../i18n.js';
import { csrfField, isAdmin, layout, type PageContext } from '../layout.js';
import { byTt } from './overview.js';

type Probes = Report['probes'];

const probeError = (p: { ok: false; error: { code: string; message: string } }, lang: Lang) => html`<p class="error">${WORDS[lang].probeFailed}: <b>${agentText(p.error.code)}</b> ${agentText(p.error.message, 400)}</p>`;

/**
 * Reasons an agent sent: as catalogue codes rendered in the page's language when it sent them
 * (agents since the reason catalogue), else its text as sent.
 */
function codedReasons(codes: readonly { code: string; params?: Record<string, string | number | boolean> }[] | undefined, texts: readonly string[], lang: Lang): Html {
  if (codes?.length) return html`${codes.map((r, i) => html`${i ? '; ' : ''}${agentText(reasonText(r, lang), 400)}`)}`;
  return agentText(texts.join('; '), 600);
}

function hostFacts(p: Probes['host'], lang: Lang): Html {
  const w = WORDS[lang];
  if (!p.ok) return probeError(p, lang);
  const f = p.facts;
  return html`<dl class="facts"><dt>${w.hostname}</dt><dd>${agentText(f.hostname)}</dd><dt>FQDN</dt><dd>${agentText(f.fqdn)}</dd>
<dt>${w.os}</dt><dd>${agentText(`${f.os.distro} ${f.os.release} (${f.os.family}, ${f.os.kernel}, ${f.os.arch})`, 300)}</dd>
<dt>${w.role}</dt><dd>${f.role} (${f.roleSource})</dd><dt>${w.ips}</dt><dd>${agentText(f.ips.join(', '), 400)}</dd>
<dt>${w.uptime}</dt><dd>${Math.round(f.uptimeSeconds / 3600)} h</dd><dt>${w.agent}</dt><dd>${agentText(f.agentVersion)}</dd></dl>`;
}

function protectionFacts(p: Probes['protection'], lang: Lang): Html {
  const w = WORDS[lang];
  if (!p) return html`<p class="none">—</p>`;
  if (!p.ok) return probeError(p, lang);
  const rows = p.facts.products.map(
    (x) =>
      html`<tr data-product="${x.id}"><td>${agentText(x.name)} <span class="none">(${agentText(x.vendor)})</span></td><td>${agentText(x.version)}</td><td>${yesNo(x.installed, lang)}</td><td>${yesNo(x.running, lang)}</td><td>${yesNo(x.realTime, lang)}</td><td class="num">${x.signatureAgeHours === null ? w.unknown : Math.round(x.signatureAgeHours)}</td><td>${x.protects ? badge(w.yes, 'ok') : badge(w.no, 'bad')}</td><td><ul class="reasons">${x.evidence.map((e) => html`<li>${agentText(e, 300)}</li>`)}${x.unknown.map((u) => html`<li>${w.unknown}: ${agentText(u.field)}: ${u.reasonCode ? html`${agentText(reasonText(u.reasonCode, lang), 300)} <span class="none">(${agentText(u.reason, 300)})</span>` : agentText(u.reason, 300)}</li>`)}</ul></td></tr>`,
  );
  return html`<table><thead><tr><th>${w.products}</th><th>${w.version}</th><th>${w.installed}</th><th>${w.running}</th><th>${w.realTime}</th><th class="num">${w.signatureAge}</th><th>${w.protected}</th><th>${w.evidence}</th></tr></thead><tbody>${rows.length ? rows : html`<tr><td colspan="8" class="none">${w.none}</td></tr>`}</tbody></table>
<p class="meta" id="protection-reasons">${w.reasons} (${w.agent}): ${codedReasons(p.facts.reasonCodes, p.facts.reasons, lang)}</p>`;
}

function ipv6Facts(p: Probes['ipv6'], lang: Lang): Html {
  const w = WORDS[lang];
  if (!p) return html`<p class="none">—</p>`;
  if (!p.ok) return probeError(p, lang);
  const f = p.facts;
  return html`<dl class="facts"><dt>${w.readiness}</dt><dd><b>${f.readiness}</b></dd><dt>${w.addresses}</dt><dd>${agentText(f.addresses.map((a) => `${a.address}/${a.prefixLength} (${a.scope}, ${a.interface})`).join(', '), 400)}</dd>
<dt>${w.reasons}</dt><dd>${codedReasons(f.reasonCodes, f.reasons, lang)}</dd></dl>`;
}

function baselineFacts(p: Probes['baseline'], lang: Lang): Html {
  const w = WORDS[lang];
  if (!p) return html`<p class="none">—</p>`;
  if (!p.ok) return probeError(p, lang);
  return html`<table><thead><tr><th>${w.check}</th><th class="num">${w.level}</th><th>${w.result}</th><th>${w.evidence}</th></tr></thead><tbody>${p.facts.checks.map(
    (c) =>
      html`<tr data-check="${c.id}"><td>${agentText(c.title[lang])} <span class="none">${c.id}</span></td><td class="num">${c.level}</td><td>${c.result === 'pass' ? badge(w.pass, 'ok') : c.result === 'fail' ? badge(w.fail, 'bad') : badge(w.unknown, 'warn')}</td><td>${c.reasonCode ? html`<b>${agentText(reasonText(c.reasonCode, lang), 300)}</b><br>` : ''}${agentText(c.evidence, 300)}</td></tr>`,
  )}</tbody></table>`;
}

export function hostPage(ctx: PageContext, data: ConsoleData, agentId: string): Html | undefined {
  const w = WORDS[ctx.lang];
  const row = data.host(agentId);
  if (!row) return undefined;
  const view = data.evaluation();
  const member = view.hostById.get(agentId);
  const report = data.latestReport(agentId);
  const unitName = data.units().find((u) => u.id === row.unit)?.name ?? row.unit;

  const state = row.decommissioned_at
    ? html`${badge(w.decommissioned, 'muted')} ${when(row.decommissioned_at, ctx.lang)}`
    : member?.stale
      ? html`${badge(w.stale, 'warn')} ${w.lastSeen}: ${when(row.received_at, ctx.lang)}`
      : html`${badge(w.active, 'ok')} ${w.lastSeen}: ${when(row.received_at, ctx.lang)}`;

  const failing = [...view.ev.indicators].sort(byTt).flatMap((ind) => {
    const reasons = view.failingById.get(ind.id)?.get(agentId);
    return reasons ? [html`<tr data-indicator="${ind.id}"><td>${ind.tt ? `${ind.tt}. ` : ''}${ind.title[ctx.lang]}</td><td>${reasonList(reasons, ctx.lang)}</td></tr>`] : [];
  });

  const history = data.verdictHistory(agentId);
  const historyRows = history.map(
    (h) => html`<tr><td>${when(h.at, ctx.lang)}</td><td>${h.protected ? badge(w.protected, 'ok') : badge(w.notProtected, 'bad')}${h.stale ? html` ${badge(w.stale, 'warn')}` : ''}</td><td>${reasonList(h.reasons, ctx.lang)}</td></tr>`,
  );

  const decommission =
    isAdmin(ctx) && !row.decommissioned_at
      ? html`<section class="card"><h2>${w.decommission}</h2><form class="edit" method="post" action="/console/hosts/${encodeURIComponent(agentId)}/decommission" data-confirm="${w.confirm}">${csrfField(ctx)}<label for="reason">${w.reason}</label><input type="text" id="reason" name="reason" required maxlength="500"><span></span><button type="submit" class="danger">${w.decommission}</button></form></section>`
      : '';

  const probes = report?.probes;
  const body = html`<p class="meta">${w.unit}: <a href="/console/units/${encodeURIComponent(row.unit)}">${unitName}</a> · ${w.agent}: <code>${agentText(agentId)}</code> · ${state}</p>
<section class="card" id="verdict"><h2>${w.verdict}</h2>
${member ? html`<p>${member.protected ? badge(w.protected, 'ok') : badge(w.notProtected, 'bad')} <span class="meta">${w.evaluatedAt} ${when(view.ev.evaluatedAt, ctx.lang)}</span></p>` : html`<p class="none">${w.decommissioned}</p>`}
<h3>${w.failsIndicators}</h3>${failing.length ? html`<table><tbody>${failing}</tbody></table>` : html`<p class="none">${w.none}</p>`}
</section>
<section class="card" id="history"><h2>${w.verdictHistory}</h2>${history.length ? html`<table><thead><tr><th>${w.since}</th><th>${w.verdict}</th><th>${w.reasons}</th></tr></thead><tbody>${historyRows}</tbody></table>` : html`<p class="none">${w.none}</p>`}</section>
<h2>${w.facts}</h2>
${
  probes
    ? html`<div class="grid2"><section class="card" id="probe-host"><h3>host</h3>${hostFacts(probes.host, ctx.lang)}</section><section class="card" id="probe-ipv6"><h3>ipv6</h3>${ipv6Facts(probes.ipv6, ctx.lang)}</section></div>
<section class="card" id="probe-protection"><h3>protection</h3>${protectionFacts(probes.protection, ctx.lang)}</section>
<section class="card" id="probe-baseline"><h3>baseline</h3>${baselineFacts(probes.baseline, ctx.lang)}</section>
<section class="card" id="probe-membership"><h3>membership</h3>${probes.membership.ok ? html`<p>${w.membership}: ${probes.membership.facts.systems.length ? probes.membership.facts.systems.map((s) => html`<a href="/console/systems/${encodeURIComponent(s)}">${agentText(s)}</a> `) : html`<span class="none">—</span>`}</p>` : probeError(probes.membership, ctx.lang)}</section>`
    : html`<p class="none">—</p>`
}
${decommission}
<section class="card" id="audit"><h2>${w.audit}</h2>${auditTable(data.audit(agentId), ctx.lang)}</section>`;
  return layout(ctx, 'overview', `${w.host}: ${row.hostname}`, body, html`${w.host}: ${agentText(row.hostname)}`);
}
