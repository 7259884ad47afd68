/**
 * The registry of information systems over HTTP: reads need a viewer token, writes an admin
 * token (auth/guard.ts). Records from the registry file are read-only here: edit the file.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { deleteSystem, putSystem, unclassifiedSystemsSliced } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import { ApiFailure } from '../errors.js';
import { SystemRecord } from '../store/systems.js';
import { errorResponses, IdParams, NoQuery, type RouteDeps } from './schemas.js';

/** A record as stored, with where it came from (the registry file or this API). */
const Listed = Type.Composite([SystemRecord, Type.Object({ source: Type.Optional(Type.Union([Type.Literal('file'), Type.Literal('api')])) })]);

/**
 * A record to store. Its fields are checked by validateSystem (store/systems.ts), the same check
 * with the same defaults and messages as the registry file, so here it is only an object.
 */
const RecordBody = Type.Object({}, { additionalProperties: true, description: 'a system record (SystemRecord); the id may come from the path' });

export const systemsRoutes: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.get(
    '/api/v1/systems',
    {
      schema: {
        querystring: NoQuery,
        response: {
          200: Type.Object({ systems: Type.Array(Listed), unclassified: Type.Array(Type.Object({ id: Type.String(), unit: Type.String(), hosts: Type.Integer() })) }),
          ...errorResponses,
        },
      },
    },
    async () => ({
      systems: c.systems.all().map((s) => ({ ...s, source: c.systems.sourceOf(s.id) })),
      // Read a chunk of hosts at a time (every host's systems are read: 1.4 s of the event loop at 100,000 hosts in one go).
      unclassified: await unclassifiedSystemsSliced(c),
    }),
  );

  app.get('/api/v1/systems/:id', { schema: { params: IdParams, querystring: NoQuery, response: { 200: Listed, ...errorResponses } } }, (req) => {
    const s = c.systems.get(req.params.id);
    if (!s) throw new ApiFailure('NOT_FOUND', `no system "${req.params.id}" in the registry`);
    return { ...s, source: c.systems.sourceOf(s.id) };
  });

  app.put('/api/v1/systems/:id', { schema: { params: IdParams, querystring: NoQuery, body: RecordBody, response: { 200: SystemRecord, 201: SystemRecord, ...errorResponses } } }, (req, reply) => {
    const { record, created } = putSystem(c, req.body, actorOf(req), req.params.id);
    reply.code(created ? 201 : 200);
    return record;
  });

  app.post('/api/v1/systems', { schema: { querystring: NoQuery, body: RecordBody, response: { 201: SystemRecord, ...errorResponses } } }, (req, reply) => {
    const id = typeof (req.body as { id?: unknown }).id === 'string' ? (req.body as { id: string }).id : '';
    if (id && c.systems.sourceOf(id)) throw new ApiFailure('CONFLICT', `system "${id}" exists; PUT /api/v1/systems/${id} to change it`);
    const { record } = putSystem(c, req.body, actorOf(req));
    reply.code(201);
    return record;
  });

  app.delete('/api/v1/systems/:id', { schema: { params: IdParams, querystring: NoQuery, response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses } } }, (req, reply) => {
    deleteSystem(c, req.params.id, actorOf(req));
    reply.code(204);
    return null;
  });
  done();
};
