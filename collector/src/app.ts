/**
 * build(): the collector as a fastify app, without listening (tests use inject() or listen on
 * port 0). openCollector() (compose.ts) opens the stores and makes the services; server.ts
 * adds listen, timers and signals.
 */
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { createGunzip } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import secureJson from 'secure-json-parse';
import type { ApiError } from '@posture/protocol';
import type { Collector } from './context.js';
import { ApiFailure } from './errors.js';
import { failureOf, type ThrownError } from './http-errors.js';
import { compileRequestSchema, WIRE_SCHEMAS } from './ingest/validate.js';
import { relayRoutes } from './routes/relay.js';
import { installGuard } from './auth/guard.js';
import { agentsRoutes } from './routes/agents.js';
import { hostsRoutes } from './routes/hosts.js';
import { systemsRoutes } from './routes/systems.js';
import { enrollRoute } from './routes/enroll.js';
import { healthRoutes } from './routes/health.js';
import { reportRoute } from './routes/report.js';
import { reportsRoute } from './routes/reports.js';
import { rulesRoute } from './routes/rules.js';
import { consoleRoutes } from './console/routes.js';
import { portalsRoutes } from './routes/portals.js';
import { RequestLog } from './request-log.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as received (after gunzip), for JSON bodies. */
    rawJson: string | null;
  }
}

export { openCollector } from './compose.js';

/** The charset parameter of a Content-Type, lower-cased; null when there is none. */
export function charsetOf(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * What `posture serve` adds to build()'s options (server.ts; bench/request-blocks.mjs measures
 * with them). The validators a response serializer uses to choose a union's branch (every
 * nullable field is one) are compiled with the routes, before the server listens, not by the
 * first request that reaches them. Since the host's latest report is written out as stored
 * (routes/hosts.ts) they are small: ~0.3 s more to start and ~15 MB of memory, which the apps
 * tests build by the dozen do without (the serializers' output is the same).
 */
export const SERVE_OPTIONS = { serializerOpts: { compileValidators: true } } satisfies FastifyServerOptions;

export function build(c: Collector, opts: FastifyServerOptions & { https?: HttpsServerOptions } = {}): FastifyInstance {
  // One line per refused or failed request and a summary a minute, not two lines per request (request-log.ts).
  const requestLog = new RequestLog(opts.loggerInstance);
  const app = Fastify({
    logController: requestLog,
    bodyLimit: c.config.limits.bodyBytes,
    // Reject, not strip, JSON keys that could pollute prototypes.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Path parameters are bounded by the routes' schemas (which name the parameter), not by the
    // router's default of 100 characters (which answers an anonymous 404).
    routerOptions: { maxParamLength: 1024 },
    ...(opts.loggerInstance ? {} : { logger: opts.logger ?? false }),
    ...opts,
  });

  // JSON bodies are parsed here rather than by fastify's default parser (the same
  // secure-json-parse, refusing __proto__ and constructor.prototype keys) so that the text is
  // kept: the state store keeps each host's latest report exactly as it was sent, without a
  // second JSON.stringify on the ingest path.
  app.decorateRequest<string | null>('rawJson', null);
  app.decorateRequest<string | null>('failureCode', null);
  app.addHook('onReady', async () => requestLog.start());
  app.addHook('onClose', async () => {
    requestLog.stop();
    requestLog.flush();
  });
  // Only JSON bodies: fastify's default text/plain parser would hand a string to the schema
  // check ("must be object"); without it, any other type is a 415 that names it.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const charset = charsetOf(req.headers['content-type']);
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ApiFailure('UNSUPPORTED_MEDIA_TYPE', `Content-Type "${req.headers['content-type']}": charset ${charset} is not supported; send application/json in UTF-8 (no charset, or charset=utf-8)`), undefined);
      return;
    }
    try {
      const text = body as string;
      const parsed: unknown = secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
      req.rawJson = text;
      done(null, parsed);
    } catch (e) {
      done(new ApiFailure('BODY_INVALID_JSON', `body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  // Agents send gzip bodies. Decompression happens before fastify counts the body, so the
  // body limit applies to the decompressed size (a gzip bomb stops at bodyLimit).
  app.addHook('preParsing', async (req, _reply, payload) => {
    const enc = req.headers['content-encoding'];
    if (!enc || enc === 'identity') return payload;
    if (enc !== 'gzip') throw new ApiFailure('UNSUPPORTED_ENCODING', `Content-Encoding "${enc}" is not supported; send gzip or identity`);
    delete req.headers['content-length'];
    const gunzip = createGunzip();
    payload.pipe(gunzip);
    return gunzip;
  });

  // Schemas are compiled by our ajv instances (ingest/validate.ts): strict bodies without
  // coercion, coerced query strings and paths; the protocol's schemas are known by $id to both
  // validation and response serialization.
  app.setValidatorCompiler(({ schema, httpPart }) => compileRequestSchema(schema, httpPart));
  for (const s of WIRE_SCHEMAS) app.addSchema(s);

  app.setErrorHandler((err: ThrownError, req, reply) => {
    let failure = failureOf(err, req, c.config.limits.bodyBytes);
    if (!failure) {
      // Never leak internals in a 5xx: log the error, answer with a generic message.
      req.log.error({ err }, 'internal error');
      failure = new ApiFailure('INTERNAL', 'internal error; the collector logged the details');
    }
    req.failureCode = failure.code;
    const counts = req.routeOptions.config.counts;
    if (counts === 'reports') c.metrics.reportRejected(failure.code);
    if (counts === 'enrollments') c.metrics.enrollRejected(failure.code);
    const body: ApiError = { code: failure.code, message: failure.message, ...(failure.details?.length ? { details: failure.details } : {}) };
    if (failure.retryAfterS) void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(failure.status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    req.failureCode = 'NOT_FOUND';
    const body: ApiError = { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` };
    return reply.code(404).send(body);
  });

  const { enrollLimiter } = installGuard(app, c);
  const deps = { c, enrollLimiter };
  for (const routes of [enrollRoute, reportsRoute, relayRoutes, reportRoute, healthRoutes, rulesRoute, systemsRoutes, hostsRoutes, agentsRoutes]) void app.register(routes, deps);
  consoleRoutes(app, c);
  portalsRoutes(app, c);
  return app;
}
