/**
 * The registry of information systems: the list (filter unclassified, agent-declared and
 * failing systems, by unit), and one system's page with its edit form (level, approval
 * decision, protection plan, tags). Records from the registry file are read-only here, with why;
 * systems that agents declare but the registry lacks can be added from their page.
 */
import { auditTable, badge, pager, qs, reasonList } from '../components.js';
import type { ConsoleData } from '../data.js';
import { agentText, html, type Html } from '../html.js';
import { WORDS, fill, when, yesNo, type Lang } from '../i18n.js';
import { csrfField, isAdmin, layout, type PageContext } from '../layout.js';
import type { SystemMember, SystemRecord, SystemSource } from '../types.js';

export const SHOW = ['all', 'unclassified', 'declared', 'failing'] as const;
export type Show = (typeof SHOW)[number];
const PAGE = 100;

const sourceLabel = (s: SystemSource | undefined, lang: Lang) => (s === 'file' ? WORDS[lang].sourceFile : s === 'api' ? WORDS[lang].sourceApi : WORDS[lang].sourceAgents);

export function systemsPage(ctx: PageContext, data: ConsoleData, q: { show: Show; unit: string | undefined; offset: number }): Html {
  const w = WORDS[ctx.lang];
  const view = data.evaluation();
  const sources = data.systemSources();
  const failing = view.failingById.get('systems_classified');
  const units = data.units();
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const all = view.systems;
  const chosen = all.filter((s) => (!q.unit || s.unit === q.unit) && (q.show === 'all' || (q.show === 'unclassified' && !s.registered) || (q.show === 'declared' && s.hosts > 0) || (q.show === 'failing' && Boolean(failing?.has(s.id)))));
  const page = chosen.slice(q.offset, q.offset + PAGE);
  // Full records (approval number and date) only for the rows shown.
  const row = (s: SystemMember) => {
    const r = s.registered ? data.system(s.id)?.record : undefined;
    const reasons = failing?.get(s.id);
    return html`<tr data-system="${s.id}"><td><a href="/console/systems/${encodeURIComponent(s.id)}">${agentText(s.id)}</a></td><td>${agentText(s.name)}</td><td>${unitName.get(s.unit) ?? s.unit}</td><td class="num">${s.level ?? '—'}</td><td>${r?.approval ? html`${r.approval.number} (${r.approval.date})` : '—'}</td><td>${yesNo(s.planDeployed, ctx.lang)}</td><td>${s.tags.join(', ')}</td><td>${sourceLabel(sources.get(s.id), ctx.lang)}</td><td class="num">${s.hosts}</td><td>${!s.registered ? html`${badge(w.unclassified, 'bad')} ` : ''}${reasons ? html`${badge(w.notMet, 'bad')}${reasonList(reasons, ctx.lang)}` : badge(w.met, 'ok')}</td></tr>`;
  };
  const filter = html`<form class="filter autosubmit" method="get" action="/console/systems"><label>${w.filter} <select name="show">${SHOW.map((s) => html`<option value="${s}"${s === q.show ? html` selected` : ''}>${{ all: w.all, unclassified: w.unclassified, declared: w.agentDeclared, failing: w.failing }[s]}</option>`)}</select></label>
<label>${w.unit} <select name="unit"><option value="">${w.all}</option>${units.map((u) => html`<option value="${u.id}"${u.id === q.unit ? html` selected` : ''}>${u.name}</option>`)}</select></label><button type="submit">${w.filter}</button></form>`;
  const body = html`${filter}<p class="meta">${fill(w.showing, { shown: page.length, total: chosen.length })}</p>
<table id="registry"><thead><tr><th>ID</th><th>${w.name}</th><th>${w.owner}</th><th class="num">${w.level}</th><th>${w.approval}</th><th>${w.planDeployed}</th><th>${w.tags}</th><th>${w.source}</th><th class="num">${w.hosts}</th><th>${w.result} (11)</th></tr></thead><tbody>${page.map(row)}</tbody></table>
${pager(ctx.lang, chosen.length, q.offset, PAGE, (o) => `/console/systems${qs({ show: q.show, unit: q.unit, offset: o })}`)}`;
  return layout(ctx, 'systems', w.systems, body);
}

const opt = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;

function editForm(ctx: PageContext, id: string, r: Partial<SystemRecord>, units: { id: string; name: string }[], isNew: boolean): Html {
  const w = WORDS[ctx.lang];
  const p = r.protectionPlan;
  return html`<form class="edit" method="post" action="/console/systems/${encodeURIComponent(id)}" id="system-form">${csrfField(ctx)}
<label for="f-name">${w.name}</label><input type="text" id="f-name" name="name" value="${r.name ?? id}" required maxlength="256">
${isNew ? html`<label for="f-owner">${w.owner}</label><select id="f-owner" name="ownerUnit">${units.map((u) => opt(u.id, u.name, r.ownerUnit))}</select>` : ''}
<label for="f-level">${w.level}</label><select id="f-level" name="level">${opt('', '—', r.level === undefined ? '' : String(r.level))}${[1, 2, 3, 4, 5].map((l) => opt(String(l), String(l), r.level === undefined ? '' : String(r.level)))}</select>
<label for="f-anum">${w.approvalNumber}</label><input type="text" id="f-anum" name="approvalNumber" value="${r.approval?.number ?? ''}" maxlength="128">
<label for="f-adate">${w.approvalDate}</label><input type="date" id="f-adate" name="approvalDate" value="${r.approval?.date ?? ''}">
<label for="f-asigner">${w.approvalSigner}</label><input type="text" id="f-asigner" name="approvalSigner" value="${r.approval?.signer ?? ''}" maxlength="256">
<label for="f-plan">${w.planDeployed}</label><input type="checkbox" id="f-plan" name="planDeployed" value="yes"${p?.deployed ? html` checked` : ''}>
<label for="f-pdate">${w.planDate}</label><input type="date" id="f-pdate" name="planDate" value="${p?.date ?? ''}">
<label for="f-pstatus">${w.planStatus}</label><select id="f-pstatus" name="planStatus">${opt('', '—', p?.status)}${opt('full', w.planFull, p?.status)}${opt('partial', w.planPartial, p?.status)}${opt('none', w.planNone, p?.status)}</select>
<label for="f-tags">${w.tags}</label><input type="text" id="f-tags" name="tags" value="${(r.tags ?? []).join(', ')}" maxlength="2000">
<span></span><button type="submit">${isNew ? w.addToRegistry : w.save}</button>
</form>`;
}

function readOnly(ctx: PageContext, r: SystemRecord, unitName: string): Html {
  const w = WORDS[ctx.lang];
  return html`<dl class="facts"><dt>${w.name}</dt><dd>${agentText(r.name)}</dd><dt>${w.owner}</dt><dd>${unitName}</dd><dt>${w.level}</dt><dd>${r.level ?? '—'}</dd>
<dt>${w.approval}</dt><dd>${r.approval ? html`${r.approval.number} (${r.approval.date})${r.approval.signer ? html`, ${r.approval.signer}` : ''}` : '—'}</dd>
<dt>${w.plan}</dt><dd>${yesNo(Boolean(r.protectionPlan?.deployed), ctx.lang)}${r.protectionPlan?.date ? html` (${r.protectionPlan.date})` : ''}${r.protectionPlan?.status ? html`, ${r.protectionPlan.status}` : ''}</dd>
<dt>${w.tags}</dt><dd>${r.tags.join(', ') || '—'}</dd>${r.legalBasis ? html`<dt>legalBasis</dt><dd>${r.legalBasis}</dd>` : ''}</dl>`;
}

export interface SystemPageState {
  /** Shown above the form: what was saved, or why it was refused. */
  flash?: { kind: 'flash' | 'error'; text: string };
  /** The values the person typed (re-shown when refused). */
  draft?: Partial<SystemRecord>;
}

export function systemPage(ctx: PageContext, data: ConsoleData, id: string, state: SystemPageState = {}): Html | undefined {
  const w = WORDS[ctx.lang];
  const view = data.evaluation();
  const found = data.system(id);
  const member = view.systemById.get(id);
  if (!found && !member) return undefined;
  const units = data.units();
  const unitName = (u: string) => units.find((x) => x.id === u)?.name ?? u;
  const reasons = view.failingById.get('systems_classified')?.get(id);
  const verdict = member
    ? html`<p id="ind11">${reasons ? html`${badge(w.notMet, 'bad')} ${reasonList(reasons, ctx.lang)}` : badge(w.met, 'ok')} <span class="meta">${w.evaluatedAt} <span id="evaluated-at">${when(view.ev.evaluatedAt, ctx.lang)}</span></span></p>`
    : '';
  let main: Html;
  if (found?.source === 'file') {
    main = html`<p class="flash" id="file-managed">${fill(w.fileManaged, { file: data.registryFile ?? 'registryFile' })}</p>${readOnly(ctx, found.record, unitName(found.record.ownerUnit))}`;
  } else if (!isAdmin(ctx)) {
    main = found ? html`<p class="meta">${w.readOnly}</p>${readOnly(ctx, found.record, unitName(found.record.ownerUnit))}` : html`<p>${badge(w.unclassified, 'bad')} ${w.sourceAgents}</p>`;
  } else {
    const base: Partial<SystemRecord> = state.draft ?? found?.record ?? { id, name: id, ownerUnit: member?.unit ?? units[0]?.id, tags: [] };
    main = html`${found ? '' : html`<p>${badge(w.unclassified, 'bad')} ${w.sourceAgents}</p>`}${editForm(ctx, id, base, units, !found)}`;
  }
  const hosts = view.hostsBySystem.get(id) ?? [];
  const body = html`${state.flash ? html`<p class="${state.flash.kind}" id="flash">${state.flash.text}</p>` : ''}
<section class="card"><h2>${w.result}: 11. ${view.ev.indicators.find((i) => i.id === 'systems_classified')?.title[ctx.lang] ?? ''}</h2>${verdict}</section>
<section class="card">${main}</section>
<section class="card"><h2>${w.hosts} (${hosts.length})</h2>${hosts.length ? html`<ul>${hosts.slice(0, 200).map((h) => html`<li><a href="/console/hosts/${encodeURIComponent(h.id)}">${agentText(h.hostname)}</a> (${unitName(h.unit)})</li>`)}</ul>` : html`<p class="none">${w.none}</p>`}</section>
<section class="card" id="audit"><h2>${w.audit}</h2>${auditTable(data.audit(id), ctx.lang)}</section>`;
  return layout(ctx, 'systems', `${w.systems}: ${id}`, body, html`${w.systems}: ${agentText(id)}`);
}

/** The record a submitted form asks for: the stored record (or a new one) with the form's fields over it. */
export function recordFromForm(form: Record<string, string>, id: string, existing: SystemRecord | undefined, defaultUnit: string | undefined): Record<string, unknown> {
  const text = (k: string) => (form[k] ?? '').trim();
  const rec: Record<string, unknown> = { ...(existing ?? { id, ownerUnit: text('ownerUnit') || defaultUnit }) };
  rec.id = id;
  rec.name = text('name') || existing?.name || id;
  if (!existing && text('ownerUnit')) rec.ownerUnit = text('ownerUnit');
  const level = text('level');
  if (level) rec.level = /^\d+$/.test(level) ? Number(level) : level;
  else delete rec.level;
  if (text('approvalNumber') || text('approvalDate') || text('approvalSigner')) {
    rec.approval = { number: text('approvalNumber'), date: text('approvalDate'), ...(text('approvalSigner') ? { signer: text('approvalSigner') } : {}) };
  } else delete rec.approval;
  const status = text('planStatus');
  rec.protectionPlan = { deployed: form.planDeployed === 'yes', ...(text('planDate') ? { date: text('planDate') } : {}), ...(status ? { status } : {}) };
  rec.tags = text('tags')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return rec;
}
