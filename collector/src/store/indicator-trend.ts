/**
 * Read side of the stored indicator results (`indicator_results`, written by each evaluation):
 * the trend of each indicator and scope, sampled as the last evaluation at or before each of a
 * few instants. Each sample is an index seek on evaluated_at plus one evaluation's rows, so a
 * year of history (13M rows at 100,000 hosts) costs the same as a day.
 */
import type { DB } from './db.js';

export interface TrendPoint {
  /** The evaluation the sample comes from. */
  at: string;
  pass: number;
  total: number;
}

/** trend.get(indicator)?.get(scope) -> points, oldest first; scope is 'ministry' or 'unit:<id>' as stored. */
export type Trends = Map<string, Map<string, TrendPoint[]>>;

export class IndicatorTrendReader {
  private readonly lastAt;
  private readonly rowsAt;

  constructor(db: DB) {
    this.lastAt = db.prepare('SELECT max(evaluated_at) AS t FROM indicator_results WHERE evaluated_at <= ?');
    this.rowsAt = db.prepare('SELECT indicator, scope, pass, total FROM indicator_results WHERE evaluated_at = ?');
  }

  /** For each instant (oldest first), the last evaluation at or before it; repeated evaluations are taken once. */
  sample(instants: readonly Date[], scopes?: ReadonlySet<string>): Trends {
    const out: Trends = new Map();
    const seen = new Set<string>();
    for (const t of instants) {
      const at = (this.lastAt.get(t.toISOString()) as { t: string | null }).t;
      if (!at || seen.has(at)) continue;
      seen.add(at);
      for (const r of this.rowsAt.all(at) as { indicator: string; scope: string; pass: number; total: number }[]) {
        if (scopes && !scopes.has(r.scope)) continue;
        let byScope = out.get(r.indicator);
        if (!byScope) out.set(r.indicator, (byScope = new Map()));
        let pts = byScope.get(r.scope);
        if (!pts) byScope.set(r.scope, (pts = []));
        pts.push({ at, pass: r.pass, total: r.total });
      }
    }
    return out;
  }
}
