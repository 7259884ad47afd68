/** Enrolled agents: list (viewer) and revoke (admin). Credentials are never shown, only kept hashed. */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { revokeAgent } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import { sendJsonArray } from './json-stream.js';
import { errorResponses, IdParams, Key, Nullable, Query, Row, type RouteDeps } from './schemas.js';

const Agent = Row({ id: Type.String(), unit: Type.String(), hostname: Type.String(), revoked_at: Nullable(Type.String()) });
const ListedAgent = Row({ ...Agent.properties, machine_id: Type.String(), enrolled_at: Type.String(), last_seen: Nullable(Type.String()) });

export const agentsRoutes: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.get(
    '/api/v1/agents',
    {
      schema: {
        querystring: Query({ unit: Type.Optional(Key) }),
        response: { 200: Type.Object({ agents: Type.Array(ListedAgent) }), ...errorResponses },
      },
    },
    (req, reply) => {
      // 100,000 agents are 19 MiB of JSON (2 s of the event loop read and serialized at once):
      // read from one snapshot and streamed a chunk at a time, a turn of the event loop each.
      const list = c.agents.listChunks({ unit: req.query.unit });
      sendJsonArray(reply, { head: {}, key: 'agents', chunks: list.chunks, itemSchema: ListedAgent, close: list.close });
    },
  );

  app.post(
    '/api/v1/agents/:id/revoke',
    {
      schema: {
        params: IdParams,
        querystring: Query({}),
        // The body is optional: a revoke without a reason is allowed.
        body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false })),
        response: { 200: Agent, ...errorResponses },
      },
    },
    (req) => {
      revokeAgent(c, req.params.id, actorOf(req), req.body?.reason ?? '');
      return c.agents.get(req.params.id)!;
    },
  );
  done();
};
