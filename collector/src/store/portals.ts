/**
 * Results of the portal prober, with history: one row per portal per probe. The only SQL of
 * portal results. The table is made here (CREATE TABLE IF NOT EXISTS) rather than as a numbered
 * migration in migrations.ts, so the prober's table comes and goes with this file alone; the rows hold
 * the whole result as JSON (checks and evidence change shape as criteria are added; no
 * migration needed) beside the columns that are queried.
 */
import type { DB } from './db.js';
import type { PortalLevel, PortalResult } from '../portals/types.js';
import { factsOf, type PortalFacts } from '../portals/facts.js';

export interface PortalRow {
  systemId: string;
  probedAt: number;
  level: PortalLevel;
  ready: boolean;
  result: PortalResult;
}

type Raw = { system_id: string; probed_at: number; level: string; ready: number; result: string };
const toRow = (r: Raw): PortalRow => ({ systemId: r.system_id, probedAt: r.probed_at, level: r.level as PortalLevel, ready: r.ready === 1, result: JSON.parse(r.result) as PortalResult });

export class PortalStore {
  private readonly ins;

  constructor(private readonly db: DB) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS portal_probes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        system_id TEXT NOT NULL,
        probed_at INTEGER NOT NULL,     -- ms since the epoch
        level TEXT NOT NULL,
        ready INTEGER NOT NULL,
        result TEXT NOT NULL            -- PortalResult, JSON
      );
      CREATE INDEX IF NOT EXISTS portal_probes_system ON portal_probes(system_id, probed_at);
    `);
    this.ins = db.prepare('INSERT INTO portal_probes (system_id, probed_at, level, ready, result) VALUES (?, ?, ?, ?, ?)');
  }

  /** Store results of one probe run in one transaction. */
  add(results: readonly PortalResult[]): void {
    this.db
      .transaction(() => {
        for (const r of results) this.ins.run(r.systemId, r.probedAt, r.level, r.ready ? 1 : 0, JSON.stringify(r));
      })
      .immediate();
  }

  /** The newest result of every portal ever probed. */
  latest(): Map<string, PortalRow> {
    const rows = this.db
      .prepare(
        `SELECT p.system_id, p.probed_at, p.level, p.ready, p.result FROM portal_probes p
         JOIN (SELECT system_id, max(id) AS id FROM portal_probes GROUP BY system_id) l ON l.id = p.id`,
      )
      .all() as Raw[];
    return new Map(rows.map((r) => [r.system_id, toRow(r)]));
  }

  /** What rules read (`system.portal.*`): the newest result of each portal. */
  latestFacts(): Map<string, PortalFacts> {
    return new Map([...this.latest()].map(([id, r]) => [id, factsOf(r.result)]));
  }

  /** A portal's results, newest first. */
  history(systemId: string, limit = 100): PortalRow[] {
    return (this.db.prepare('SELECT system_id, probed_at, level, ready, result FROM portal_probes WHERE system_id = ? ORDER BY id DESC LIMIT ?').all(systemId, limit) as Raw[]).map(toRow);
  }

  /** Remove results older than `before` (ms), keeping each portal's newest. */
  prune(before: number): number {
    return this.db.prepare('DELETE FROM portal_probes WHERE probed_at < ? AND id NOT IN (SELECT max(id) FROM portal_probes GROUP BY system_id)').run(before).changes;
  }
}
