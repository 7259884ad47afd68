/** An accepted report as the row the ingest transaction stores (store/ingest-commit.ts). */
import type { Report } from '@posture/protocol';
import { toLines } from '../influx/line.js';
import type { Point } from '../influx/points.js';
import type { IngestRow } from '../store/hosts.js';

/** One accepted report on its way to the store. */
export interface IngestItem {
  report: Report;
  unit: string;
  points: Point[];
  receivedAt: Date;
  /** The report's JSON as received, when at hand (kept as the host's latest report). */
  json?: string | null | undefined;
}

export function toIngestRow({ report, unit, points, receivedAt, json }: IngestItem): IngestRow {
  const { host, membership, protection, ipv6 } = report.probes;
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
    received_at: receivedAt.toISOString(),
    report: json ?? JSON.stringify(report),
    lines: points.length ? toLines(points) : '',
    n: points.length,
  };
}
