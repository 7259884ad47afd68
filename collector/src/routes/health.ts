/** GET /healthz (liveness + store check) and GET /metrics (Prometheus text format, metrics.ts). */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses, NoQuery, type RouteDeps } from './schemas.js';

export const healthRoutes: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.get('/healthz', { schema: { querystring: NoQuery, response: { 200: Type.Object({ status: Type.Literal('ok'), agents: Type.Integer(), outboxDepth: Type.Integer() }), ...errorResponses } } }, () => {
    c.ping();
    return { status: 'ok' as const, agents: c.agents.count(), outboxDepth: c.outbox.depth() };
  });

  app.get('/metrics', { schema: { querystring: NoQuery, response: { 200: Type.String({ description: 'Prometheus text exposition' }), ...errorResponses } } }, async (_req, reply) => {
    const text = await c.metrics.scrape();
    return reply.type(c.metrics.contentType).send(text);
  });
  done();
};
