/**
 * build(): the collector as a fastify app, without listening (tests use inject() or listen on
 * port 0). openCollector() opens the state store; server.ts adds listen, timers and signals.
 */
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { createGunzip } from 'node:zlib';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { pino } from 'pino';
import secureJson from 'secure-json-parse';
import type { ApiError } from '@posture/protocol';
import type { CollectorConfig } from './config.js';
import type { Collector } from './context.js';
import { ApiFailure } from './errors.js';
import { failureOf, type ThrownError } from './http-errors.js';
import { compileRequestSchema, WIRE_SCHEMAS } from './ingest/validate.js';
import { CollectorMetrics } from './metrics.js';
import { InfluxWriter } from './influx/writer.js';
import { Engine } from './rules/engine.js';
import { AgentStore } from './store/agents.js';
import { openDb } from './store/db.js';
import { HostStore } from './store/hosts.js';
import { Outbox } from './store/outbox.js';
import { SystemStore } from './store/systems.js';
import { TokenStore } from './store/tokens.js';
import { AuditLog } from './store/audit.js';
import { RelayStore } from './store/relays.js';
import { Forwarder } from './federation/forwarder.js';
import { relayRoutes } from './routes/relay.js';
import { IngestBatcher } from './ingest/batcher.js';
import { installGuard } from './auth/guard.js';
import { agentsRoutes } from './routes/agents.js';
import { hostsRoutes } from './routes/hosts.js';
import { systemsRoutes } from './routes/systems.js';
import { enrollRoute } from './routes/enroll.js';
import { healthRoutes } from './routes/health.js';
import { reportRoute } from './routes/report.js';
import { reportsRoute } from './routes/reports.js';
import { rulesRoute } from './routes/rules.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as received (after gunzip), for JSON bodies. */
    rawJson: string | null;
  }
}

export interface OpenOptions {
  /**
   * Apply the config's enrollment secrets and API tokens to the store (scrypt: tens of ms per
   * unit). `serve` and tests do; read-only CLI commands skip it.
   */
  syncAuth?: boolean;
}

export function openCollector(config: CollectorConfig, log: FastifyBaseLogger | null = null, opts: OpenOptions = {}): Collector {
  const logger = log ?? pino({ level: 'silent' });
  const db = openDb(config.dataDir);
  const agents = new AgentStore(db);
  const tokens = new TokenStore(db);
  if (opts.syncAuth ?? true) {
    const { ignoredConfigSecret } = agents.syncUnits(config.units);
    for (const unit of ignoredConfigSecret) {
      logger.warn({ unit }, 'the enrollment secret of this unit was rotated with "posture units rotate-secret"; its enrollmentSecret in the config is ignored (remove it)');
    }
    tokens.syncConfig(config.auth.tokens);
  }
  const outbox = new Outbox(db, config.influx?.outboxMaxPoints);
  const forwardUnit = config.upstream?.unit ?? null;
  const hosts = new HostStore(db, outbox, forwardUnit);
  const systems = new SystemStore(db);
  if (config.registryFile) systems.loadFile(config.registryFile);
  const units = () => config.units.map((u) => ({ id: u.id, name: u.name }));
  const engine = new Engine(db, hosts, systems, outbox, units, config.staleAfterMinutes, { rules: config.rules?.files, alerting: config.alerting, defaultIntervalMs: config.evaluationIntervalSeconds * 1000, resolvedResendMinutes: config.rules?.resolvedResendMinutes ?? 15, log: logger });
  const ingest = new IngestBatcher(config.dataDir, outbox, undefined, forwardUnit);
  const influx = config.influx ? new InfluxWriter(config.influx, outbox, logger, (b) => ingest.removeOutbox(b)) : undefined;
  const forwarder = config.upstream ? new Forwarder(db, config.upstream, logger) : undefined;
  const metrics = new CollectorMetrics({ outbox, ingest, influx, forwarder, agents });
  engine.outputs = {
    evaluated: (ms) => metrics.observeEvaluation(ms),
    indicators: (figures) => metrics.recordIndicators(figures),
    alerts: (alerts) => metrics.recordAlerts(alerts),
  };
  return {
    config,
    db,
    agents,
    hosts,
    systems,
    outbox,
    tokens,
    audit: new AuditLog(db),
    relays: new RelayStore(db),
    forwarder,
    ingest,
    engine,
    influx,
    metrics,
  };
}

export function build(c: Collector, opts: FastifyServerOptions & { https?: HttpsServerOptions } = {}): FastifyInstance {
  const app = Fastify({
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
    const counts = req.routeOptions.config.counts;
    if (counts === 'reports') c.metrics.reportRejected(failure.code);
    if (counts === 'enrollments') c.metrics.enrollRejected(failure.code);
    const body: ApiError = { code: failure.code, message: failure.message, ...(failure.details?.length ? { details: failure.details } : {}) };
    if (failure.retryAfterS) void reply.header('retry-after', String(failure.retryAfterS));
    return reply.code(failure.status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const body: ApiError = { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` };
    return reply.code(404).send(body);
  });

  const { enrollLimiter } = installGuard(app, c);
  const deps = { c, enrollLimiter };
  for (const routes of [enrollRoute, reportsRoute, relayRoutes, reportRoute, healthRoutes, rulesRoute, systemsRoutes, hostsRoutes, agentsRoutes]) void app.register(routes, deps);
  return app;
}
