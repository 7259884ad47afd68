/**
 * Agents and units, for admins: revoke an agent, rotate a unit's enrollment secret (the new one
 * is shown once, on the answer page), and the audit log of every change. Viewers see the lists
 * without any control. Hosts are decommissioned from their own page (with a reason).
 */
import { auditTable, badge, pager, qs } from '../components.js';
import type { ConsoleData } from '../data.js';
import { agentText, html, type Html } from '../html.js';
import { WORDS, fill, when } from '../i18n.js';
import { csrfField, isAdmin, layout, type PageContext } from '../layout.js';

const PAGE = 200;

export interface AdminPageState {
  unit: string | undefined;
  offset: number;
  /** A secret just rotated: shown once. */
  newSecret?: { unit: string; secret: string };
  flash?: string;
}

export function adminPage(ctx: PageContext, data: ConsoleData, q: AdminPageState): Html {
  const w = WORDS[ctx.lang];
  const admin = isAdmin(ctx);
  const units = data.unitSecrets();
  const unitRows = units.map(
    (u) =>
      html`<tr data-unit="${u.id}"><td><a href="/console/units/${encodeURIComponent(u.id)}">${u.id}</a></td><td>${u.name}</td><td>${when(u.secret_set_at, ctx.lang)} <span class="none">${u.secret_source ?? ''}</span></td><td>${when(u.secret_expires_at, ctx.lang)}</td><td>${admin ? html`<form class="inline" method="post" action="/console/units/${encodeURIComponent(u.id)}/rotate" data-confirm="${w.confirm}">${csrfField(ctx)}<input type="number" name="expiresDays" min="1" max="3650" placeholder="${w.expiresDays}" aria-label="${w.expiresDays}"><button type="submit">${w.rotate}</button></form>` : ''}</td></tr>`,
  );
  // A ministry has 100,000 agents: past a thousand, they are listed one unit at a time.
  const listAll = data.agentCount() <= 1000;
  const agents = q.unit || listAll ? data.agents(q.unit) : [];
  const page = agents.slice(q.offset, q.offset + PAGE);
  const agentRows = page.map(
    (a) =>
      html`<tr data-agent="${a.id}"><td><a href="/console/hosts/${encodeURIComponent(a.id)}">${agentText(a.hostname)}</a></td><td>${a.unit}</td><td><code>${a.id}</code></td><td>${when(a.enrolled_at, ctx.lang)}</td><td>${when(a.last_seen, ctx.lang)}</td><td>${a.revoked_at ? html`${badge(w.revoked, 'muted')} ${when(a.revoked_at, ctx.lang)}` : admin ? html`<form class="inline" method="post" action="/console/agents/${encodeURIComponent(a.id)}/revoke" data-confirm="${w.confirm}">${csrfField(ctx)}<input type="text" name="reason" placeholder="${w.reason}" aria-label="${w.reason}" maxlength="500"><button type="submit" class="danger">${w.revoke}</button></form>` : ''}</td></tr>`,
  );
  const body = html`${q.flash ? html`<p class="flash" id="flash">${q.flash}</p>` : ''}
${q.newSecret ? html`<section class="card" id="new-secret"><p>${fill(w.newSecret, { unit: q.newSecret.unit })}</p><p class="secret">${q.newSecret.secret}</p></section>` : ''}
<section class="card" id="units"><h2>${w.units}</h2><table><thead><tr><th>ID</th><th>${w.name}</th><th>${w.secretSetAt}</th><th>${w.secretExpires}</th><th></th></tr></thead><tbody>${unitRows}</tbody></table></section>
<section class="card" id="agents"><h2>${w.agents} <span class="none">(${q.unit || listAll ? agents.length : data.agentCount()})</span></h2>
<form class="filter autosubmit" method="get" action="/console/admin"><label>${w.unit} <select name="unit"><option value="">${w.all}</option>${units.map((u) => html`<option value="${u.id}"${u.id === q.unit ? html` selected` : ''}>${u.name}</option>`)}</select></label><button type="submit">${w.filter}</button></form>
${q.unit || listAll ? html`<table><thead><tr><th>${w.hostname}</th><th>${w.unit}</th><th>ID</th><th>${w.enrolled}</th><th>${w.lastSeen}</th><th></th></tr></thead><tbody>${agentRows}</tbody></table>` : html`<p class="meta">${w.chooseUnit}</p>`}
${pager(ctx.lang, agents.length, q.offset, PAGE, (o) => `/console/admin${qs({ unit: q.unit, offset: o })}`)}</section>
<section class="card" id="audit"><h2>${w.audit}</h2>${auditTable(data.audit(undefined, 100), ctx.lang)}</section>`;
  return layout(ctx, 'admin', w.admin, body);
}
