/**
 * The alert state machine per (indicator, scope): inactive -> pending -> firing -> resolved,
 * as pure functions (Prometheus' rules/alerting.go is the model). The ONE definition used by
 * the engine (whose caller persists the result in store/alerts.ts, with the notices, in the
 * evaluation's transaction, so a restart neither fires twice nor forgets a resolve) and by
 * `posture rules test` (unittest.ts, in memory). Inactive is "no record".
 */

import type { AlertRecord, AlertState } from '../store/alerts.js';

export type { AlertRecord, AlertState };

/** What one evaluation says about one (indicator, scope). */
export interface Observation {
  indicator: string;
  scope: string;
  /** Below target now (met === false). No data is not below. */
  below: boolean;
  forMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  pass: number;
  total: number;
  target: number;
}

export type Transition = 'firing' | 'resolved';

/**
 * Pure step of the state machine. Returns the next record (null = inactive) and the
 * transition to notify, if any. A pending alert that recovers goes back to inactive silently;
 * a firing one becomes resolved and is notified once.
 */
export function step(prev: AlertRecord | undefined, o: Observation | null, now: Date): { next: AlertRecord | null; transition: Transition | null } {
  const at = now.toISOString();
  if (!o || !o.below) {
    if (!prev || prev.state === 'pending') return { next: null, transition: null };
    if (prev.state === 'firing') return { next: { ...prev, ...(o ? pick(o) : {}), state: 'resolved', resolvedAt: at, lastEvalAt: at }, transition: 'resolved' };
    return { next: { ...prev, ...(o ? pick(o) : {}), lastEvalAt: at }, transition: null }; // resolved stays resolved
  }
  if (!prev || prev.state === 'resolved') {
    const rec: AlertRecord = { indicator: o.indicator, scope: o.scope, state: 'pending', ...pick(o), activeAt: at, firedAt: null, resolvedAt: null, lastEvalAt: at };
    if (o.forMs === 0) return { next: { ...rec, state: 'firing', firedAt: at }, transition: 'firing' };
    return { next: rec, transition: null };
  }
  if (prev.state === 'pending' && now.getTime() - Date.parse(prev.activeAt) >= o.forMs) {
    return { next: { ...prev, ...pick(o), state: 'firing', firedAt: at, lastEvalAt: at }, transition: 'firing' };
  }
  return { next: { ...prev, ...pick(o), lastEvalAt: at }, transition: null };
}

const pick = (o: Observation) => ({ labels: o.labels, annotations: o.annotations, value: o.value, pass: o.pass, total: o.total, target: o.target });

/** What one step of the state machine over a whole evaluation decided. */
export interface AlertStep {
  /** The state after the step (non-inactive alerts), ordered by indicator and scope. */
  state: AlertRecord[];
  /** Records to write, and (indicator, scope) pairs back to inactive. */
  upsert: AlertRecord[];
  remove: { indicator: string; scope: string }[];
  /** Transitions to notify, in order. */
  transitions: { alert: AlertRecord; transition: Transition }[];
}

/**
 * One evaluation's step for every alert, used by the engine and by `posture rules test`:
 * every alert of `indicators` that was not observed (a scope that vanished) is treated as
 * recovered; alerts of indicators no longer in any rule file are resolved when `retired` lists
 * them. Resolved alerts older than `resolvedKeepMs` go back to inactive.
 */
export function advance(prev: readonly AlertRecord[], observations: readonly Observation[], indicators: ReadonlySet<string>, retired: ReadonlySet<string>, now: Date, resolvedKeepMs: number): AlertStep {
  const key = (a: { indicator: string; scope: string }) => `${a.indicator}\u0000${a.scope}`;
  const before = new Map(prev.map((a) => [key(a), a]));
  const after = new Map(before);
  const out: AlertStep = { state: [], upsert: [], remove: [], transitions: [] };
  const seen = new Set<string>();
  const apply = (k: string, p: AlertRecord | undefined, o: Observation | null) => {
    const { next, transition } = step(p, o, now);
    seen.add(k);
    if (transition && next) out.transitions.push({ alert: next, transition });
    if (next && !(next.state === 'resolved' && now.getTime() - Date.parse(next.resolvedAt!) > resolvedKeepMs)) {
      out.upsert.push(next);
      after.set(k, next);
    } else {
      after.delete(k);
      if (p) out.remove.push({ indicator: p.indicator, scope: p.scope });
    }
  };
  for (const o of observations) apply(key(o), before.get(key(o)), o);
  for (const [k, p] of before) {
    if (seen.has(k)) continue;
    if (indicators.has(p.indicator) || retired.has(p.indicator)) apply(k, p, null);
  }
  out.state = [...after.values()].sort((a, b) => (a.indicator === b.indicator ? (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0) : a.indicator < b.indicator ? -1 : 1));
  return out;
}
