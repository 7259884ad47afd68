/** Hosts (latest state, stale flag), decommissioning, and the audit log. */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Report } from '@posture/protocol';
import { decommissionHost, findHost, hostPage, listedHost } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import { sendJsonArray } from './json-stream.js';
import { errorResponses, IdParams, Key, Nullable, Query, Row, type RouteDeps } from './schemas.js';

/** A host's stored row (store/hosts.ts). */
const HostRow = Row({
  agent_id: Type.String(),
  unit: Type.String(),
  hostname: Type.String(),
  role: Type.String(),
  systems: Type.Array(Type.String()),
  protected: Nullable(Type.Boolean()),
  protection_reasons: Type.Array(Type.String()),
  ipv6_readiness: Nullable(Type.String()),
  collected_at: Type.String(),
  received_at: Type.String(),
  decommissioned_at: Nullable(Type.String()),
});

/**
 * The host's latest report as stored: it passed the Report schema when it was received, so it
 * is written out as it is (JSON.stringify) rather than through a serializer of the Report
 * schema. That serializer needs a validator for each branch of the Report's many unions: ~40 MB
 * of the collector's memory and ~0.4 s of the event loop to compile, for a document that needs
 * no reshaping.
 */
const StoredReport = Type.Unsafe<Report | null>({ description: 'the latest report as the agent sent it (protocol schema Report), or null' });

/** A listed host: what the indicators see of it (rules/members.ts), with its decommissioning. */
const ListedHost = Row({
  id: Type.String(),
  unit: Type.String(),
  hostname: Type.String(),
  role: Type.String(),
  stale: Type.Boolean(),
  protected: Type.Boolean(),
  systems: Type.Array(Type.String()),
  ipv6Readiness: Nullable(Type.String()),
  reasons: Type.Array(Type.String()),
  lastSeen: Type.String(),
  decommissionedAt: Nullable(Type.String()),
});

export const hostsRoutes: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.get(
    '/api/v1/hosts',
    {
      // This route answered bad parameters with 422 before the schema named them; clients rely on it.
      config: { invalidQuery: 'REQUEST_INVALID' },
      schema: {
        querystring: Query({
          unit: Type.Optional(Key),
          stale: Type.Optional(Type.Boolean()),
          decommissioned: Type.Optional(Type.Boolean()),
          limit: Type.Integer({ minimum: 0, maximum: 10_000, default: 1000 }),
          offset: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
        }),
        response: {
          200: Type.Object({ staleAfterMinutes: Type.Number(), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), hosts: Type.Array(ListedHost) }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { unit, stale, decommissioned, limit, offset } = req.query;
      const page = await hostPage(c, { unit, stale, includeDecommissioned: decommissioned === true, limit, offset });
      // Read from one snapshot and streamed a chunk of hosts at a time, a turn of the event loop
      // each (agents' reports are answered between chunks); the bytes are what the 200 schema above describes.
      sendJsonArray(reply, { head: { staleAfterMinutes: c.config.staleAfterMinutes, total: page.total, limit, offset }, key: 'hosts', chunks: page.chunks, itemSchema: ListedHost, close: page.close });
      return reply;
    },
  );

  app.get('/api/v1/hosts/:id', { schema: { params: IdParams, querystring: Query({}), response: { 200: Row({ ...HostRow.properties, latestReport: StoredReport }), ...errorResponses } } }, (req) => {
    const h = findHost(c, req.params.id);
    // `protected` of the row is the agent's own verdict; `evaluation` (the collector's, with
    // the agent's beside it where they differ) is what the indicators count.
    return { ...h, evaluation: listedHost(c, h), latestReport: c.hosts.latestReport(h.agent_id) ?? null };
  });

  app.post(
    '/api/v1/hosts/:id/decommission',
    {
      config: { invalidBody: { code: 'REQUEST_INVALID', message: 'body must be {"reason": "<why>"}' } },
      schema: { params: IdParams, querystring: Query({}), body: Type.Object({ reason: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }), response: { 200: HostRow, ...errorResponses } },
    },
    (req) => decommissionHost(c, req.params.id, req.body.reason, actorOf(req)),
  );

  app.get(
    '/api/v1/audit',
    {
      schema: {
        querystring: Query({ subject: Type.Optional(Key) }),
        response: {
          200: Type.Object({ records: Type.Array(Row({ id: Type.Integer(), at: Type.String(), actor: Type.String(), action: Type.String(), subject: Type.String(), detail: Type.Record(Type.String(), Type.Unknown()) })) }),
          ...errorResponses,
        },
      },
    },
    (req) => ({ records: c.audit.list({ subject: req.query.subject }) }),
  );
  done();
};
