/** POST /api/v1/enroll: a unit's enrollment secret -> an agent credential bound to that unit. */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest, preValidationHookHandler } from 'fastify';
import { EnrollRequest, EnrollResponse } from '@posture/protocol';
import type { TokenBuckets } from '../auth/ratelimit.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { errorResponses, NoQuery, refTo, type RouteDeps } from './schemas.js';

/**
 * Every attempt costs a token, valid or not, before the body is even validated: secrets may be
 * low-entropy, so guessing must be slow.
 */
export const takeEnrollToken =
  (limiter: TokenBuckets): preValidationHookHandler =>
  (req, _reply, done) => {
    const wait = limiter.take(req.ip);
    done(wait ? new ApiFailure('RATE_LIMITED', `too many enrollment attempts from ${req.ip}; retry in ${wait} s`, undefined, wait) : undefined);
  };

export const enrollRoute: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c, enrollLimiter }, done) => {
  app.post(
    '/api/v1/enroll',
    {
      config: { counts: 'enrollments', invalidBody: { code: 'ENROLL_INVALID', message: 'enrollment request is invalid' } },
      preValidation: takeEnrollToken(enrollLimiter),
      schema: { querystring: NoQuery, body: refTo(EnrollRequest), response: { 201: refTo(EnrollResponse), ...errorResponses } },
    },
    async (req, reply) => {
      const body = req.body;
      await requireUnitSecret(c, req, body.unit, body.secret, body.hostname);
      const { agentId, credential } = c.agents.enroll(body.unit, body.hostname, body.machineId);
      c.metrics.enrolled();
      req.log.info({ unit: body.unit, agentId, hostname: body.hostname }, 'agent enrolled');
      return reply.code(201).send({ agentId, unit: body.unit, credential });
    },
  );
  done();
};

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
