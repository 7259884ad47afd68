/**
 * The verdict history of each host: one row each time the evaluation's verdict on a host
 * changes (protected or not, stale or not, and why). Rows are written only on change, so a
 * fleet that stays as it is adds nothing; the console's host page lists them ("not protected
 * since ..."). The verdicts are those the indicators counted (rules/members.ts), never recomputed.
 */
import type { Reason } from '@posture/protocol';
import type { DB } from './db.js';

/** A reason as the evaluation wrote it: a catalogue code (with an agent's text as evidence), or text in rows stored before codes. */
export type StoredReason = string | (Reason & { evidence?: string });

export interface VerdictChange {
  at: string;
  protected: boolean;
  stale: boolean;
  reasons: StoredReason[];
}

/** What one evaluation said about one host. */
export interface HostVerdict {
  id: string;
  protected: boolean;
  stale: boolean;
  reasons: readonly StoredReason[];
}

const signature = (v: { protected: boolean; stale: boolean; reasons: readonly StoredReason[] }) => `${v.protected ? 1 : 0}${v.stale ? 1 : 0}${JSON.stringify(v.reasons)}`;

export class HostVerdictLog {
  /** Last recorded signature per host, loaded once, so an evaluation compares in memory. */
  private last: Map<string, string> | undefined;

  constructor(private readonly db: DB) {
    db.exec(`CREATE TABLE IF NOT EXISTS host_verdict_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      agent_id TEXT NOT NULL,
      at TEXT NOT NULL,
      protected INTEGER NOT NULL,
      stale INTEGER NOT NULL,
      reasons TEXT NOT NULL            -- JSON array, as the evaluation wrote them
    );
    CREATE INDEX IF NOT EXISTS host_verdict_changes_agent ON host_verdict_changes(agent_id, id)`);
  }

  private loadLast(): Map<string, string> {
    const m = new Map<string, string>();
    const rows = this.db.prepare('SELECT agent_id, protected, stale, reasons FROM host_verdict_changes WHERE id IN (SELECT max(id) FROM host_verdict_changes GROUP BY agent_id)').raw().all() as [string, number, number, string][];
    for (const [id, p, s, r] of rows) m.set(id, signature({ protected: p === 1, stale: s === 1, reasons: JSON.parse(r) as StoredReason[] }));
    return m;
  }

  /** Record the hosts whose verdict differs from their last row; returns how many changed. */
  record(verdicts: Iterable<HostVerdict>, now: Date): number {
    const last = (this.last ??= this.loadLast());
    const changed: HostVerdict[] = [];
    for (const v of verdicts) {
      const sig = signature(v);
      if (last.get(v.id) !== sig) {
        changed.push(v);
        last.set(v.id, sig);
      }
    }
    if (!changed.length) return 0;
    const ins = this.db.prepare('INSERT INTO host_verdict_changes (agent_id, at, protected, stale, reasons) VALUES (?, ?, ?, ?, ?)');
    const at = now.toISOString();
    this.db.transaction(() => {
      for (const v of changed) ins.run(v.id, at, v.protected ? 1 : 0, v.stale ? 1 : 0, JSON.stringify(v.reasons));
    })();
    return changed.length;
  }

  /** When each host's current verdict began (its last change), for many hosts in one query. */
  since(agentIds: readonly string[]): Map<string, string> {
    if (!agentIds.length) return new Map();
    const rows = this.db.prepare('SELECT agent_id, max(at) FROM host_verdict_changes WHERE agent_id IN (SELECT value FROM json_each(?)) GROUP BY agent_id').raw().all(JSON.stringify(agentIds)) as [string, string][];
    return new Map(rows);
  }

  /** A host's changes, newest first. */
  history(agentId: string, limit = 50): VerdictChange[] {
    const rows = this.db.prepare('SELECT at, protected, stale, reasons FROM host_verdict_changes WHERE agent_id = ? ORDER BY id DESC LIMIT ?').all(agentId, limit) as {
      at: string;
      protected: number;
      stale: number;
      reasons: string;
    }[];
    return rows.map((r) => ({ at: r.at, protected: r.protected === 1, stale: r.stale === 1, reasons: JSON.parse(r.reasons) as string[] }));
  }
}
