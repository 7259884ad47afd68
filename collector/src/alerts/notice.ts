/** An alert record as the notice the webhook and e-mail sinks send (alerts/types.ts AlertNotice). */
import type { AlertRecord, Transition } from '../rules/alerting.js';
import type { Rule } from '../rules/format.js';
import { fingerprint, type AlertNotice } from './types.js';

/** Where a reader of an alert finds the indicator: the report, at the indicator's section. */
export const generatorUrl = (externalUrl: string, a: AlertRecord): string => `${externalUrl}/api/v1/report?format=markdown#${encodeURIComponent(a.indicator)}`;

export function noticeOf(a: AlertRecord, status: Transition, rule: Rule | undefined, externalUrl: string): AlertNotice {
  const [kind, ...rest] = a.scope.split(':');
  return {
    status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.firedAt ?? a.activeAt,
    endsAt: status === 'resolved' ? a.resolvedAt : null,
    generatorURL: generatorUrl(externalUrl, a),
    fingerprint: fingerprint(a.labels),
    indicator: a.indicator,
    title: rule?.title ?? { vi: a.indicator, en: a.indicator },
    basis: rule?.basis ?? '',
    scopeKind: kind!,
    scopeId: rest.join(':'),
    scopeName: a.annotations.scope_name ?? rest.join(':'),
    value: a.value,
    pass: a.pass,
    total: a.total,
    target: a.target,
    due: rule?.due ?? null,
  };
}
