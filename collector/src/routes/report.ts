/** GET /api/v1/report?format=markdown|json&lang=vi|en: the appendix table, evaluated now. */
import type { FastifyInstance } from 'fastify';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { toMarkdown, type Lang } from '../report/markdown.js';

export function reportRoute(app: FastifyInstance, c: Collector): void {
  app.get('/api/v1/report', async (req, reply) => {
    const q = req.query as { format?: string; lang?: string };
    const format = q.format ?? 'json';
    const lang = (q.lang ?? 'vi') as Lang;
    if (lang !== 'vi' && lang !== 'en') throw new ApiFailure('NOT_FOUND', `unknown lang "${lang}" (vi or en)`);
    const ev = c.engine.evaluateNow();
    if (format === 'json') return ev;
    if (format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(toMarkdown(ev, lang));
    throw new ApiFailure('NOT_FOUND', `unknown format "${format}" (json or markdown)`);
  });
}
