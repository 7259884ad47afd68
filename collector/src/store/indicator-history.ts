/**
 * Reads of the stored evaluations (`indicator_results`, written by the rule engine at every
 * scheduled evaluation): the evaluation in force at a time, its rows, and per-day series for
 * the report's trend lines.
 */
import type { DB } from './db.js';

/** One stored row of `indicator_results`. */
export interface HistoryRow {
  evaluated_at: string;
  indicator: string;
  scope: string;
  pass: number;
  total: number;
  target: number;
}

/** One point of a trend: the last evaluation of a day. */
export interface SeriesPoint {
  /** ISO time of that evaluation. */
  at: string;
  indicator: string;
  pass: number;
  total: number;
}

export class IndicatorHistory {
  constructor(private readonly db: DB) {}

  /** The last evaluation at or before `iso` (one evaluation writes every row under one time). */
  lastAtOrBefore(iso: string): string | null {
    return (this.db.prepare('SELECT max(evaluated_at) AS t FROM indicator_results WHERE evaluated_at <= ?').get(iso) as { t: string | null }).t;
  }

  earliest(): string | null {
    return (this.db.prepare('SELECT min(evaluated_at) AS t FROM indicator_results').get() as { t: string | null }).t;
  }

  rowsAt(evaluatedAt: string): HistoryRow[] {
    return this.db.prepare('SELECT evaluated_at, indicator, scope, pass, total, target FROM indicator_results WHERE evaluated_at = ? ORDER BY indicator, scope').all(evaluatedAt) as HistoryRow[];
  }

  /**
   * The ministry-wide figure of every indicator, one point per day (the last evaluation of
   * that day, UTC), for the `days` days up to `iso`. Evaluations run every few minutes; a
   * chart needs one point a day at most.
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
