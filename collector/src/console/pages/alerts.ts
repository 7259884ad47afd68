/**
 * Alerts: pending, firing and resolved, each with its rule (indicator), scope, value and since
 * when; with Alertmanager configured, a link to silence it there (Alertmanager owns silences; a
 * silence made while an alert is pending holds when it fires).
 */
import { badge } from '../components.js';
import type { ConsoleData } from '../data.js';
import { agentText, html, type Html } from '../html.js';
import { WORDS, percent, when } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';
import type { AlertRecord } from '../types.js';

/** Alertmanager's "new silence" form, pre-filled with the alert's identifying labels. */
export function silenceUrl(base: string, a: AlertRecord): string {
  const keys = ['alertname', 'scope', 'unit', 'system'].filter((k) => a.labels[k] !== undefined);
  const matchers = keys.map((k) => `${k}="${a.labels[k]!.replace(/["\\]/g, '\\$&')}"`).join(', ');
  return `${base}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`;
}

export function alertsPage(ctx: PageContext, data: ConsoleData): Html {
  const w = WORDS[ctx.lang];
  const alerts = data.alerts();
  const titles = new Map(data.evaluation().ev.indicators.map((i) => [i.id, i.title[ctx.lang]]));
  const units = new Map(data.units().map((u) => [u.id, u.name]));
  const am = data.alertmanagerUrl;
  const scopeOf = (a: AlertRecord): Html => {
    const [kind, ...rest] = a.scope.split(':');
    const id = rest.join(':');
    if (kind === 'unit') return html`<a href="/console/units/${encodeURIComponent(id)}">${units.get(id) ?? id}</a>`;
    if (kind === 'system') return html`<a href="/console/systems/${encodeURIComponent(id)}">${agentText(id)}</a>`;
    return html`${w.ministry}`;
  };
  const section = (state: AlertRecord['state'], label: string, kind: 'bad' | 'warn' | 'ok') => {
    const list = alerts.filter((a) => a.state === state);
    const rows = list.map(
      (a) =>
        html`<tr data-alert="${a.indicator}|${a.scope}"><td>${titles.get(a.indicator) ?? a.indicator} <span class="none">${a.indicator}</span></td><td>${scopeOf(a)}</td><td class="num">${percent(a.value, ctx.lang)} (${a.pass}/${a.total})</td><td class="num">${percent(a.target, ctx.lang)}</td><td>${when(state === 'resolved' ? a.resolvedAt : state === 'firing' ? a.firedAt : a.activeAt, ctx.lang)}</td><td>${a.annotations.summary ?? ''}</td><td>${am && state !== 'resolved' ? html`<a href="${silenceUrl(am, a)}" rel="noreferrer">${w.silence}</a>` : ''}</td></tr>`,
    );
    return html`<section class="card" id="alerts-${state}"><h2>${badge(label, kind)} <span class="none">(${list.length})</span></h2>${list.length ? html`<table><thead><tr><th>${w.indicator}</th><th>${w.scope}</th><th class="num">${w.value}</th><th class="num">${w.target}</th><th>${w.activeSince}</th><th></th><th></th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="none">${w.none}</p>`}</section>`;
  };
  const body = html`${am ? '' : html`<p class="meta">${w.noAlertmanager}</p>`}${section('firing', w.firing, 'bad')}${section('pending', w.pending, 'warn')}${section('resolved', w.resolved, 'ok')}`;
  return layout(ctx, 'alerts', w.alerts, body);
}
