/**
 * GET /api/v1/report?format=json|markdown|csv|html&lang=vi|en&at=TIME&fresh=1: the appendix
 * table as of the last recorded evaluation (rendered once per evaluation), `fresh=1` evaluated
 * now, or with `at` from the stored indicator history.
 * GET /report?lang=vi|en&at=TIME&fresh=1: the same as a printable HTML page (Vietnamese by default).
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import { LANGS, type Lang } from '../report/model.js';
import { FORMATS, render, type Format } from '../report/render.js';
import { ReportError, buildReport, parseAt } from '../report/source.js';
import { errorResponses, Query, StringEnum, type RouteDeps } from './schemas.js';

const lang = Type.Optional(StringEnum(LANGS, 'language'));
// `at` is parsed by parseAt, which accepts more than one date-time form and names them.
const at = Type.Optional(Type.String({ maxLength: 40 }));
/** The rendered table: JSON, markdown, CSV or HTML by `format`, sent as rendered. */
const Rendered = Type.String({ description: 'the report as rendered' });
/** 1: evaluate now (not recorded); 0 or absent: the last recorded evaluation. */
const fresh = Type.Optional(StringEnum(['0', '1'] as const, 'fresh'));

function answer(c: Collector, reply: FastifyReply, q: { format?: Format | undefined; lang?: Lang | undefined; at?: string | undefined; fresh?: '0' | '1' | undefined }, defaultFormat: Format) {
  try {
    const format = q.format ?? defaultFormat;
    const lang = q.lang ?? 'vi';
    const fresh = q.fresh === '1';
    const served = q.at === undefined && !fresh ? c.lastReport.rendered(format, lang) : undefined;
    const { contentType, body } = served ?? render(buildReport(c, q.at === undefined ? undefined : parseAt(q.at), new Date(), fresh), format, lang);
    // The page has no scripts and no external assets: forbid both, allow its inline style.
    if (format === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    reply.header('x-content-type-options', 'nosniff').type(contentType);
    return body;
  } catch (e) {
    if (e instanceof ReportError) throw new ApiFailure(e.code, e.message);
    throw e;
  }
}

export const reportRoute: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  app.get('/api/v1/report', { schema: { querystring: Query({ format: Type.Optional(StringEnum(FORMATS, 'format')), lang, at, fresh }), response: { 200: Rendered, ...errorResponses } } }, (req, reply) => answer(c, reply, req.query, 'json'));
  app.get('/report', { schema: { querystring: Query({ lang, at, fresh }), response: { 200: Rendered, ...errorResponses } } }, (req, reply) => answer(c, reply, req.query, 'html'));
  done();
};
