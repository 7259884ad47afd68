/**
 * POST /api/v1/reports: an agent's report. The guard (auth/guard.ts) has already tied the
 * request to an agent by its credential; the unit comes from that agent, never from the body.
 * The body schema is the protocol's Report (validated before the handler runs); the handler
 * checks what the schema cannot (agent, unit, clock), then persists the report with its
 * InfluxDB points (group commit) before 2xx.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Report, ReportAck } from '@posture/protocol';
import { ApiFailure } from '../errors.js';
import { checkOutboxRoom, checkReport, reportIdConflict } from '../ingest/accept.js';
import { errorResponses, NoQuery, refTo, type RouteDeps } from './schemas.js';

/**
 * The ack (ReportAck, two fields) as its JSON text: fastify then sends the string as it is, where
 * serializing the object through the response schema cost about 3% of the event loop per report.
 */
export const ackJson = (ack: ReportAck): string => `{"reportId":${JSON.stringify(ack.reportId)},"stored":${ack.stored}}`;

export const reportsRoute: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.post(
    '/api/v1/reports',
    {
      config: { counts: 'reports', invalidBody: { code: 'REPORT_INVALID', message: 'report does not match the report schema' } },
      schema: { querystring: NoQuery, body: refTo(Report), response: { 200: refTo(ReportAck), 201: refTo(ReportAck), ...errorResponses } },
    },
    async (req, reply) => {
      if (req.principal.kind !== 'agent') throw new ApiFailure('AUTH_REQUIRED', 'reports need an agent credential');
      const agent = req.principal.agent;
      const { report, accepted, points } = checkReport(c, req.body, { ...agent, relayed: false }, req.rawJson, new Date());
      // Outbox full: the agent spools the report and resends it.
      checkOutboxRoom(c, points);
      const outcome = await c.ingest.submit(accepted);
      if (outcome === 'revoked') {
        // Revoked from the CLI after the guard's cache took the credential (store/agents.ts).
        c.agents.forget(agent.id);
        throw new ApiFailure('AGENT_REVOKED', `agent ${agent.id} was revoked; re-enroll it if it should report`);
      }
      if (outcome === 'conflict') {
        req.log.error({ agentId: report.agentId, reportId: report.reportId }, 'report id reused with other content; refused');
        throw new ApiFailure('REPORT_ID_CONFLICT', reportIdConflict(report.reportId), [{ path: '/reportId', message: 'already used by this agent for another report' }]);
      }
      const stored = outcome === 'stored';
      if (stored) c.metrics.reportAccepted();
      else c.metrics.reportDuplicate();
      return (
        reply
          .code(stored ? 201 : 200)
          .type('application/json; charset=utf-8')
          // A string is sent as it is; the type provider knows only the object form of the schema.
          .send(ackJson({ reportId: report.reportId, stored }) as unknown as ReportAck)
      );
    },
  );
  done();
};
