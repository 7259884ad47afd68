/**
 * The alert state machine per (indicator, scope): inactive -> pending -> firing -> resolved,
 * persisted in SQLite so that a restart neither fires twice nor forgets a resolve (Prometheus'
 * rules/alerting.go is the model; it keeps state in memory, we do not). Inactive is "no row".
 * Transitions to firing and to resolved are queued for the notification sinks in the same
 * transaction as the state change, so a crash cannot lose one.
 */
import type { DB } from '../store/db.js';

export type AlertState = 'pending' | 'firing' | 'resolved';

export interface AlertRecord {
  indicator: string;
  /** 'ministry' | 'unit:<id>' | 'system:<id>' */
  scope: string;
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Ratio at the last evaluation (null: no data). */
  value: number | null;
  pass: number;
  total: number;
  target: number;
  /** When the scope first fell below target (start of pending). */
  activeAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  lastEvalAt: string;
}

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

interface Raw {
  indicator: string;
  scope: string;
  state: AlertState;
  labels: string;
  annotations: string;
  value: number | null;
  pass: number;
  total: number;
  target: number;
  active_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  last_eval_at: string;
}

const fromRaw = (r: Raw): AlertRecord => ({
  indicator: r.indicator,
  scope: r.scope,
  state: r.state,
  labels: JSON.parse(r.labels) as Record<string, string>,
  annotations: JSON.parse(r.annotations) as Record<string, string>,
  value: r.value,
  pass: r.pass,
  total: r.total,
  target: r.target,
  activeAt: r.active_at,
  firedAt: r.fired_at,
  resolvedAt: r.resolved_at,
  lastEvalAt: r.last_eval_at,
});

export class AlertStore {
  constructor(private readonly db: DB) {}

  all(): AlertRecord[] {
    return (this.db.prepare('SELECT * FROM alert_state ORDER BY indicator, scope').all() as Raw[]).map(fromRaw);
  }

  /** Firing alerts and resolved ones still inside the resend window, for Alertmanager. */
  active(): AlertRecord[] {
    return this.all().filter((a) => a.state !== 'pending');
  }

  /**
   * Apply one evaluation's observations for `indicators`: every stored alert of those
   * indicators that was not observed (a scope that vanished) is treated as recovered. Alerts of
   * indicators no longer in any rule file are resolved when `retired` lists them. Resolved
   * alerts older than `resolvedKeepMs` are dropped (back to inactive).
   */
  apply(observations: Observation[], indicators: ReadonlySet<string>, retired: ReadonlySet<string>, now: Date, resolvedKeepMs: number): { alert: AlertRecord; transition: Transition }[] {
    const transitions: { alert: AlertRecord; transition: Transition }[] = [];
    const upsert = this.db.prepare(`INSERT INTO alert_state (indicator, scope, state, labels, annotations, value, pass, total, target, active_at, fired_at, resolved_at, last_eval_at)
      VALUES (@indicator, @scope, @state, @labels, @annotations, @value, @pass, @total, @target, @activeAt, @firedAt, @resolvedAt, @lastEvalAt)
      ON CONFLICT(indicator, scope) DO UPDATE SET state = excluded.state, labels = excluded.labels, annotations = excluded.annotations, value = excluded.value,
        pass = excluded.pass, total = excluded.total, target = excluded.target, active_at = excluded.active_at, fired_at = excluded.fired_at,
        resolved_at = excluded.resolved_at, last_eval_at = excluded.last_eval_at`);
    const del = this.db.prepare('DELETE FROM alert_state WHERE indicator = ? AND scope = ?');
    const prev = new Map(this.all().map((a) => [`${a.indicator}\u0000${a.scope}`, a]));
    const seen = new Set<string>();
    const apply = (key: string, p: AlertRecord | undefined, o: Observation | null) => {
      const { next, transition } = step(p, o, now);
      if (next && next.state === 'resolved' && now.getTime() - Date.parse(next.resolvedAt!) > resolvedKeepMs) {
        if (p) del.run(p.indicator, p.scope);
      } else if (next) upsert.run({ ...next, labels: JSON.stringify(next.labels), annotations: JSON.stringify(next.annotations) });
      else if (p) del.run(p.indicator, p.scope);
      if (transition && next) transitions.push({ alert: next, transition });
      seen.add(key);
    };
    for (const o of observations) {
      const key = `${o.indicator}\u0000${o.scope}`;
      apply(key, prev.get(key), o);
    }
    for (const [key, p] of prev) {
      if (seen.has(key)) continue;
      if (indicators.has(p.indicator) || retired.has(p.indicator)) apply(key, p, null);
    }
    return transitions;
  }
}
