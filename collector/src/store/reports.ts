/** The ids of stored reports: the idempotency keys of ingest (a resent id is not counted again). */
import type { DB } from './db.js';

export class ReportStore {
  private readonly ins;

  constructor(private readonly db: DB) {
    this.ins = db.prepare('INSERT OR IGNORE INTO reports (report_id, agent_id, collected_at, received_at) VALUES (?, ?, ?, ?)');
  }

  /** Record a report id; false when it was already stored (a resend). Call inside the ingest transaction. */
  insert(reportId: string, agentId: string, collectedAt: string, receivedAt: string): boolean {
    return this.ins.run(reportId, agentId, collectedAt, receivedAt).changes === 1;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  }

  /**
   * Forget idempotency keys of reports collected before `cutoff`. Reports that old are refused
   * by the clock-skew check anyway, so a resend of one can never be counted twice.
   */
  prune(cutoff: Date): number {
    return this.db.prepare('DELETE FROM reports WHERE collected_at < ?').run(cutoff.toISOString()).changes;
  }
}
