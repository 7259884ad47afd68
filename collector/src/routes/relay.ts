/**
 * The ministry side of federation (see collector/README.md, "Scale-out").
 *
 * POST /api/v1/relay/enroll   a unit's enrollment secret -> a relay credential bound to that unit
 * POST /api/v1/relay/reports  a batch of reports from a unit's collector; answered per item
 *
 * Each item passes the same checks as an agent's report (ingest/accept.ts); its agent must be
 * of the relay's unit and is created on first sight (bound to that unit, with no usable
 * credential). Items are stored with the same group commit and idempotency, so a relay that
 * resends after a lost answer counts nothing twice.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { RelayAck, RelayBatch, RelayEnrollRequest, RelayEnrollResponse, type RelayItemResult } from '@posture/protocol';
import { ApiFailure } from '../errors.js';
import { acceptReport, checkOutboxRoom, reportIdConflict } from '../ingest/accept.js';
import type { AcceptedReport } from '../ingest/rows.js';
import type { BindOutcome, NewRelayedAgent } from '../store/relays.js';
import { requireUnitSecret, takeEnrollToken } from './enroll.js';
import { errorResponses, NoQuery, refTo, type RouteDeps } from './schemas.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Why a relay may not post an agent's reports, as the API's coded error. */
function bindFailure(b: Exclude<BindOutcome, { ok: true }>, agentId: string, relayUnit: string): ApiFailure {
  switch (b.code) {
    case 'AGENT_OTHER_UNIT':
      return new ApiFailure('AGENT_OTHER_UNIT', `agent "${agentId}" belongs to unit "${b.agentUnit}"; this relay speaks only for unit "${relayUnit}"`, [{ path: '/agentId', message: `not an agent of ${relayUnit}` }]);
    case 'AGENT_NOT_RELAYED':
      return new ApiFailure('AGENT_NOT_RELAYED', `agent "${agentId}" is enrolled directly with this collector; its reports cannot come through a relay`, [{ path: '/agentId', message: 'enrolled directly' }]);
    case 'AGENT_REVOKED':
      return new ApiFailure('AGENT_REVOKED', `agent "${agentId}" was revoked at ${b.revokedAt}`, [{ path: '/agentId', message: 'revoked' }]);
  }
}

export const relayRoutes: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c, enrollLimiter }, done) => {
  app.post(
    '/api/v1/relay/enroll',
    {
      config: { counts: 'enrollments', invalidBody: { code: 'ENROLL_INVALID', message: 'relay enrollment request is invalid' } },
      preValidation: takeEnrollToken(enrollLimiter),
      schema: { querystring: NoQuery, body: refTo(RelayEnrollRequest), response: { 201: refTo(RelayEnrollResponse), ...errorResponses } },
    },
    async (req, reply) => {
      const body = req.body;
      await requireUnitSecret(c, req, body.unit, body.secret, `relay ${body.name}`);
      const { relayId, credential } = c.relays.enroll(body.unit, body.name);
      c.audit.record('anonymous', 'relay.enroll', relayId, { unit: body.unit, name: body.name, ip: req.ip });
      req.log.info({ unit: body.unit, relayId, name: body.name }, 'relay enrolled');
      return reply.code(201).send({ relayId, unit: body.unit, credential });
    },
  );

  app.post(
    '/api/v1/relay/reports',
    {
      bodyLimit: c.config.relay.bodyBytes,
      config: {
        invalidBody: { code: 'REQUEST_INVALID', message: 'relay batch must be {"reports": [report, ...]} with 1 to 5000 reports' },
        bodyLimitSetting: 'relay.bodyBytes',
        bodyLimitHint: 'send fewer reports per batch',
      },
      schema: { querystring: NoQuery, body: refTo(RelayBatch), response: { 200: refTo(RelayAck), ...errorResponses } },
    },
    async (req, reply) => {
      if (req.principal.kind !== 'relay') throw new ApiFailure('AUTH_REQUIRED', 'relayed reports need a relay credential');
      const relay = req.principal.relay;
      const items: readonly Record<string, unknown>[] = req.body.reports;
      const now = new Date();
      const results: RelayItemResult[] = [];
      const accepted: { i: number; report: AcceptedReport; points: number }[] = [];
      const newAgents = new Map<string, NewRelayedAgent>();
      items.forEach((item, i) => {
        const reportId = str(item.reportId);
        try {
          const { report, accepted: a, points } = acceptReport(c, item, { id: str(item.agentId) ?? '', unit: relay.unit, relayed: true }, null, now);
          if (!newAgents.has(report.agentId)) {
            const host = report.probes.host;
            const bound = c.relays.bindAgent(relay, report.agentId, host.ok ? host.facts.hostname : '', host.ok ? host.facts.machineId : '');
            if (!bound.ok) throw bindFailure(bound, report.agentId, relay.unit);
            if (bound.create) newAgents.set(bound.create.id, bound.create);
          }
          accepted.push({ i, report: a, points });
          results.push({ reportId, status: 'stored' });
        } catch (e) {
          if (!(e instanceof ApiFailure)) throw e;
          c.metrics.reportRejected(e.code);
          const where = e.details?.length ? ` (${e.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : '';
          results.push({ reportId, status: 'refused', code: e.code, reason: `${e.message}${where}` });
        }
      });
      // The whole batch waits (503) rather than part of it: the relay keeps it and resends.
      checkOutboxRoom(
        c,
        accepted.reduce((n, a) => n + a.points, 0),
      );
      c.relays.addAgents([...newAgents.values()], now);
      const outcomes = await Promise.all(accepted.map((a) => c.ingest.submit(a.report)));
      accepted.forEach((a, k) => {
        const outcome = outcomes[k];
        if (outcome === 'stored') c.metrics.reportAccepted();
        else if (outcome === 'duplicate') {
          c.metrics.reportDuplicate();
          results[a.i]!.status = 'duplicate';
        } else {
          // 'revoked' cannot come back: a relayed report is not checked against this store's agents.
          c.metrics.reportRejected('REPORT_ID_CONFLICT');
          req.log.error({ relayId: relay.id, agentId: a.report.agentId, reportId: a.report.reportId }, 'relayed report id reused with other content; refused');
          results[a.i] = { reportId: a.report.reportId, status: 'refused', code: 'REPORT_ID_CONFLICT', reason: reportIdConflict(a.report.reportId) };
        }
      });
      return reply.code(200).send({ results });
    },
  );
  done();
};
