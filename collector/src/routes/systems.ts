/**
 * The registry of information systems over HTTP: reads need a viewer token, writes an admin
 * token (auth/guard.ts). Records from the registry file are read-only here: edit the file.
 */
import type { FastifyInstance } from 'fastify';
import { deleteSystem, putSystem, unclassifiedSystems } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';

export function systemsRoutes(app: FastifyInstance, c: Collector): void {
  app.get('/api/v1/systems', async () => ({
    systems: c.systems.all().map((s) => ({ ...s, source: c.systems.sourceOf(s.id) })),
    unclassified: unclassifiedSystems(c).map((s) => ({ id: s.id, unit: s.unit, hosts: s.hosts })),
  }));

  app.get<{ Params: { id: string } }>('/api/v1/systems/:id', async (req) => {
    const s = c.systems.get(req.params.id);
    if (!s) throw new ApiFailure('NOT_FOUND', `no system "${req.params.id}" in the registry`);
    return { ...s, source: c.systems.sourceOf(s.id) };
  });

  app.put<{ Params: { id: string } }>('/api/v1/systems/:id', async (req, reply) => {
    const { record, created } = putSystem(c, req.body, actorOf(req), req.params.id);
    return reply.code(created ? 201 : 200).send(record);
  });

  app.post('/api/v1/systems', async (req, reply) => {
    const id = req.body && typeof req.body === 'object' && 'id' in req.body ? String((req.body as { id: unknown }).id) : '';
    if (id && c.systems.sourceOf(id)) throw new ApiFailure('CONFLICT', `system "${id}" exists; PUT /api/v1/systems/${id} to change it`);
    const { record } = putSystem(c, req.body, actorOf(req));
    return reply.code(201).send(record);
  });

  app.delete<{ Params: { id: string } }>('/api/v1/systems/:id', async (req, reply) => {
    deleteSystem(c, req.params.id, actorOf(req));
    return reply.code(204).send();
  });
}
