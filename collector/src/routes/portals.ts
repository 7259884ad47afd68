/**
 * The portal prober's results: GET /api/v1/portals (each portal's newest result, criteria and
 * what blocks the next level, reasons rendered in vi and en), GET /api/v1/portals/:id (newest
 * result with every check's evidence, and the history), POST /api/v1/portals/probe (probe now;
 * admin, like every non-GET under /api/v1/).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { REASONS, renderReason, type Reason } from '@posture/protocol';
import type { Collector, Stores } from '../context.js';
import { ApiFailure } from '../errors.js';
import { portalTargets } from '../portals/scheduler.js';
import type { PortalResult } from '../portals/types.js';

const Rendered = Type.Object({ code: Type.String(), params: Type.Optional(Type.Record(Type.String(), Type.Unknown())), vi: Type.String(), en: Type.String() });
const Summary = Type.Object({
  systemId: Type.String(),
  name: Type.String(),
  unit: Type.String(),
  urls: Type.Array(Type.String()),
  probedAt: Type.Union([Type.String(), Type.Null()]),
  level: Type.String(),
  ready: Type.Boolean(),
  checks: Type.Array(Type.Object({ criterion: Type.String(), status: Type.String(), reasons: Type.Array(Rendered) })),
  blocking: Type.Array(Rendered),
});
type Summary = Static<typeof Summary>;
const ListReply = Type.Object({ portals: Type.Array(Summary) });
const NoQuery = Type.Object({}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const HistoryQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })) }, { additionalProperties: false });
const ProbeQuery = Type.Object({ system: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }, { additionalProperties: false });

const render = (r: Reason) => ({ ...r, vi: renderReason(r, 'vi', REASONS), en: renderReason(r, 'en', REASONS) });

/** One line per portal tagged in the registry, probed or not (the API and `posture portals list`). */
export function portalSummaries(c: Pick<Stores, 'portals' | 'systems'>): Summary[] {
  const latest = c.portals.latest();
  const registry = c.systems.all().filter((s) => s.tags.includes('portal'));
  return registry.map((s) => {
    const r: PortalResult | undefined = latest.get(s.id)?.result;
    return {
      systemId: s.id,
      name: s.name,
      unit: s.ownerUnit,
      urls: s.portal?.urls ?? [],
      probedAt: r ? new Date(r.probedAt).toISOString() : null,
      level: r?.level ?? 'unknown',
      ready: r?.ready ?? false,
      checks: (r?.checks ?? []).map((k) => ({ criterion: k.criterion, status: k.status, reasons: k.reasons.map(render) })),
      blocking: (r?.blocking ?? []).map(render),
    };
  });
}

export function portalsRoutes(app: FastifyInstance, c: Collector): void {
  app.get('/api/v1/portals', { schema: { querystring: NoQuery, response: { 200: ListReply } } }, async () => ({ portals: portalSummaries(c) }));

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof HistoryQuery> }>('/api/v1/portals/:id', { schema: { params: IdParams, querystring: HistoryQuery } }, async (req) => {
    const history = c.portals.history(req.params.id, req.query.limit ?? 100);
    if (!history.length) {
      const known = c.systems.get(req.params.id);
      throw new ApiFailure('NOT_FOUND', known ? `system ${req.params.id} has no portal probe yet (is it tagged portal with portal.urls? run POST /api/v1/portals/probe)` : `no system ${req.params.id} in the registry`);
    }
    return {
      latest: { ...history[0]!.result, blocking: history[0]!.result.blocking.map(render), checks: history[0]!.result.checks.map((k) => ({ ...k, reasons: k.reasons.map(render) })) },
      history: history.map((h) => ({ probedAt: new Date(h.probedAt).toISOString(), level: h.level, ready: h.ready })),
    };
  });

  app.post<{ Querystring: Static<typeof ProbeQuery> }>('/api/v1/portals/probe', { schema: { querystring: ProbeQuery } }, async (req) => {
    const id = req.query.system;
    if (id && !portalTargets(c.systems.all()).targets.some((t) => t.systemId === id) && !c.systems.get(id)?.tags.includes('portal')) {
      throw new ApiFailure('NOT_FOUND', `no system ${id} tagged portal in the registry`);
    }
    const run = await c.portalRunner.runOnce(id);
    return { ms: run.ms, results: run.results.map((r) => ({ systemId: r.systemId, level: r.level, ready: r.ready, checks: r.checks.map((k) => ({ criterion: k.criterion, status: k.status })) })) };
  });
}
