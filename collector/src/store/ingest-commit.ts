/**
 * THE ingest transaction: storing an accepted report touches four tables, and this is the one
 * place that does it, in one SQLite transaction per batch (one fsync): the report id
 * (idempotency, reports.ts), the host's latest state (hosts.ts), its points for InfluxDB
 * (outbox.ts) and, on a unit's collector with `upstream`, the report for the ministry's
 * collector (forward-outbox.ts). Used by the commit thread (ingest/commit-thread.ts) and by
 * tools that seed a store directly.
 */
import type { DB } from './db.js';
import type { ForwardOutbox } from './forward-outbox.js';
import type { HostStore, IngestRow } from './hosts.js';
import type { Outbox } from './outbox.js';
import type { ReportStore } from './reports.js';

export class IngestCommit {
  constructor(
    private readonly db: DB,
    private readonly stores: { reports: ReportStore; hosts: HostStore; outbox: Outbox; forwardOutbox: ForwardOutbox },
    /** Reports of this unit are also queued for the ministry's collector (config upstream.unit). */
    private readonly forwardUnit: string | null = null,
  ) {}

  private store(row: IngestRow): boolean {
    const { reports, hosts, outbox, forwardOutbox } = this.stores;
    if (!reports.insert(row.report_id, row.agent_id, row.collected_at, row.received_at)) return false;
    hosts.upsertLatest(row);
    outbox.addLinesInTransaction(row.lines, row.n, row.received_at);
    if (this.forwardUnit !== null && row.unit === this.forwardUnit) forwardOutbox.add(row.report_id, row.report, row.received_at);
    return true;
  }

  /**
   * Store `rows` in ONE transaction; per row, true when stored, false when its id was already
   * stored (a resend). `removeOutbox`: outbox rows InfluxDB acknowledged, deleted in the same
   * transaction (they need no fsync of their own); `removed` says how many went.
   */
  commit(rows: readonly IngestRow[], removeOutbox?: { from: number; to: number }): { stored: boolean[]; removed: number } {
    const { outbox } = this.stores;
    return outbox.tracked(() =>
      this.db.transaction(() => {
        const removed = removeOutbox ? outbox.removeRange(removeOutbox.from, removeOutbox.to) : 0;
        return { stored: rows.map((r) => this.store(r)), removed };
      })(),
    );
  }
}
