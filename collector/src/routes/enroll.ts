/** POST /api/v1/enroll: a unit's enrollment secret -> an agent credential bound to that unit. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EnrollRequest, EnrollResponse } from '@posture/protocol';
import type { TokenBuckets } from '../auth/ratelimit.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { problemsOf, validateEnroll } from '../ingest/validate.js';

export function enrollRoute(app: FastifyInstance, c: Collector, limiter: TokenBuckets): void {
  app.post('/api/v1/enroll', async (req, reply) => {
    // Every attempt costs a token: secrets may be low-entropy, so guessing must be slow.
    const wait = limiter.take(req.ip);
    if (wait) throw new ApiFailure('RATE_LIMITED', `too many enrollment attempts from ${req.ip}; retry in ${wait} s`, undefined, wait);
    if (!validateEnroll(req.body)) throw new ApiFailure('ENROLL_INVALID', 'enrollment request is invalid', problemsOf(validateEnroll.errors));
    const body = req.body as EnrollRequest;
    await requireUnitSecret(c, req, body.unit, body.secret, body.hostname);
    const { agentId, credential } = c.agents.enroll(body.unit, body.hostname, body.machineId);
    c.counters.enrolled++;
    req.log.info({ unit: body.unit, agentId, hostname: body.hostname }, 'agent enrolled');
    const res: EnrollResponse = { agentId, unit: body.unit, credential };
    return reply.code(201).send(res);
  });
}

/** Throw the coded failure unless `secret` is `unit`'s current enrollment secret (agents and relays alike). */
export async function requireUnitSecret(c: Collector, req: FastifyRequest, unit: string, secret: string, who: string): Promise<void> {
  const check = await c.agents.checkSecret(unit, secret);
  if (check === 'unknown-unit') throw new ApiFailure('UNKNOWN_UNIT', `unit "${unit}" is not configured on this collector; check the unit id in the config`);
  if (check === 'denied') {
    req.log.warn({ unit, who, ip: req.ip }, 'enrollment denied: wrong secret');
    throw new ApiFailure('ENROLL_DENIED', `wrong enrollment secret for unit "${unit}" (or the unit has none); ask the security team for the unit's current secret`);
  }
  if (check === 'expired') {
    req.log.warn({ unit, who, ip: req.ip }, 'enrollment denied: secret expired');
    throw new ApiFailure('ENROLL_SECRET_EXPIRED', `the enrollment secret of unit "${unit}" expired at ${c.agents.secretExpiry(unit)}; ask the security team to rotate it ("posture units rotate-secret ${unit}")`);
  }
}
