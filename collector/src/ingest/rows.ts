/**
 * An accepted report as the row the ingest transaction stores (store/ingest-commit.ts). The
 * main thread checks a report and hands over its JSON text with what it decided (an
 * AcceptedReport); the commit thread parses the text again and derives the row: points, line
 * protocol, content hash, product and rule facts. That derivation was about a fifth of the
 * event loop's time per report; a second JSON.parse off the event loop costs less than it.
 */
import { hash } from 'node:crypto';
import type { Report } from '@posture/protocol';
import { toLines } from '../influx/line.js';
import { pointsOfReport, type Point } from '../influx/points.js';
import type { IngestRow } from '../store/hosts.js';
import { protectionFactsOf } from '../policy/protection.js';
import { ruleFactsOf } from './rule-facts.js';

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
  /** Sent with this agent's own credential: the commit refuses it if the agent was revoked since. */
  byAgentCredential?: boolean | undefined;
}

/** A report the main thread accepted, as it goes to the commit thread (structured clone of a few strings). */
export interface AcceptedReport {
  /** The report's JSON text: as received, or as written from a relayed report's object. */
  json: string;
  reportId: string;
  agentId: string;
  unit: string;
  /** The unit's short name from the config: the `unit_name` tag of its points. */
  unitName: string | undefined;
  receivedAt: string;
  collectedMs: number;
  /** Sent with the agent's own credential (not relayed): refused at commit if the agent was revoked since. */
  byAgentCredential: boolean;
}

/** The row of an accepted report (on the commit thread). */
export function rowOfAccepted(a: AcceptedReport): IngestRow {
  const report = JSON.parse(a.json) as Report;
  const points = pointsOfReport(report, a.unit, a.collectedMs, a.unitName);
  return toIngestRow({ report, unit: a.unit, points, receivedAt: new Date(a.receivedAt), json: a.json, collectedMs: a.collectedMs, byAgentCredential: a.byAgentCredential });
}

export function toIngestRow({ report, unit, points, receivedAt, json, collectedMs, byAgentCredential }: IngestItem): IngestRow {
  const { host, membership, protection, ipv6 } = report.probes;
  const collected_ms = collectedMs ?? Date.parse(report.collectedAt);
  const text = json ?? JSON.stringify(report);
  const hostFacts = host.ok ? host.facts : null;
  const ruleFacts = ruleFactsOf(report);
  return {
    report_id: report.reportId,
    agent_id: report.agentId,
    unit,
    hostname: hostFacts?.hostname ?? '',
    role: membership.ok ? membership.facts.role : (hostFacts?.role ?? 'server'),
    systems: JSON.stringify(membership.ok ? membership.facts.systems : []),
    protected: protection?.ok ? (protection.facts.protected ? 1 : 0) : null,
    reasons: JSON.stringify(protection?.ok ? protection.facts.reasons : [protection ? `protection probe failed: ${protection.error.code} ${protection.error.message}` : 'protection probe did not run']),
    ipv6: ipv6?.ok ? ipv6.facts.readiness : null,
    collected_at: report.collectedAt,
    collected_ms,
    received_at: receivedAt.toISOString(),
    report: text,
    // One-shot hash: no Hash object per report (the streaming API costs about twice as much for a few KB).
    content_hash: hash('sha256', text, 'base64'),
    protection_facts: JSON.stringify(protectionFactsOf(report, collected_ms)),
    rule_facts: ruleFacts.facts,
    check_titles: ruleFacts.titles,
    lines: points.length ? toLines(points) : '',
    n: points.length,
    by_agent_credential: byAgentCredential ?? false,
  };
}
