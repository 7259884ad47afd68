/**
 * POST /api/v1/rules/reload: re-read the rule files. 200 with the counts when the new set is
 * in force; 422 RULES_INVALID with every problem (file, group, rule, field, line) when it is
 * refused, in which case the previous rules stay in force. GET /api/v1/rules lists them.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiFailure } from '../errors.js';
import { formatProblem } from '../rules/format.js';
import { errorResponses, NoQuery, Nullable, Row, type RouteDeps } from './schemas.js';

const Listed = Type.Object({
  indicator: Type.String(),
  tt: Type.Integer(),
  population: Type.String(),
  target: Type.Number(),
  due: Nullable(Type.String()),
  forMs: Type.Number(),
  by: Type.Array(Type.String()),
  where: Nullable(Type.String()),
  pass: Type.String(),
});

const Alert = Row({ indicator: Type.String(), scope: Type.String(), state: Type.String(), value: Nullable(Type.Number()), pass: Type.Integer(), total: Type.Integer(), target: Type.Number() });

export const rulesRoute: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.post(
    '/api/v1/rules/reload',
    {
      schema: {
        querystring: NoQuery,
        response: { 200: Type.Object({ status: Type.Literal('reloaded'), groups: Type.Integer(), rules: Type.Integer(), files: Type.Array(Type.String()), loadedAt: Type.String() }), ...errorResponses },
      },
    },
    () => {
      const r = c.engine.rules.reload();
      if (!r.ok) {
        throw new ApiFailure(
          'RULES_INVALID',
          `${r.problems.length} problem(s) in the rule files; the previous rules (loaded ${c.engine.rules.loadedAt.toISOString()}) stay in force. Fix the files and reload again.`,
          r.problems.map((p) => ({ path: `${p.file}:${p.line}:${p.col}`, message: formatProblem(p) })),
        );
      }
      app.log.info({ rules: r.rules, files: r.files }, 'rules reloaded through the API');
      return { status: 'reloaded' as const, groups: r.groups, rules: r.rules, files: r.files, loadedAt: c.engine.rules.loadedAt.toISOString() };
    },
  );

  app.get(
    '/api/v1/rules',
    {
      schema: {
        querystring: NoQuery,
        response: {
          200: Type.Object({
            loadedAt: Type.String(),
            lastError: Nullable(Type.String()),
            groups: Type.Array(Type.Object({ name: Type.String(), file: Type.String(), intervalMs: Nullable(Type.Number()), rules: Type.Array(Listed) })),
            alerts: Type.Array(Alert),
          }),
          ...errorResponses,
        },
      },
    },
    () => ({
      loadedAt: c.engine.rules.loadedAt.toISOString(),
      lastError: c.engine.rules.lastError,
      groups: c.engine.rules.groups.map((g) => ({
        name: g.name,
        file: g.file,
        intervalMs: g.intervalMs,
        rules: g.rules.map((r) => ({ indicator: r.indicator, tt: r.tt, population: r.population, target: r.target, due: r.due, forMs: r.forMs, by: r.by, where: r.where?.source ?? null, pass: r.pass.source })),
      })),
      alerts: c.alerts.all(),
    }),
  );
  done();
};
