/**
 * POST /api/v1/reports: an agent's report. The guard (auth/guard.ts) has already tied the
 * request to an agent by its credential; the unit comes from that agent, never from the body.
 * The report is validated, then persisted with its InfluxDB points (group commit) before 2xx.
 */
import type { FastifyInstance } from 'fastify';
import type { ReportAck } from '@posture/protocol';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { acceptReport, checkOutboxRoom, reportIdConflict } from '../ingest/accept.js';

export function reportsRoute(app: FastifyInstance, c: Collector): void {
  app.post('/api/v1/reports', async (req, reply) => {
    if (req.principal.kind !== 'agent') throw new ApiFailure('AUTH_REQUIRED', 'reports need an agent credential');
    const { report, row } = acceptReport(c, req.body, req.principal.agent, req.rawJson, new Date());
    // Outbox full: the agent spools the report and resends it.
    checkOutboxRoom(c, row.n);
    const outcome = await c.ingest.submit(row);
    if (outcome === 'conflict') {
      req.log.error({ agentId: report.agentId, reportId: report.reportId }, 'report id reused with other content; refused');
      throw new ApiFailure('REPORT_ID_CONFLICT', reportIdConflict(report.reportId), [{ path: '/reportId', message: 'already used by this agent for another report' }]);
    }
    const stored = outcome === 'stored';
    if (stored) c.counters.accepted++;
    else c.counters.duplicate++;
    const ack: ReportAck = { reportId: report.reportId, stored };
    return reply.code(stored ? 201 : 200).send(ack);
  });
}
