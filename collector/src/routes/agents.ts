/** Enrolled agents: list (viewer) and revoke (admin). Credentials are never shown, only kept hashed. */
import type { FastifyInstance } from 'fastify';
import { revokeAgent } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import type { Collector } from '../context.js';

export function agentsRoutes(app: FastifyInstance, c: Collector): void {
  app.get<{ Querystring: { unit?: string } }>('/api/v1/agents', async (req) => ({ agents: c.agents.list({ unit: req.query.unit }) }));

  app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>('/api/v1/agents/:id/revoke', async (req, reply) => {
    const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
    revokeAgent(c, req.params.id, actorOf(req), reason);
    return reply.code(200).send(c.agents.get(req.params.id));
  });
}
