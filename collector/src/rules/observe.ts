/**
 * From one indicator result to what the alert state machine sees per scope (ministry, each
 * unit, each system): below target or not, with the alert's labels and rendered annotations.
 * Shared by the engine and `posture rules test`, so tests see exactly the engine's alerts.
 */
import type { Observation } from './alerting.js';
import type { IndicatorResult, ScopeResult } from './evaluate.js';
import type { Rule } from './format.js';
import type { TEMPLATE_VARS } from './template.js';

export interface ScopedObservation extends Observation {
  /** ministry | unit | system */
  kind: string;
  /** Unit or system id; '' for the ministry. */
  id: string;
  result: ScopeResult;
}

const pct = (r: number | null) => (r === null ? '' : `${(Math.round(r * 1000) / 10).toFixed(1).replace(/\.0$/, '')}%`);

export function observe(rule: Rule, ind: IndicatorResult, unitNames: ReadonlyMap<string, string>, systemNames: ReadonlyMap<string, string>): ScopedObservation[] {
  const scoped: [string, string, ScopeResult][] = [['ministry', '', ind.ministry], ...ind.units.map((s): [string, string, ScopeResult] => ['unit', s.scope, s]), ...ind.systems.map((s): [string, string, ScopeResult] => ['system', s.scope, s])];
  return scoped.map(([kind, id, s]) => {
    const scopeName = kind === 'ministry' ? 'Toàn Bộ' : kind === 'unit' ? (unitNames.get(id) ?? id) : (systemNames.get(id) ?? id);
    const labels: Record<string, string> = { ...rule.labels, alertname: rule.indicator, indicator: rule.indicator, scope: kind };
    if (kind !== 'ministry') labels[kind] = id;
    const values: Partial<Record<keyof typeof TEMPLATE_VARS, string>> = {
      value: s.ratio === null ? '' : String(Math.round(s.ratio * 10_000) / 10_000),
      percent: pct(s.ratio),
      target: String(rule.target),
      targetPercent: pct(rule.target),
      pass: String(s.pass),
      total: String(s.total),
      due: rule.due ?? '',
      indicator: rule.indicator,
      scopeName,
      title: rule.title.vi,
      titleEn: rule.title.en,
    };
    const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, t]) => [k, t({ labels, values })]));
    annotations.scope_name = scopeName;
    if (ind.pastDue && s.met === false) annotations.overdue = `due ${rule.due}`;
    return {
      indicator: rule.indicator,
      scope: kind === 'ministry' ? 'ministry' : `${kind}:${id}`,
      kind,
      id,
      result: s,
      below: s.met === false,
      forMs: rule.forMs,
      labels,
      annotations,
      value: s.ratio,
      pass: s.pass,
      total: s.total,
      target: rule.target,
    };
  });
}
