/** POST /api/v1/enroll: a unit's enrollment secret -> an agent credential bound to that unit. */
import type { FastifyInstance } from 'fastify';
import type { EnrollRequest, EnrollResponse } from '@posture/protocol';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { problemsOf, validateEnroll } from '../ingest/validate.js';

export function enrollRoute(app: FastifyInstance, c: Collector): void {
  app.post('/api/v1/enroll', async (req, reply) => {
    if (!validateEnroll(req.body)) throw new ApiFailure('ENROLL_INVALID', 'enrollment request is invalid', problemsOf(validateEnroll.errors));
    const body = req.body as EnrollRequest;
    const check = c.agents.checkSecret(body.unit, body.secret);
    if (check === 'unknown-unit') throw new ApiFailure('UNKNOWN_UNIT', `unit "${body.unit}" is not configured on this collector; check the unit id in the agent config`);
    if (check === 'denied') {
      req.log.warn({ unit: body.unit, hostname: body.hostname }, 'enrollment denied: wrong secret');
      throw new ApiFailure('ENROLL_DENIED', `wrong enrollment secret for unit "${body.unit}" (or the unit has none); ask the security team for the unit's current secret`);
    }
    const { agentId, credential } = c.agents.enroll(body.unit, body.hostname, body.machineId);
    req.log.info({ unit: body.unit, agentId, hostname: body.hostname }, 'agent enrolled');
    const res: EnrollResponse = { agentId, unit: body.unit, credential };
    return reply.code(201).send(res);
  });
}
