/** Append-only audit records of administrative changes (decommission, revoke, rotate, registry edits). */
import type { DB } from './db.js';

export interface AuditRecord {
  id: number;
  at: string;
  /** `cli:<os user>` or `token:<name>`. */
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

export class AuditLog {
  private readonly ins;

  constructor(private readonly db: DB) {
    this.ins = db.prepare('INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)');
  }

  record(actor: string, action: string, subject: string, detail: Record<string, unknown> = {}, now = new Date()): void {
    this.ins.run(now.toISOString(), actor, action, subject, JSON.stringify(detail));
  }

  list(filter: { subject?: string | undefined; limit?: number } = {}): AuditRecord[] {
    const rows = (
      filter.subject ? this.db.prepare('SELECT * FROM audit WHERE subject = ? ORDER BY id DESC LIMIT ?').all(filter.subject, filter.limit ?? 1000) : this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(filter.limit ?? 1000)
    ) as (Omit<AuditRecord, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
