/** Listen, run the background jobs (outbox drain, evaluation), shut down gracefully on signals. */
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { SERVE_OPTIONS, build } from './app.js';
import { openCollector, startServices } from './compose.js';
import type { CollectorConfig } from './config.js';
import type { Collector } from './context.js';

export interface RunningCollector {
  app: FastifyInstance;
  collector: Collector;
  /** e.g. http://[::1]:8080 */
  address: string;
  close(): Promise<void>;
}

/** listen.tls -> fastify's https options (read once at start; a bad file fails the start). */
function httpsOptions(config: CollectorConfig): { https?: ServerOptions } {
  const tls = config.listen.tls;
  if (!tls) return {};
  const read = (key: string, f: string) => {
    try {
      return readFileSync(f);
    } catch (e) {
      throw new Error(`listen.tls.${key}: cannot read ${f}: ${(e as Error).message}`, { cause: e });
    }
  };
  const https: ServerOptions = { cert: read('certFile', tls.certFile), key: read('keyFile', tls.keyFile) };
  if (tls.clientCaFile) Object.assign(https, { ca: read('clientCaFile', tls.clientCaFile), requestCert: true, rejectUnauthorized: true });
  return { https };
}

export async function startServer(config: CollectorConfig, opts: { logLevel?: string } = {}): Promise<RunningCollector> {
  const log = pino({
    level: opts.logLevel ?? process.env.POSTURE_LOG_LEVEL ?? 'info',
    // Credentials and secrets never reach the log.
    redact: { paths: ['req.headers.authorization', 'secret', '*.secret', 'credential', '*.credential', 'token', '*.token', 'password', '*.password'], censor: '[redacted]' },
  });
  const collector = openCollector(config, log);
  const app = build(collector, { ...SERVE_OPTIONS, loggerInstance: log, ...httpsOptions(config) });
  await app.listen({ host: config.listen.host, port: config.listen.port, ipv6Only: false });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen.port;
  const host = config.listen.host === '::' || config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
  const address = `${config.listen.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const services = startServices(collector);
  // SIGHUP reloads the rule files; a broken set is refused and the rules in force stay.
  const onHup = () => {
    const r = collector.engine.rules.reload();
    if (r.ok) app.log.info({ groups: r.groups, rules: r.rules, files: r.files }, 'rules reloaded');
    else app.log.error({ problems: r.problems }, r.message);
  };
  process.on('SIGHUP', onHup);
  // Idempotency keys are needed only while a resend could still pass the clock-skew check.
  const prune = () => {
    try {
      const n = collector.reports.prune(new Date(Date.now() - (config.limits.clockSkewMinutes + 60) * 60_000));
      if (n) app.log.info({ removed: n }, 'pruned report ids older than the clock-skew window');
    } catch (e) {
      app.log.error({ err: e }, 'pruning report ids failed; will retry in an hour');
    }
  };
  prune();
  const pruneTimer = setInterval(prune, 3600_000);
  pruneTimer.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      process.off('SIGHUP', onHup);
      clearInterval(pruneTimer);
      await services.stopEvaluation();
      // Node closes the keep-alive connections that are idle when the server closes; one whose
      // request was still being answered then stays open after its answer until the client or
      // keepAliveTimeout (72 s) ends it, and the close waits for it. Reap those as they go idle.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close(); // stops accepting, finishes in-flight requests and their commits
      } finally {
        clearInterval(reaper);
      }
      await services.stopDelivery();
      collector.close();
    })());
  return { app, collector, address, close };
}
