/** Reports (idempotency keys), the latest state of each host, and the durable outbox. */
import { createHash } from 'node:crypto';
import type { Report } from '@posture/protocol';
import type { DB } from './db.js';
import type { Point } from '../influx/points.js';
import type { Outbox } from './outbox.js';
import { toLines } from '../influx/line.js';
import { protectionFactsOf } from '../policy/protection.js';

/**
 * What storing one report did: a new report (stored), a resend of one this agent already sent
 * (duplicate: same content), or a reuse of one of its report ids for other content (conflict:
 * refused, never silently dropped). Report ids are the agent's: two agents may use the same.
 */
export type IngestOutcome = 'stored' | 'duplicate' | 'conflict';

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
  /** The collection instant, epoch ms: the order of a host's reports. */
  collected_ms: number;
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

/** One accepted report on its way to the store. */
export interface IngestItem {
  report: Report;
  unit: string;
  points: Point[];
  receivedAt: Date;
  /** The report's JSON as received, when at hand (kept as the host's latest report). */
  json?: string | null | undefined;
  /** collectedAt as parsed once at the boundary (ingest/instant.ts); parsed here when absent. */
  collectedMs?: number | undefined;
}

/**
 * The same, flattened to the strings and numbers the SQL statements take: cheap to hand to the
 * commit thread (structured clone of a few strings, not of the whole report object).
 */
export interface IngestRow {
  report_id: string;
  agent_id: string;
  unit: string;
  hostname: string;
  role: string;
  systems: string;
  protected: number | null;
  reasons: string;
  ipv6: string | null;
  collected_at: string;
  collected_ms: number;
  received_at: string;
  report: string;
  /** sha256 of the report JSON: a resent id with other content is a conflict, not a duplicate. */
  content_hash: string;
  /** The product facts the protection policy judges at evaluation time (policy/protection.ts), JSON. */
  protection_facts: string;
  /** The report's points as line protocol, and how many. */
  lines: string;
  n: number;
}

export function toIngestRow({ report, unit, points, receivedAt, json, collectedMs }: IngestItem): IngestRow {
  const { host, membership, protection, ipv6 } = report.probes;
  const collected_ms = collectedMs ?? Date.parse(report.collectedAt);
  const text = json ?? JSON.stringify(report);
  const hostFacts = host.ok ? host.facts : null;
  return {
    report_id: report.reportId,
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
    collected_at: report.collectedAt,
    collected_ms,
    received_at: receivedAt.toISOString(),
    report: text,
    content_hash: createHash('sha256').update(text).digest('base64'),
    protection_facts: JSON.stringify(protectionFactsOf(report, collected_ms)),
    lines: points.length ? toLines(points) : '',
    n: points.length,
  };
}

// Never `SELECT *`: the report column holds each host's latest full report (2-4 KB), kept on
// disk for `posture hosts show` and never loaded for lists, so 100,000 hosts stay small in RAM.
const COLS = 'agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, collected_at, collected_ms, received_at, decommissioned_at';

export class HostStore {
  private readonly insertReport;
  private readonly storedHash;
  private readonly upsertHost;
  private readonly insertForward;

  constructor(
    private readonly db: DB,
    private readonly outbox: Outbox,
    /**
     * On a unit's collector with `upstream`: reports of this unit are also queued for the
     * ministry's collector, in the same transaction (nothing acknowledged escapes forwarding).
     */
    private readonly forwardUnit: string | null = null,
  ) {
    this.insertForward = db.prepare('INSERT INTO forward_outbox (report_id, report, created_at) VALUES (?, ?, ?)');
    // Idempotency per agent: the key is (agent, report id), so two agents' ids never collide.
    this.insertReport = db.prepare('INSERT OR IGNORE INTO reports (agent_id, report_id, collected_at, collected_ms, received_at, content_hash) VALUES (?, ?, ?, ?, ?, ?)');
    this.storedHash = db.prepare('SELECT content_hash FROM reports WHERE agent_id = ? AND report_id = ?').pluck();
    // The host's state follows its newest report by collection INSTANT (epoch ms, never the
    // text: "+07:00" and "Z" do not sort as time); an older one (a spool draining) is history:
    // stored and sent to InfluxDB, but it never replaces a newer state.
    this.upsertHost = db.prepare(`
      INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness,
                         last_report_id, collected_at, collected_ms, received_at, report, protection_facts)
      VALUES (@agent_id, @unit, @hostname, @role, @systems, @protected, @reasons, @ipv6, @report_id, @collected_at, @collected_ms, @received_at, @report, @protection_facts)
      ON CONFLICT(agent_id) DO UPDATE SET
        unit = excluded.unit, hostname = excluded.hostname, role = excluded.role, systems = excluded.systems,
        protected = excluded.protected, protection_reasons = excluded.protection_reasons,
        ipv6_readiness = excluded.ipv6_readiness, last_report_id = excluded.last_report_id,
        collected_at = excluded.collected_at, collected_ms = excluded.collected_ms, received_at = excluded.received_at,
        report = excluded.report, protection_facts = excluded.protection_facts
      WHERE excluded.collected_ms >= hosts.collected_ms`);
  }

  private store(row: IngestRow): IngestOutcome {
    const fresh = this.insertReport.run(row.agent_id, row.report_id, row.collected_at, row.collected_ms, row.received_at, row.content_hash).changes === 1;
    if (!fresh) {
      // Keys stored before content hashes were kept (NULL) cannot be compared: a resend.
      const stored = this.storedHash.get(row.agent_id, row.report_id) as string | null | undefined;
      return stored === null || stored === undefined || stored === row.content_hash ? 'duplicate' : 'conflict';
    }
    this.upsertHost.run(row);
    this.outbox.addLinesInTransaction(row.lines, row.n, row.received_at);
    if (this.forwardUnit !== null && row.unit === this.forwardUnit) this.insertForward.run(row.report_id, row.report, row.received_at);
    return 'stored';
  }

  /**
   * Persist one accepted report in one transaction: its id (idempotency), the host's latest
   * state and its points for InfluxDB. Returns false when it was not stored (a resend or a
   * conflicting reuse of its id).
   */
  ingest(report: Report, unit: string, points: Point[], receivedAt: Date): boolean {
    return this.ingestOutcomes([toIngestRow({ report, unit, points, receivedAt })])[0] === 'stored';
  }

  /** Several reports in ONE transaction (one fsync): the group commit of the ingest path. */
  ingestOutcomes(rows: readonly IngestRow[]): IngestOutcome[] {
    return this.outbox.tracked(() => this.db.transaction(() => rows.map((r) => this.store(r)))());
  }

  /** The same, true where stored. */
  ingestRows(rows: readonly IngestRow[]): boolean[] {
    return this.ingestOutcomes(rows).map((o) => o === 'stored');
  }

  all(opts: { includeDecommissioned?: boolean } = {}): HostRow[] {
    const where = opts.includeDecommissioned ? '' : 'WHERE decommissioned_at IS NULL';
    return (this.db.prepare(`SELECT ${COLS} FROM hosts ${where} ORDER BY unit, hostname`).all() as RawHost[]).map(toHost);
  }

  /** One page of hosts, filtered in SQL (lists of 100,000 hosts never materialise at once). */
  page(q: { unit?: string | undefined; staleBefore?: Date | undefined; freshSince?: Date | undefined; includeDecommissioned?: boolean; limit: number; offset: number }): { total: number; rows: HostRow[] } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (!q.includeDecommissioned) where.push('decommissioned_at IS NULL');
    if (q.unit) (where.push('unit = ?'), args.push(q.unit));
    if (q.staleBefore) (where.push('received_at < ?'), args.push(q.staleBefore.toISOString()));
    if (q.freshSince) (where.push('received_at >= ?'), args.push(q.freshSince.toISOString()));
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM hosts ${w}`).get(...args) as { n: number }).n;
    const rows = (this.db.prepare(`SELECT ${COLS} FROM hosts ${w} ORDER BY unit, hostname, agent_id LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as RawHost[]).map(toHost);
    return { total, rows };
  }

  /** Hosts silent since before `cutoff` (not decommissioned): they count as not protected. */
  stale(cutoff: Date): HostRow[] {
    return (this.db.prepare(`SELECT ${COLS} FROM hosts WHERE decommissioned_at IS NULL AND received_at < ? ORDER BY unit, hostname`).all(cutoff.toISOString()) as RawHost[]).map(toHost);
  }

  get(agentId: string): HostRow | undefined {
    const r = this.db.prepare(`SELECT ${COLS} FROM hosts WHERE agent_id = ?`).get(agentId) as RawHost | undefined;
    return r && toHost(r);
  }

  /** Hosts whose agent id or hostname is `key` (hostnames repeat across units). */
  find(key: string): HostRow[] {
    return (this.db.prepare(`SELECT ${COLS} FROM hosts WHERE agent_id = ? OR hostname = ? ORDER BY unit`).all(key, key) as RawHost[]).map(toHost);
  }

  /** Take a host out of every denominator; false when it is unknown or already decommissioned. */
  decommission(agentId: string, reason: string, now = new Date()): boolean {
    return this.db.prepare('UPDATE hosts SET decommissioned_at = ?, decommission_reason = ? WHERE agent_id = ? AND decommissioned_at IS NULL').run(now.toISOString(), reason, agentId).changes === 1;
  }

  latestReport(agentId: string): Report | undefined {
    const r = this.db.prepare('SELECT report FROM hosts WHERE agent_id = ?').get(agentId) as { report: string } | undefined;
    return r && (JSON.parse(r.report) as Report);
  }

  reportCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  }

  /**
   * Forget idempotency keys of reports collected before `cutoff`. Reports that old are refused
   * by the clock-skew check anyway, so a resend of one can never be counted twice.
   */
  pruneReportIds(cutoff: Date): number {
    return this.db.prepare('DELETE FROM reports WHERE collected_ms < ?').run(cutoff.getTime()).changes;
  }
}
