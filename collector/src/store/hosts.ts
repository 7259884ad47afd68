/** Reports (idempotency keys), the latest state of each host, and the durable outbox. */
import type { Report } from '@posture/protocol';
import type { DB } from './db.js';
import type { Point } from '../influx/points.js';

export interface HostRow {
  agent_id: string;
  unit: string;
  hostname: string;
  role: string;
  systems: string[];
  protected: boolean | null;
  protection_reasons: string[];
  ipv6_readiness: string | null;
  collected_at: string;
  received_at: string;
  decommissioned_at: string | null;
}

type RawHost = Omit<HostRow, 'systems' | 'protected' | 'protection_reasons'> & { systems: string; protected: number | null; protection_reasons: string };

const toHost = (r: RawHost): HostRow => ({
  ...r,
  systems: JSON.parse(r.systems) as string[],
  protected: r.protected === null ? null : r.protected === 1,
  protection_reasons: JSON.parse(r.protection_reasons) as string[],
});

const HOST_COLUMNS = 'agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, collected_at, received_at, decommissioned_at';

export class HostStore {
  private readonly insertReport;
  private readonly upsertHost;
  private readonly insertOutbox;

  constructor(private readonly db: DB) {
    this.insertReport = db.prepare('INSERT OR IGNORE INTO reports (report_id, agent_id, collected_at, received_at) VALUES (?, ?, ?, ?)');
    // A late (older) report must not overwrite a newer state: keep the newest collected_at.
    this.upsertHost = db.prepare(`
      INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness,
                         last_report_id, collected_at, received_at, report)
      VALUES (@agent_id, @unit, @hostname, @role, @systems, @protected, @reasons, @ipv6, @report_id, @collected_at, @received_at, @report)
      ON CONFLICT(agent_id) DO UPDATE SET
        unit = excluded.unit, hostname = excluded.hostname, role = excluded.role, systems = excluded.systems,
        protected = excluded.protected, protection_reasons = excluded.protection_reasons,
        ipv6_readiness = excluded.ipv6_readiness, last_report_id = excluded.last_report_id,
        collected_at = excluded.collected_at, received_at = excluded.received_at, report = excluded.report
      WHERE excluded.collected_at >= hosts.collected_at`);
    this.insertOutbox = db.prepare('INSERT INTO outbox (points, created_at) VALUES (?, ?)');
  }

  /**
   * Persist one accepted report in one transaction: its id (idempotency), the host's latest
   * state and its points for InfluxDB. Returns false when the id was already stored.
   */
  ingest(report: Report, unit: string, points: Point[], receivedAt: Date): boolean {
    return this.db.transaction(() => {
      const fresh = this.insertReport.run(report.reportId, report.agentId, report.collectedAt, receivedAt.toISOString()).changes === 1;
      if (!fresh) return false;
      const { host, membership, protection, ipv6 } = report.probes;
      const hostFacts = host.ok ? host.facts : null;
      this.upsertHost.run({
        agent_id: report.agentId,
        unit,
        hostname: hostFacts?.hostname ?? '',
        role: membership.ok ? membership.facts.role : (hostFacts?.role ?? 'server'),
        systems: JSON.stringify(membership.ok ? membership.facts.systems : []),
        protected: protection?.ok ? (protection.facts.protected ? 1 : 0) : null,
        reasons: JSON.stringify(
          protection?.ok ? protection.facts.reasons : [protection ? `protection probe failed: ${protection.error.code} ${protection.error.message}` : 'protection probe did not run'],
        ),
        ipv6: ipv6?.ok ? ipv6.facts.readiness : null,
        report_id: report.reportId,
        collected_at: report.collectedAt,
        received_at: receivedAt.toISOString(),
        report: JSON.stringify(report),
      });
      if (points.length) this.insertOutbox.run(JSON.stringify(points), receivedAt.toISOString());
      return true;
    })();
  }

  all(): HostRow[] {
    // Not the `report` column: the full report of every host is by far the largest part of a
    // row, and evaluation and the report only need the summary columns.
    return (this.db.prepare(`SELECT ${HOST_COLUMNS} FROM hosts ORDER BY unit, hostname`).all() as RawHost[]).map(toHost);
  }

  get(agentId: string): HostRow | undefined {
    const r = this.db.prepare('SELECT * FROM hosts WHERE agent_id = ?').get(agentId) as RawHost | undefined;
    return r && toHost(r);
  }

  latestReport(agentId: string): Report | undefined {
    const r = this.db.prepare('SELECT report FROM hosts WHERE agent_id = ?').get(agentId) as { report: string } | undefined;
    return r && (JSON.parse(r.report) as Report);
  }

  reportCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  }
}
