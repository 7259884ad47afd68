/**
 * The forward outbox of a unit's collector (reports waiting for the ministry's collector) and
 * forward_refused (reports the ministry refused for good, kept for inspection and requeue).
 * Rows are added by the ingest transaction (ingest-commit.ts) and removed by the forwarder.
 */
import type { DB } from './db.js';

export interface ForwardRow {
  id: number;
  report_id: string;
  report: string;
}

/** The ministry's answer for one forwarded row. */
export type ForwardSettlement = { row: ForwardRow; refused: false } | { row: ForwardRow; refused: true; code: string; reason: string };

export class ForwardOutbox {
  private readonly ins;

  constructor(private readonly db: DB) {
    this.ins = db.prepare('INSERT INTO forward_outbox (report_id, report, created_at) VALUES (?, ?, ?)');
  }

  /** Queue a stored report (inside the transaction that stores it). */
  add(reportId: string, report: string, at: string): void {
    this.ins.run(reportId, report, at);
  }

  depth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM forward_outbox').get() as { n: number }).n;
  }

  refusedCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM forward_refused').get() as { n: number }).n;
  }

  /** Oldest rows first: at most `limit`, and at most `maxBytes` of report JSON (at least one row). */
  peek(limit: number, maxBytes: number): ForwardRow[] {
    const rows: ForwardRow[] = [];
    let bytes = 0;
    for (const r of this.db.prepare('SELECT id, report_id, report FROM forward_outbox ORDER BY id LIMIT ?').iterate(limit) as IterableIterator<ForwardRow>) {
      if (rows.length && bytes + r.report.length > maxBytes) break;
      rows.push(r);
      bytes += r.report.length;
    }
    return rows;
  }

  /**
   * Remove a peeked batch the ministry answered for, keeping refused items aside, in one
   * transaction. `settled` is the batch in order (peek's lowest ids: the id range is exactly it).
   */
  settle(settled: readonly ForwardSettlement[], now = new Date()): void {
    if (!settled.length) return;
    const at = now.toISOString();
    const aside = this.db.prepare('INSERT INTO forward_refused (report_id, report, code, reason, refused_at) VALUES (?, ?, ?, ?, ?)');
    const del = this.db.prepare('DELETE FROM forward_outbox WHERE id BETWEEN ? AND ?');
    this.db
      .transaction(() => {
        for (const s of settled) if (s.refused) aside.run(s.row.report_id, s.row.report, s.code, s.reason, at);
        del.run(settled[0]!.row.id, settled[settled.length - 1]!.row.id);
      })
      .immediate();
  }

  /** Put refused reports back in the queue (all, or those refused with `code`); returns how many. */
  requeue(code?: string): number {
    const where = code ? 'WHERE code = ?' : '';
    const args = code ? [code] : [];
    return this.db
      .transaction(() => {
        this.db.prepare(`INSERT INTO forward_outbox (report_id, report, created_at) SELECT report_id, report, refused_at FROM forward_refused ${where} ORDER BY id`).run(...args);
        return this.db.prepare(`DELETE FROM forward_refused ${where}`).run(...args).changes;
      })
      .immediate();
  }
}
