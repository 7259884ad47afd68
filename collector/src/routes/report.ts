/**
 * GET /api/v1/report?format=json|markdown|csv|html&lang=vi|en&at=TIME&fresh=1: the appendix
 * table as of the last recorded evaluation (rendered once per evaluation), `fresh=1` evaluated
 * now, or with `at` from the stored indicator history.
 * GET /report?lang=vi|en&at=TIME&fresh=1: the same as a printable HTML page (Vietnamese by default).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { checkFormat, checkLang, render, type Format } from '../report/render.js';
import { ReportError, buildReport, parseAt } from '../report/source.js';

interface ReportQuery {
  format?: string;
  lang?: string;
  at?: string;
  fresh?: string;
}

function answer(c: Collector, reply: FastifyReply, q: ReportQuery, defaultFormat: Format) {
  try {
    const format = checkFormat(q.format ?? defaultFormat);
    const lang = checkLang(q.lang ?? 'vi');
    if (q.fresh !== undefined && q.fresh !== '1' && q.fresh !== '0') throw new ApiFailure('QUERY_INVALID', `"fresh" must be 1 (evaluate now) or 0 (the last evaluation), got "${q.fresh}"`);
    const fresh = q.fresh === '1';
    const served = q.at === undefined && !fresh ? c.lastReport.rendered(format, lang) : undefined;
    const { contentType, body } = served ?? render(buildReport(c, q.at === undefined ? undefined : parseAt(q.at), new Date(), fresh), format, lang);
    // The page has no scripts and no external assets: forbid both, allow its inline style.
    if (format === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    return reply.header('x-content-type-options', 'nosniff').type(contentType).send(body);
  } catch (e) {
    if (e instanceof ReportError) throw new ApiFailure(e.code, e.message);
    throw e;
  }
}

export function reportRoute(app: FastifyInstance, c: Collector): void {
  const route = (allowed: readonly string[], defaultFormat: Format) => async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.query as Record<string, unknown>;
    // Unknown or repeated keys are refused with a message naming them (no silent ?lnag=en).
    const bad = Object.entries(q).filter(([k, v]) => !allowed.includes(k) || typeof v !== 'string' || v.length > 40);
    if (bad.length) throw new ApiFailure('QUERY_INVALID', `bad query parameter ${bad.map(([k]) => `"${k}"`).join(', ')}: allowed once each: ${allowed.join(', ')}`);
    return answer(c, reply, q as ReportQuery, defaultFormat);
  };
  app.get('/api/v1/report', route(['format', 'lang', 'at', 'fresh'], 'json'));
  app.get('/report', route(['lang', 'at', 'fresh'], 'html'));
}
