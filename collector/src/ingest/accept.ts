/**
 * The checks every report passes once its sender is known, whether an agent posted it
 * (routes/reports.ts) or a unit's collector relayed it (routes/relay.ts): schema, agent, unit,
 * clock; then the row the commit thread stores. Throws ApiFailure naming what is wrong.
 */
import type { Report } from '@posture/protocol';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { pointsOfReport } from '../influx/points.js';
import type { IngestRow } from '../store/hosts.js';
import { toIngestRow } from './rows.js';
import { problemsOf, storageProblems, validateReport } from './validate.js';

export function acceptReport(c: Collector, body: unknown, agent: { id: string; unit: string }, json: string | null, now: Date): { report: Report; row: IngestRow } {
  if (!validateReport(body)) throw new ApiFailure('REPORT_INVALID', 'report does not match the report schema', problemsOf(validateReport.errors));
  return checkReport(c, body as Report, agent, json, now);
}

/** The checks after the schema (the route's body schema, or acceptReport's): agent, unit, clock, storability. */
export function checkReport(c: Collector, report: Report, agent: { id: string; unit: string }, json: string | null, now: Date): { report: Report; row: IngestRow } {
  if (report.agentId !== agent.id) {
    throw new ApiFailure('AGENT_MISMATCH', `report claims agent "${report.agentId}" but the credential belongs to agent "${agent.id}"`, [{ path: '/agentId', message: `must be ${agent.id}` }]);
  }
  const m = report.probes.membership;
  if (m.ok && m.facts.unit !== agent.unit) {
    throw new ApiFailure('UNIT_MISMATCH', `report claims unit "${m.facts.unit}" but this agent is enrolled for unit "${agent.unit}"; fix "unit" in the agent config or re-enroll with the right unit's secret`, [
      { path: '/probes/membership/facts/unit', message: `must be ${agent.unit}` },
    ]);
  }
  const skewMs = Math.abs(Date.parse(report.collectedAt) - now.getTime());
  if (skewMs > c.config.limits.clockSkewMinutes * 60_000) {
    throw new ApiFailure('CLOCK_SKEW', `collectedAt ${report.collectedAt} is ${Math.round(skewMs / 60_000)} min from the collector's clock (limit ${c.config.limits.clockSkewMinutes} min); check the host's time synchronisation`, [
      { path: '/collectedAt', message: 'too far from the collector clock' },
    ]);
  }
  const points = pointsOfReport(report, agent.unit);
  const row = toIngestRow({ report, unit: agent.unit, points, receivedAt: now, json });
  const unstorable = storageProblems(report, row.report);
  if (unstorable.length) throw new ApiFailure('REPORT_INVALID', 'report has values the collector cannot store exactly', unstorable);
  return { report, row };
}

/** InfluxDB has been unreachable long enough to fill the outbox: refuse rather than drop (senders resend). */
export function checkOutboxRoom(c: Collector, points: number): void {
  if (!c.outbox.hasRoomFor(points)) {
    throw new ApiFailure('OUTBOX_FULL', 'the collector cannot take reports now (time-series outbox full while InfluxDB is unreachable); retry later', undefined, 60);
  }
}
