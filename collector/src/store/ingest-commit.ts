/**
 * THE ingest transaction: storing an accepted report touches four tables, and this is the one
 * place that does it, in one SQLite transaction per batch (one fsync): the report id
 * (idempotency, reports.ts), the host's latest state (hosts.ts) and rule facts
 * (host-rule-facts.ts), its points for InfluxDB
 * (outbox.ts) and, on a unit's collector with `upstream`, the report for the ministry's
 * collector (forward-outbox.ts). A report sent with an agent's own credential is stored only
 * while that agent is not revoked, read in the same transaction (agents.ts). Used by the commit thread (ingest/commit-thread.ts) and by
 * tools that seed a store directly.
 */
import type { AgentStore } from './agents.js';
import type { DB } from './db.js';
import type { ForwardOutbox } from './forward-outbox.js';
import type { HostStore, IngestRow } from './hosts.js';
import { HostRuleFactsStore } from './host-rule-facts.js';
import type { Outbox } from './outbox.js';
import type { IngestOutcome, ReportStore } from './reports.js';

export class IngestCommit {
  private readonly ruleFacts: HostRuleFactsStore;

  constructor(
    private readonly db: DB,
    private readonly stores: { reports: ReportStore; hosts: HostStore; outbox: Outbox; forwardOutbox: ForwardOutbox; agents: AgentStore },
    /** Reports of this unit are also queued for the ministry's collector (config upstream.unit). */
    private readonly forwardUnit: string | null = null,
  ) {
    this.ruleFacts = new HostRuleFactsStore(db);
  }

  private store(row: IngestRow): IngestOutcome {
    const { reports, hosts, outbox, forwardOutbox, agents } = this.stores;
    if (row.by_agent_credential && agents.isRevoked(row.agent_id)) return 'revoked';
    const outcome = reports.insert(row);
    if (outcome !== 'stored') return outcome;
    // The rule facts follow the host's state: only a report that became its latest replaces them.
    if (hosts.upsertLatest(row)) this.ruleFacts.put(row.agent_id, row.rule_facts, row.check_titles);
    outbox.addLinesInTransaction(row.lines, row.n, row.received_at);
    if (this.forwardUnit !== null && row.unit === this.forwardUnit) forwardOutbox.add(row.report_id, row.report, row.received_at);
    return 'stored';
  }

  /**
   * Store `rows` in ONE transaction; per row, `stored` true when stored, and `outcomes` what
   * storing did (stored, duplicate: a resend, conflict: this agent's id reused for other content,
   * revoked: sent with the credential of an agent revoked since). `removeOutbox`: outbox rows InfluxDB acknowledged, deleted in the same
   * transaction (they need no fsync of their own); `removed` says how many went.
   */
  commit(rows: readonly IngestRow[], removeOutbox?: { from: number; to: number }): { stored: boolean[]; outcomes: IngestOutcome[]; removed: number } {
    const { outbox } = this.stores;
    let committed = false;
    try {
      const done = outbox.tracked(() =>
        this.db
          .transaction(() => {
            const removed = removeOutbox ? outbox.removeRange(removeOutbox.from, removeOutbox.to) : 0;
            const outcomes = rows.map((r) => this.store(r));
            return { stored: outcomes.map((o) => o === 'stored'), outcomes, removed };
          })
          .immediate(),
      );
      committed = true;
      return done;
    } finally {
      this.ruleFacts.settle(committed);
    }
  }
}
