/**
 * POST /api/v1/reports: an agent's report. The guard (auth/guard.ts) has already tied the
 * request to an agent by its credential; the unit comes from that agent, never from the body.
 * The report is validated, then persisted with its InfluxDB points (group commit) before 2xx.
 */
import type { FastifyInstance } from 'fastify';
import type { Report, ReportAck } from '@posture/protocol';
import type { Collector } from '../context.js';
import { toIngestRow } from '../store/hosts.js';
import { ApiFailure } from '../errors.js';
import { pointsOfReport } from '../influx/points.js';
import { problemsOf, storageProblems, validateReport } from '../ingest/validate.js';

export function reportsRoute(app: FastifyInstance, c: Collector): void {
  app.post('/api/v1/reports', async (req, reply) => {
    if (req.principal.kind !== 'agent') throw new ApiFailure('AUTH_REQUIRED', 'reports need an agent credential');
    const agent = req.principal.agent;
    if (!validateReport(req.body)) throw new ApiFailure('REPORT_INVALID', 'report does not match the report schema', problemsOf(validateReport.errors));
    const report = req.body as Report;
    if (report.agentId !== agent.id) {
      throw new ApiFailure('AGENT_MISMATCH', `report claims agent "${report.agentId}" but the credential belongs to agent "${agent.id}"`, [{ path: '/agentId', message: `must be ${agent.id}` }]);
    }
    const m = report.probes.membership;
    if (m.ok && m.facts.unit !== agent.unit) {
      throw new ApiFailure('UNIT_MISMATCH', `report claims unit "${m.facts.unit}" but this agent is enrolled for unit "${agent.unit}"; fix "unit" in the agent config or re-enroll with the right unit's secret`, [
        { path: '/probes/membership/facts/unit', message: `must be ${agent.unit}` },
      ]);
    }
    const now = new Date();
    const skewMs = Math.abs(Date.parse(report.collectedAt) - now.getTime());
    if (skewMs > c.config.limits.clockSkewMinutes * 60_000) {
      throw new ApiFailure('CLOCK_SKEW', `collectedAt ${report.collectedAt} is ${Math.round(skewMs / 60_000)} min from the collector's clock (limit ${c.config.limits.clockSkewMinutes} min); check the host's time synchronisation`, [
        { path: '/collectedAt', message: 'too far from the collector clock' },
      ]);
    }
    const points = pointsOfReport(report, agent.unit);
    const row = toIngestRow({ report, unit: agent.unit, points, receivedAt: now, json: req.rawJson });
    const unstorable = storageProblems(report, row.report);
    if (unstorable.length) throw new ApiFailure('REPORT_INVALID', 'report has values the collector cannot store exactly', unstorable);
    if (!c.outbox.hasRoomFor(points.length)) {
      // InfluxDB has been unreachable long enough to fill the outbox: refuse rather than drop;
      // the agent spools the report and resends it.
      throw new ApiFailure('OUTBOX_FULL', 'the collector cannot take reports now (time-series outbox full while InfluxDB is unreachable); retry later', undefined, 60);
    }
    const stored = await c.ingest.submit(row);
    if (stored) c.counters.accepted++;
    else c.counters.duplicate++;
    const ack: ReportAck = { reportId: report.reportId, stored };
    return reply.code(stored ? 201 : 200).send(ack);
  });
}
