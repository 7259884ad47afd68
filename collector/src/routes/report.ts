/**
 * GET /api/v1/report?format=json|markdown|csv|html|docx&lang=vi|en&at=TIME&compare=TIME|none&directive=ID&fresh=1:
 * the appendix table as of the last recorded evaluation (rendered once per evaluation), `fresh=1`
 * evaluated now, or with `at` from the stored indicator history; compared with the evaluation at
 * `compare` (default: the end of the previous quarter, when stored); measured against a
 * directive's rule file (default: the latest issued by the report date).
 * GET /report?...: the same, a printable HTML page by default (Vietnamese), or `format=docx`.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import type { RenderedReport } from '../report/last.js';
import { LANGS, type Lang } from '../report/model.js';
import { FORMATS, fileName, render, type Format } from '../report/render.js';
import { ReportError, buildReportOnRequest, parseAt, type ReportOptions } from '../report/source.js';
import { errorResponses, Query, StringEnum, type RouteDeps } from './schemas.js';

const lang = Type.Optional(StringEnum(LANGS, 'language'));
// `at` and `compare` are parsed by parseAt, which accepts more than one date-time form and names them.
const at = Type.Optional(Type.String({ maxLength: 40 }));
const compare = Type.Optional(Type.String({ maxLength: 40 }));
const directive = Type.Optional(Type.String({ maxLength: 64 }));
const format = Type.Optional(StringEnum(FORMATS, 'format'));
/** 1: evaluate now (not recorded); 0 or absent: the last recorded evaluation. */
const fresh = Type.Optional(StringEnum(['0', '1'] as const, 'fresh'));
/** The rendered table: JSON, markdown, CSV, HTML or the .docx bytes by `format`, sent as rendered. */
const Rendered = Type.Union([Type.String(), Type.Unsafe<Buffer>({ description: 'the .docx bytes' })], { description: 'the report as rendered' });

interface ReportQuery {
  format?: Format | undefined;
  lang?: Lang | undefined;
  at?: string | undefined;
  compare?: string | undefined;
  directive?: string | undefined;
  fresh?: '0' | '1' | undefined;
}

async function answer(c: Collector, reply: FastifyReply, q: ReportQuery, defaultFormat: Format) {
  try {
    const f = q.format ?? defaultFormat;
    const l = q.lang ?? 'vi';
    const opts: ReportOptions = {
      at: q.at === undefined ? undefined : parseAt(q.at),
      compare: q.compare === undefined ? undefined : q.compare === 'none' ? 'none' : parseAt(q.compare, 'compare'),
      directive: q.directive,
      fresh: q.fresh === '1',
    };
    // Nothing recorded yet (a restart): wait for the scheduled evaluation under way, if any,
    // rather than evaluate beside it (one set of members in memory at a time); then serve what it
    // recorded, or evaluate now (no scheduler). fresh=1 evaluates now, in slices, once no other
    // evaluation is under way (Engine.evaluateNowSliced waits its turn itself).
    if (!opts.fresh && !c.lastReport.base()) await c.engine.idle();
    const make = async (): Promise<RenderedReport> => {
      const report = await buildReportOnRequest(c, opts);
      const { contentType, body } = await render(report, f, l);
      // Kept as UTF-8 bytes: a kept body is sent as is, not encoded again for every request (3 MB of JSON at 100,000 hosts).
      return { contentType, body: typeof body === 'string' ? Buffer.from(body) : body, fileName: fileName(report, f) };
    };
    // The last evaluation's report, rendered once per evaluation; a comparison with an explicit
    // date is computed per request (any date may be asked: not worth keeping).
    const cacheable = opts.at === undefined && !opts.fresh && opts.compare === undefined;
    const served = cacheable ? c.lastReport.rendered(`${f}/${l}/${q.directive ?? ''}`, make) : undefined;
    const { contentType, body, fileName: name } = await (served ?? make());
    // The page has no scripts and no external assets: forbid both, allow its inline style.
    if (f === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    if (f === 'docx') reply.header('content-disposition', `attachment; filename="${name}"`);
    reply.header('x-content-type-options', 'nosniff').type(contentType);
    return body;
  } catch (e) {
    if (e instanceof ReportError) throw new ApiFailure(e.code, e.message);
    throw e;
  }
}

export const reportRoute: FastifyPluginCallbackTypebox<RouteDeps> = (app, { c }, done) => {
  const querystring = Query({ format, lang, at, compare, directive, fresh });
  app.get('/api/v1/report', { schema: { querystring, response: { 200: Rendered, ...errorResponses } } }, (req, reply) => answer(c, reply, req.query, 'json'));
  app.get('/report', { schema: { querystring, response: { 200: Rendered, ...errorResponses } } }, (req, reply) => answer(c, reply, req.query, 'html'));
  done();
};
