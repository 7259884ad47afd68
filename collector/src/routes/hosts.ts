/** Hosts (latest state, stale flag), decommissioning, and the audit log. */
import type { FastifyInstance } from 'fastify';
import { decommissionHost, findHost, hostPage, listedHost } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';

export function hostsRoutes(app: FastifyInstance, c: Collector): void {
  app.get<{ Querystring: { unit?: string; stale?: string; decommissioned?: string; limit?: string; offset?: string } }>('/api/v1/hosts', async (req) => {
    const q = req.query;
    for (const k of ['stale', 'decommissioned'] as const) {
      if (q[k] !== undefined && q[k] !== 'true' && q[k] !== 'false') throw new ApiFailure('REQUEST_INVALID', `query "${k}" must be true or false`);
    }
    const int = (k: 'limit' | 'offset', dflt: number, max: number) => {
      const v = q[k] === undefined ? dflt : Number(q[k]);
      if (!Number.isInteger(v) || v < 0 || v > max) throw new ApiFailure('REQUEST_INVALID', `query "${k}" must be a whole number from 0 to ${max}`);
      return v;
    };
    const limit = int('limit', 1000, 10_000);
    const offset = int('offset', 0, Number.MAX_SAFE_INTEGER);
    const page = hostPage(c, { unit: q.unit, stale: q.stale === undefined ? undefined : q.stale === 'true', includeDecommissioned: q.decommissioned === 'true', limit, offset });
    return { staleAfterMinutes: c.config.staleAfterMinutes, total: page.total, limit, offset, hosts: page.hosts };
  });

  app.get<{ Params: { id: string } }>('/api/v1/hosts/:id', async (req) => {
    const h = findHost(c, req.params.id);
    // `protected` of the row is the agent's own verdict; `evaluation` is what the indicators count.
    return { ...h, evaluation: listedHost(c, h), latestReport: c.hosts.latestReport(h.agent_id) ?? null };
  });

  app.post<{ Params: { id: string }; Body: { reason?: unknown } }>('/api/v1/hosts/:id/decommission', async (req) => {
    const reason = req.body && typeof req.body === 'object' ? req.body.reason : undefined;
    if (typeof reason !== 'string') throw new ApiFailure('REQUEST_INVALID', 'body must be {"reason": "<why>"}', [{ path: '/reason', message: 'must be string' }]);
    return decommissionHost(c, req.params.id, reason, actorOf(req));
  });

  app.get<{ Querystring: { subject?: string } }>('/api/v1/audit', async (req) => ({ records: c.audit.list({ subject: req.query.subject }) }));
}
