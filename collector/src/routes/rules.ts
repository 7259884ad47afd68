/**
 * POST /api/v1/rules/reload: re-read the rule files. 200 with the counts when the new set is
 * in force; 422 RULES_INVALID with every problem (file, group, rule, field, line) when it is
 * refused, in which case the previous rules stay in force. GET /api/v1/rules lists them.
 */
import type { FastifyInstance } from 'fastify';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { formatProblem } from '../rules/format.js';

export function rulesRoute(app: FastifyInstance, c: Collector): void {
  app.post('/api/v1/rules/reload', async () => {
    const r = c.engine.rules.reload();
    if (!r.ok) {
      throw new ApiFailure(
        'RULES_INVALID',
        `${r.problems.length} problem(s) in the rule files; the previous rules (loaded ${c.engine.rules.loadedAt.toISOString()}) stay in force. Fix the files and reload again.`,
        r.problems.map((p) => ({ path: `${p.file}:${p.line}:${p.col}`, message: formatProblem(p) })),
      );
    }
    app.log.info({ rules: r.rules, files: r.files }, 'rules reloaded through the API');
    return { status: 'reloaded', groups: r.groups, rules: r.rules, files: r.files, loadedAt: c.engine.rules.loadedAt.toISOString() };
  });

  app.get('/api/v1/rules', async () => ({
    loadedAt: c.engine.rules.loadedAt.toISOString(),
    lastError: c.engine.rules.lastError,
    groups: c.engine.rules.groups.map((g) => ({
      name: g.name,
      file: g.file,
      intervalMs: g.intervalMs,
      rules: g.rules.map((r) => ({ indicator: r.indicator, tt: r.tt, population: r.population, target: r.target, due: r.due, forMs: r.forMs, by: r.by, where: r.where?.source ?? null, pass: r.pass.source })),
    })),
    alerts: c.alerts.all(),
  }));
}
