/**
 * GET /api/v1/report?format=json|markdown|csv|html|docx&lang=vi|en&at=TIME&compare=TIME|none&directive=ID:
 * the appendix table, evaluated now or, with `at`, from the stored indicator history; compared
 * with the evaluation at `compare` (default: the end of the previous quarter, when stored);
 * measured against a directive's rule file (default: the latest issued by the report date).
 * GET /report?lang=vi|en&at=TIME&compare=...&directive=...: the same as a printable HTML page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { checkFormat, checkLang, fileName, render, type Format } from '../report/render.js';
import { ReportError, buildReport, parseAt } from '../report/source.js';

interface ReportQuery {
  format?: string;
  lang?: string;
  at?: string;
  compare?: string;
  directive?: string;
}

async function answer(c: Collector, reply: FastifyReply, q: ReportQuery, defaultFormat: Format) {
  try {
    const format = checkFormat(q.format ?? defaultFormat);
    const lang = checkLang(q.lang ?? 'vi');
    const report = buildReport(c, {
      at: q.at === undefined ? undefined : parseAt(q.at),
      compare: q.compare === undefined ? undefined : q.compare === 'none' ? 'none' : parseAt(q.compare, 'compare'),
      directive: q.directive,
    });
    const { contentType, body } = await render(report, format, lang);
    // The page has no scripts and no external assets: forbid both, allow its inline style.
    if (format === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    if (format === 'docx') reply.header('content-disposition', `attachment; filename="${fileName(report, format)}"`);
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
    const bad = Object.entries(q).filter(([k, v]) => !allowed.includes(k) || typeof v !== 'string' || v.length > 64);
    if (bad.length) throw new ApiFailure('QUERY_INVALID', `bad query parameter ${bad.map(([k]) => `"${k}"`).join(', ')}: allowed once each: ${allowed.join(', ')}`);
    return answer(c, reply, q as ReportQuery, defaultFormat);
  };
  app.get('/api/v1/report', route(['format', 'lang', 'at', 'compare', 'directive'], 'json'));
  app.get('/report', route(['format', 'lang', 'at', 'compare', 'directive'], 'html'));
}
