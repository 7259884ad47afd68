/**
 * The ids of stored reports: the idempotency keys of ingest, per agent. The key is (agent,
 * report id): two agents may use the same id (both stored). A resend (same id, same content
 * hash) is a duplicate; the same id with other content from the same agent is a conflict.
 */
import type { DB } from './db.js';

/**
 * What storing one report did: a new report (stored), a resend of one this agent already sent
 * (duplicate: same content), a reuse of one of its report ids for other content (conflict:
 * refused, never silently dropped), or nothing because the agent whose credential sent it was
 * revoked after the credential was checked (revoked: refused).
 */
export type IngestOutcome = 'stored' | 'duplicate' | 'conflict' | 'revoked';

export class ReportStore {
  private readonly ins;
  private readonly hashOf;

  constructor(private readonly db: DB) {
    this.ins = db.prepare('INSERT OR IGNORE INTO reports (agent_id, report_id, collected_at, collected_ms, received_at, content_hash) VALUES (?, ?, ?, ?, ?, ?)');
    this.hashOf = db.prepare('SELECT content_hash FROM reports WHERE agent_id = ? AND report_id = ?').pluck();
  }

  /** Record a report id of an agent. Call inside the ingest transaction. */
  insert(row: { agent_id: string; report_id: string; collected_at: string; collected_ms: number; received_at: string; content_hash: string }): IngestOutcome {
    if (this.ins.run(row.agent_id, row.report_id, row.collected_at, row.collected_ms, row.received_at, row.content_hash).changes === 1) return 'stored';
    // Keys stored before content hashes were kept (NULL) cannot be compared: a resend.
    const stored = this.hashOf.get(row.agent_id, row.report_id) as string | null | undefined;
    return stored === null || stored === undefined || stored === row.content_hash ? 'duplicate' : 'conflict';
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  }

  /**
   * Forget idempotency keys of reports collected before `cutoff`. Reports that old are refused
   * by the clock-skew check anyway, so a resend of one can never be counted twice.
   */
  prune(cutoff: Date): number {
    return this.db.prepare('DELETE FROM reports WHERE collected_ms < ?').run(cutoff.getTime()).changes;
  }
}
