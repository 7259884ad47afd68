/**
 * alert_state: the alert state machine's state per (indicator, scope), persisted so that a
 * restart neither fires twice nor forgets a resolve. Inactive is "no row". The transitions
 * themselves are computed by rules/alerting.ts (pure); this module only keeps the result.
 */
import type { DB } from './db.js';

export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert as the state machine (rules/alerting.ts) leaves it. */
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

  /** Write what one step of the state machine decided (call inside the evaluation's transaction). */
  save(changes: { upsert: readonly AlertRecord[]; remove: readonly { indicator: string; scope: string }[] }): void {
    const upsert = this.db.prepare(`INSERT INTO alert_state (indicator, scope, state, labels, annotations, value, pass, total, target, active_at, fired_at, resolved_at, last_eval_at)
      VALUES (@indicator, @scope, @state, @labels, @annotations, @value, @pass, @total, @target, @activeAt, @firedAt, @resolvedAt, @lastEvalAt)
      ON CONFLICT(indicator, scope) DO UPDATE SET state = excluded.state, labels = excluded.labels, annotations = excluded.annotations, value = excluded.value,
        pass = excluded.pass, total = excluded.total, target = excluded.target, active_at = excluded.active_at, fired_at = excluded.fired_at,
        resolved_at = excluded.resolved_at, last_eval_at = excluded.last_eval_at`);
    const del = this.db.prepare('DELETE FROM alert_state WHERE indicator = ? AND scope = ?');
    for (const r of changes.remove) del.run(r.indicator, r.scope);
    for (const a of changes.upsert) upsert.run({ ...a, labels: JSON.stringify(a.labels), annotations: JSON.stringify(a.annotations) });
  }
}
