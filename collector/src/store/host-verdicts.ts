/**
 * The verdict history of each host: one row each time the evaluation's verdict on a host
 * changes (protected or not, stale or not, and why). Rows are written only on change, so a
 * fleet that stays as it is adds nothing; the console's host page lists them ("not protected
 * since ..."). The verdicts are those the indicators counted (rules/members.ts), never recomputed.
 */
import type { Reason } from '@posture/protocol';
import type { DB } from './db.js';
import { runSteps, runStepsSliced, type Pauser, type Steps } from './steps.js';

/** Hosts per read of the last rows, and rows per insert transaction: a few milliseconds each. */
const CHUNK = 1000;

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
  /** The recording started last: one in slices still under way when another starts writes no more (it holds older verdicts). */
  private latest: object | undefined;

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

  /**
   * Record the hosts whose verdict differs from their last row; returns how many changed. The
   * last rows are read at the first call (a restart: one per host).
   */
  record(verdicts: Iterable<HostVerdict>, now: Date): number {
    return this.db.transaction(() => runSteps(this.recording(verdicts, now))).immediate();
  }

  /**
   * The same, yielding to the event loop between steps whenever `pauser` says (after the
   * scheduled evaluation: at 100,000 hosts the first read of the last rows took 0.4 s, the
   * comparison and the rows of a fleet that changed 0.1 s). Each host's change is its own fact:
   * the rows are written in several transactions; a crash between them leaves the hosts not
   * yet written to be found changed (and written) by the next evaluation.
   */
  recordSliced(verdicts: Iterable<HostVerdict>, now: Date, pauser: Pauser): Promise<number> {
    return runStepsSliced(this.recording(verdicts, now), pauser);
  }

  /**
   * A recording in slices can be overtaken: a newer evaluation's recording (one in one go, in
   * between two slices) starts while it is under way. Then it stops at its next step, or it would
   * write its older verdicts after the newer ones, and a host's last row would say what is no
   * longer so. `last` holds only what was written, so the newer one compares against the rows.
   */
  private *recording(verdicts: Iterable<HostVerdict>, now: Date): Steps<number> {
    const mine = {};
    this.latest = mine;
    const overtaken = () => this.latest !== mine;
    if (!this.last) {
      const loaded = yield* this.loadLast();
      // Another recording (in one go, between two reads of this one) may have loaded them meanwhile, and written since: keep its.
      this.last ??= loaded;
    }
    const last = this.last;
    const changed: [HostVerdict, string][] = [];
    let i = 0;
    for (const v of verdicts) {
      const sig = signature(v);
      if (last.get(v.id) !== sig) changed.push([v, sig]);
      if ((++i & 1023) === 0) {
        yield;
        if (overtaken()) return 0;
      }
    }
    const ins = this.db.prepare('INSERT INTO host_verdict_changes (agent_id, at, protected, stale, reasons) VALUES (?, ?, ?, ?, ?)');
    const at = now.toISOString();
    let written = 0;
    for (let from = 0; from < changed.length; from += CHUNK) {
      if (overtaken()) return written;
      const chunk = changed.slice(from, from + CHUNK);
      this.db
        .transaction(() => {
          for (const [v] of chunk) ins.run(v.id, at, v.protected ? 1 : 0, v.stale ? 1 : 0, JSON.stringify(v.reasons));
        })
        .immediate();
      for (const [v, sig] of chunk) last.set(v.id, sig);
      written += chunk.length;
      yield;
    }
    return written;
  }

  /** The last row of every host, CHUNK hosts per read (by agent id, through the index). */
  private *loadLast(): Steps<Map<string, string>> {
    const m = new Map<string, string>();
    const read = this.db.prepare(
      `SELECT c.agent_id, c.protected, c.stale, c.reasons FROM host_verdict_changes c
       JOIN (SELECT max(id) AS id FROM host_verdict_changes WHERE agent_id > ? GROUP BY agent_id ORDER BY agent_id LIMIT ${CHUNK}) l ON c.id = l.id
       ORDER BY c.agent_id`,
    );
    for (let after = ''; ; yield) {
      const rows = read.raw().all(after) as [string, number, number, string][];
      for (const [id, p, s, r] of rows) m.set(id, signature({ protected: p === 1, stale: s === 1, reasons: JSON.parse(r) as StoredReason[] }));
      if (rows.length < CHUNK) return m;
      after = rows[rows.length - 1]![0];
    }
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
