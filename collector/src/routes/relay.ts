/**
 * The ministry side of federation (see collector/README.md, "Scale-out").
 *
 * POST /api/v1/relay/enroll   a unit's enrollment secret -> a relay credential bound to that unit
 * POST /api/v1/relay/reports  a batch of reports from a unit's collector; answered per item
 *
 * Each item passes the same checks as an agent's report (ingest/accept.ts); its agent must be
 * of the relay's unit and is created on first sight (bound to that unit, with no usable
 * credential). Items are stored with the same group commit and idempotency, so a relay that
 * resends after a lost answer counts nothing twice.
 */
import type { FastifyInstance } from 'fastify';
import type { RelayAck, RelayEnrollRequest, RelayEnrollResponse, RelayItemResult, Report } from '@posture/protocol';
import type { TokenBuckets } from '../auth/ratelimit.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { acceptReport, checkOutboxRoom } from '../ingest/accept.js';
import { problemsOf, validateRelayBatch, validateRelayEnroll } from '../ingest/validate.js';
import type { IngestRow } from '../store/hosts.js';
import type { BindOutcome, NewRelayedAgent } from '../store/relays.js';
import { requireUnitSecret } from './enroll.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Why a relay may not post an agent's reports, as the API's coded error. */
function bindFailure(b: Exclude<BindOutcome, { ok: true }>, agentId: string, relayUnit: string): ApiFailure {
  switch (b.code) {
    case 'AGENT_OTHER_UNIT':
      return new ApiFailure('AGENT_OTHER_UNIT', `agent "${agentId}" belongs to unit "${b.agentUnit}"; this relay speaks only for unit "${relayUnit}"`, [{ path: '/agentId', message: `not an agent of ${relayUnit}` }]);
    case 'AGENT_NOT_RELAYED':
      return new ApiFailure('AGENT_NOT_RELAYED', `agent "${agentId}" is enrolled directly with this collector; its reports cannot come through a relay`, [{ path: '/agentId', message: 'enrolled directly' }]);
    case 'AGENT_REVOKED':
      return new ApiFailure('AGENT_REVOKED', `agent "${agentId}" was revoked at ${b.revokedAt}`, [{ path: '/agentId', message: 'revoked' }]);
  }
}

export function relayRoutes(app: FastifyInstance, c: Collector, limiter: TokenBuckets): void {
  app.post('/api/v1/relay/enroll', async (req, reply) => {
    const wait = limiter.take(req.ip);
    if (wait) throw new ApiFailure('RATE_LIMITED', `too many enrollment attempts from ${req.ip}; retry in ${wait} s`, undefined, wait);
    if (!validateRelayEnroll(req.body)) throw new ApiFailure('ENROLL_INVALID', 'relay enrollment request is invalid', problemsOf(validateRelayEnroll.errors));
    const body = req.body as RelayEnrollRequest;
    await requireUnitSecret(c, req, body.unit, body.secret, `relay ${body.name}`);
    const { relayId, credential } = c.relays.enroll(body.unit, body.name);
    c.audit.record('anonymous', 'relay.enroll', relayId, { unit: body.unit, name: body.name, ip: req.ip });
    req.log.info({ unit: body.unit, relayId, name: body.name }, 'relay enrolled');
    const res: RelayEnrollResponse = { relayId, unit: body.unit, credential };
    return reply.code(201).send(res);
  });

  app.post('/api/v1/relay/reports', { bodyLimit: c.config.relay.bodyBytes }, async (req, reply) => {
    if (req.principal.kind !== 'relay') throw new ApiFailure('AUTH_REQUIRED', 'relayed reports need a relay credential');
    const relay = req.principal.relay;
    if (!validateRelayBatch(req.body)) throw new ApiFailure('REQUEST_INVALID', 'relay batch must be {"reports": [report, ...]} with 1 to 5000 reports', problemsOf(validateRelayBatch.errors));
    const items = (req.body as { reports: Record<string, unknown>[] }).reports;
    const now = new Date();
    const results: RelayItemResult[] = [];
    const accepted: { i: number; row: IngestRow }[] = [];
    const newAgents = new Map<string, NewRelayedAgent>();
    items.forEach((item, i) => {
      const reportId = str(item.reportId);
      try {
        const { report, row } = acceptReport(c, item, { id: str(item.agentId) ?? '', unit: relay.unit }, null, now);
        if (!newAgents.has(report.agentId)) {
          const host = (report as Report).probes.host;
          const bound = c.relays.bindAgent(relay, report.agentId, host.ok ? host.facts.hostname : '', host.ok ? host.facts.machineId : '');
          if (!bound.ok) throw bindFailure(bound, report.agentId, relay.unit);
          if (bound.create) newAgents.set(bound.create.id, bound.create);
        }
        accepted.push({ i, row });
        results.push({ reportId, status: 'stored' });
      } catch (e) {
        if (!(e instanceof ApiFailure)) throw e;
        c.counters.rejected[e.code] = (c.counters.rejected[e.code] ?? 0) + 1;
        const where = e.details?.length ? ` (${e.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : '';
        results.push({ reportId, status: 'refused', code: e.code, reason: `${e.message}${where}` });
      }
    });
    // The whole batch waits (503) rather than part of it: the relay keeps it and resends.
    checkOutboxRoom(c, accepted.reduce((n, a) => n + a.row.n, 0));
    c.relays.addAgents([...newAgents.values()], now);
    const stored = await Promise.all(accepted.map((a) => c.ingest.submit(a.row)));
    accepted.forEach((a, k) => {
      if (stored[k]) c.counters.accepted++;
      else {
        c.counters.duplicate++;
        results[a.i]!.status = 'duplicate';
      }
    });
    const ack: RelayAck = { results };
    return reply.code(200).send(ack);
  });
}
