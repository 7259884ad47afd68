/**
 * indicator_results: the history of every evaluation (one row per indicator and scope), which
 * `posture report --at` and `/api/v1/report?at=` read back.
 */
import type { DB } from './db.js';

export interface IndicatorResultRow {
  evaluated_at: string;
  indicator: string;
  /** 'ministry' | 'unit:<id>' | 'system:<id>' */
  scope: string;
  pass: number;
  total: number;
  target: number;
}

export class IndicatorResultStore {
  private readonly ins;

  constructor(private readonly db: DB) {
    this.ins = db.prepare('INSERT OR REPLACE INTO indicator_results (evaluated_at, indicator, scope, pass, total, target) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Record one evaluation's rows (inside the evaluation's transaction). */
  add(rows: readonly IndicatorResultRow[]): void {
    for (const r of rows) this.ins.run(r.evaluated_at, r.indicator, r.scope, r.pass, r.total, r.target);
  }

  /** The time of the last evaluation at or before `at`, and of the first one ever (null: none). */
  lastAtOrBefore(at: Date): { last: string | null; first: string | null } {
    const last = (this.db.prepare('SELECT max(evaluated_at) AS t FROM indicator_results WHERE evaluated_at <= ?').get(at.toISOString()) as { t: string | null }).t;
    const first = last ? null : (this.db.prepare('SELECT min(evaluated_at) AS t FROM indicator_results').get() as { t: string | null }).t;
    return { last, first };
  }

  /** Every row of the evaluation made at `evaluatedAt` (one evaluation shares one time). */
  at(evaluatedAt: string): IndicatorResultRow[] {
    return this.db.prepare('SELECT evaluated_at, indicator, scope, pass, total, target FROM indicator_results WHERE evaluated_at = ? ORDER BY indicator, scope').all(evaluatedAt) as IndicatorResultRow[];
  }

  /** The first stored evaluation's time (null: none). */
  earliest(): string | null {
    return (this.db.prepare('SELECT min(evaluated_at) AS t FROM indicator_results').get() as { t: string | null }).t;
  }

  /**
   * The ministry-wide figure of every indicator, one point per day (the last evaluation of
   * that day, UTC), for the `days` days up to `iso`: the report's trend lines. Evaluations run
   * every few minutes; a chart needs one point a day at most.
   */
  ministrySeries(iso: string, days: number): SeriesPoint[] {
    const from = new Date(Date.parse(iso) - days * 86_400_000).toISOString();
    return this.db
      .prepare(
        `SELECT r.evaluated_at AS at, r.indicator, r.pass, r.total FROM indicator_results r
         JOIN (SELECT max(evaluated_at) AS t FROM indicator_results WHERE evaluated_at > ? AND evaluated_at <= ? GROUP BY substr(evaluated_at, 1, 10)) d ON r.evaluated_at = d.t
         WHERE r.scope = 'ministry' ORDER BY r.evaluated_at`,
      )
      .all(from, iso) as SeriesPoint[];
  }
}

/** One point of a trend: the last evaluation of a day. */
export interface SeriesPoint {
  /** ISO time of that evaluation. */
  at: string;
  indicator: string;
  pass: number;
  total: number;
}
