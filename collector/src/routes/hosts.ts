/** Hosts (latest state, stale flag), decommissioning, and the audit log. */
import type { FastifyInstance } from 'fastify';
import { decommissionHost, findHost, hostList } from '../admin/actions.js';
import { actorOf } from '../auth/guard.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';

export function hostsRoutes(app: FastifyInstance, c: Collector): void {
  app.get<{ Querystring: { unit?: string; stale?: string; decommissioned?: string } }>('/api/v1/hosts', async (req) => {
    const q = req.query;
    for (const k of ['stale', 'decommissioned'] as const) {
      if (q[k] !== undefined && q[k] !== 'true' && q[k] !== 'false') throw new ApiFailure('REQUEST_INVALID', `query "${k}" must be true or false`);
    }
    let hosts = hostList(c, new Date(), q.decommissioned === 'true');
    if (q.unit) hosts = hosts.filter((h) => h.unit === q.unit);
    if (q.stale) hosts = hosts.filter((h) => h.stale === (q.stale === 'true'));
    return { staleAfterMinutes: c.config.staleAfterMinutes, hosts };
  });

  app.get<{ Params: { id: string } }>('/api/v1/hosts/:id', async (req) => {
    const h = findHost(c, req.params.id);
    return { ...h, latestReport: c.hosts.latestReport(h.agent_id) ?? null };
  });

  app.post<{ Params: { id: string }; Body: { reason?: unknown } }>('/api/v1/hosts/:id/decommission', async (req) => {
    const reason = req.body && typeof req.body === 'object' ? req.body.reason : undefined;
    if (typeof reason !== 'string') throw new ApiFailure('REQUEST_INVALID', 'body must be {"reason": "<why>"}', [{ path: '/reason', message: 'must be string' }]);
    return decommissionHost(c, req.params.id, reason, actorOf(req));
  });

  app.get<{ Querystring: { subject?: string } }>('/api/v1/audit', async (req) => ({ records: c.audit.list({ subject: req.query.subject }) }));
}
