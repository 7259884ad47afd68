/**
 * POST /api/v1/reports: an agent's report. The unit and agent come from the credential, never
 * from the body; the report is validated, then persisted (with its InfluxDB points) before 2xx.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Report, ReportAck } from '@posture/protocol';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { pointsOfReport } from '../influx/points.js';
import { problemsOf, validateReport } from '../ingest/validate.js';
import type { AgentRow } from '../store/agents.js';

export function authenticateAgent(req: FastifyRequest, c: Collector): AgentRow {
  const h = req.headers.authorization;
  if (!h) throw new ApiFailure('AUTH_REQUIRED', 'missing "Authorization: Bearer <credential>" header; enroll the agent first');
  const m = /^Bearer\s+(\S+)$/.exec(h);
  if (!m) throw new ApiFailure('AUTH_INVALID', 'Authorization header must be "Bearer <credential>"');
  const agent = c.agents.byCredential(m[1]!);
  if (!agent) throw new ApiFailure('AUTH_INVALID', 'unknown agent credential; re-enroll the agent');
  if (agent.revoked_at) throw new ApiFailure('AGENT_REVOKED', `agent ${agent.id} was revoked at ${agent.revoked_at}; re-enroll it if it should report`);
  return agent;
}

export function reportsRoute(app: FastifyInstance, c: Collector): void {
  app.post('/api/v1/reports', async (req, reply) => {
    const agent = authenticateAgent(req, c);
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
    const stored = c.hosts.ingest(report, agent.unit, pointsOfReport(report, agent.unit), now);
    if (stored) c.counters.accepted++;
    else c.counters.duplicate++;
    const ack: ReportAck = { reportId: report.reportId, stored };
    return reply.code(stored ? 201 : 200).send(ack);
  });
}
