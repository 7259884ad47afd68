/**
 * build(): the collector as a fastify app, without listening (tests use inject() or listen on
 * port 0). openCollector() (compose.ts) opens the stores and makes the services; server.ts
 * adds listen, timers and signals.
 */
import { createGunzip } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import secureJson from 'secure-json-parse';
import type { ApiError } from '@posture/protocol';
import type { Collector } from './context.js';
import { ApiFailure, type ErrorCode } from './errors.js';
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

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as received (after gunzip), for JSON bodies. */
    rawJson: string | null;
  }
}

export { openCollector } from './compose.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_INVALID_JSON',
};

export function build(c: Collector, opts: FastifyServerOptions = {}): FastifyInstance {
  const app = Fastify({
    bodyLimit: c.config.limits.bodyBytes,
    // Reject, not strip, JSON keys that could pollute prototypes.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ...(opts.loggerInstance ? {} : { logger: opts.logger ?? false }),
    ...opts,
  });

  // JSON bodies are parsed here rather than by fastify's default parser (the same
  // secure-json-parse, refusing __proto__ and constructor.prototype keys) so that the text is
  // kept: the state store keeps each host's latest report exactly as it was sent, without a
  // second JSON.stringify on the ingest path.
  app.decorateRequest<string | null>('rawJson', null);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
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

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    let failure: ApiFailure;
    if (err instanceof ApiFailure) failure = err;
    else if (err.code && FASTIFY_CODES[err.code]) {
      const code = FASTIFY_CODES[err.code]!;
      const msg =
        code === 'BODY_TOO_LARGE'
          ? req.url.startsWith('/api/v1/relay/')
            ? `relay batch is larger than the limit of ${c.config.relay.bodyBytes} bytes (relay.bodyBytes); send fewer reports per batch`
            : `request body is larger than the limit of ${c.config.limits.bodyBytes} bytes (limits.bodyBytes)`
          : code === 'UNSUPPORTED_MEDIA_TYPE'
            ? 'Content-Type must be application/json'
            : `body is not valid JSON: ${err.message}`;
      failure = new ApiFailure(code, msg);
    } else if (err.statusCode === 400 && /JSON|Unexpected|prototype|constructor/i.test(err.message)) {
      failure = new ApiFailure('BODY_INVALID_JSON', `body is not valid JSON: ${err.message}`);
    } else if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR') {
      failure = new ApiFailure('BODY_INVALID_JSON', 'body is not valid gzip data');
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      failure = new ApiFailure('BODY_INVALID_JSON', err.message);
    } else {
      // Never leak internals in a 5xx: log the error, answer with a generic message.
      req.log.error({ err }, 'internal error');
      failure = new ApiFailure('INTERNAL', 'internal error; the collector logged the details');
    }
    if (req.url.startsWith('/api/v1/reports')) c.counters.rejected[failure.code] = (c.counters.rejected[failure.code] ?? 0) + 1;
    if (req.url.startsWith('/api/v1/enroll') || req.url.startsWith('/api/v1/relay/enroll')) c.counters.enrollRejected[failure.code] = (c.counters.enrollRejected[failure.code] ?? 0) + 1;
    const body: ApiError = { code: failure.code, message: failure.message, ...(failure.details?.length ? { details: failure.details } : {}) };
    if (failure.retryAfterS) void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(failure.status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const body: ApiError = { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` };
    return reply.code(404).send(body);
  });

  const { enrollLimiter } = installGuard(app, c);
  enrollRoute(app, c, enrollLimiter);
  reportsRoute(app, c);
  relayRoutes(app, c, enrollLimiter);
  reportRoute(app, c);
  healthRoutes(app, c);
  rulesRoute(app, c);
  systemsRoutes(app, c);
  hostsRoutes(app, c);
  agentsRoutes(app, c);
  consoleRoutes(app, c);
  portalsRoutes(app, c);
  return app;
}
