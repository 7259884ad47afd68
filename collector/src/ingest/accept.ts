/**
 * The checks every report passes once its sender is known, whether an agent posted it
 * (routes/reports.ts) or a unit's collector relayed it (routes/relay.ts): schema, agent, unit,
 * clock, storability; then what goes to the commit thread, which derives the stored row from
 * it (ingest/rows.ts). Throws ApiFailure naming what is wrong.
 */
import type { Report } from '@posture/protocol';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { pointCountOfReport } from '../influx/points.js';
import type { AcceptedReport } from './rows.js';
import { clockProblem, clockSkewMessage, parseInstant } from './instant.js';
import { problemsOf, storageProblems, validateReport } from './validate.js';

/** A checked report: the parsed document, what the commit thread takes, and how many InfluxDB points it makes. */
export interface CheckedReport {
  report: Report;
  accepted: AcceptedReport;
  points: number;
}

/** Who sent a report: an agent with its own credential, or a unit's collector relaying one of its agents. */
export interface ReportSender {
  id: string;
  unit: string;
  relayed: boolean;
}

export function acceptReport(c: Collector, body: unknown, agent: ReportSender, json: string | null, now: Date): CheckedReport {
  if (!validateReport(body)) throw new ApiFailure('REPORT_INVALID', 'report does not match the report schema', problemsOf(validateReport.errors));
  return checkReport(c, body as Report, agent, json, now);
}

/** The checks after the schema (the route's body schema, or acceptReport's): agent, unit, clock, storability. */
export function checkReport(c: Collector, report: Report, agent: ReportSender, json: string | null, now: Date): CheckedReport {
  if (report.agentId !== agent.id) {
    throw new ApiFailure('AGENT_MISMATCH', `report claims agent "${report.agentId}" but the credential belongs to agent "${agent.id}"`, [{ path: '/agentId', message: `must be ${agent.id}` }]);
  }
  const m = report.probes.membership;
  if (m.ok && m.facts.unit !== agent.unit) {
    throw new ApiFailure('UNIT_MISMATCH', `report claims unit "${m.facts.unit}" but this agent is enrolled for unit "${agent.unit}"; fix "unit" in the agent config or re-enroll with the right unit's secret`, [
      { path: '/probes/membership/facts/unit', message: `must be ${agent.unit}` },
    ]);
  }
  const host = report.probes.host;
  if (host.ok && host.facts.hostname.trim() === '') {
    throw new ApiFailure('REPORT_INVALID', 'hostname is blank; the agent must report the host\'s name (set "hostname" in the agent config if the OS gives none)', [{ path: '/probes/host/facts/hostname', message: 'must not be blank' }]);
  }
  // The one parse of collectedAt: from here on the report's time is an instant.
  const collectedMs = parseInstant(report.collectedAt);
  if (collectedMs === null) throw new ApiFailure('REPORT_INVALID', `collectedAt ${report.collectedAt} names no instant`, [{ path: '/collectedAt', message: 'must be an RFC 3339 date-time' }]);
  const clock = clockProblem(collectedMs, now.getTime(), c.config.limits.futureSkewMinutes * 60_000, c.config.limits.clockSkewMinutes * 60_000);
  if (clock) {
    throw new ApiFailure('CLOCK_SKEW', clockSkewMessage(clock, report.collectedAt), [
      { path: '/collectedAt', message: clock.kind === 'future' ? `${Math.round(clock.offsetMs / 1000)} s ahead of the collector clock` : `${Math.round(-clock.offsetMs / 1000)} s behind the collector clock` },
    ]);
  }
  const text = json ?? JSON.stringify(report);
  const unstorable = storageProblems(report, text);
  if (unstorable.length) throw new ApiFailure('REPORT_INVALID', 'report has values the collector cannot store exactly', unstorable);
  const u = c.config.units.find((x) => x.id === agent.unit);
  const accepted: AcceptedReport = {
    json: text,
    reportId: report.reportId,
    agentId: report.agentId,
    unit: agent.unit,
    unitName: u ? (u.shortName ?? u.name) : undefined,
    receivedAt: now.toISOString(),
    collectedMs,
    byAgentCredential: !agent.relayed,
  };
  return { report, accepted, points: pointCountOfReport(report) };
}

/** The REPORT_ID_CONFLICT message: what happened and what to fix. */
export const reportIdConflict = (reportId: string): string =>
  `report id ${reportId} was already stored from this agent with other content; the first report is kept. Each report needs a new id: check that the agent's state directory was not copied or restored from another machine or an older backup`;

/** InfluxDB has been unreachable long enough to fill the outbox: refuse rather than drop (senders resend). */
export function checkOutboxRoom(c: Collector, points: number): void {
  if (!c.outbox.hasRoomFor(points)) {
    throw new ApiFailure('OUTBOX_FULL', 'the collector cannot take reports now (time-series outbox full while InfluxDB is unreachable); retry later', undefined, 60);
  }
}
