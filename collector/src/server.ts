/** Listen, run the background jobs (outbox drain, evaluation), shut down gracefully on signals. */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { build, openCollector } from './app.js';
import type { CollectorConfig } from './config.js';
import type { Collector } from './context.js';

export interface RunningCollector {
  app: FastifyInstance;
  collector: Collector;
  /** e.g. http://[::1]:8080 */
  address: string;
  close(): Promise<void>;
}

export async function startServer(config: CollectorConfig, opts: { logLevel?: string } = {}): Promise<RunningCollector> {
  const log = pino({
    level: opts.logLevel ?? process.env.POSTURE_LOG_LEVEL ?? 'info',
    // Credentials and secrets never reach the log.
    redact: { paths: ['req.headers.authorization', 'secret', '*.secret', 'credential', '*.credential', 'token', '*.token', 'password', '*.password'], censor: '[redacted]' },
  });
  const collector = openCollector(config, log);
  const app = build(collector, { loggerInstance: log });
  await app.listen({ host: config.listen.host, port: config.listen.port, ipv6Only: false });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen.port;
  const host = config.listen.host === '::' || config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
  const address = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  collector.influx?.start();
  const evaluate = () => {
    try {
      collector.engine.evaluateAndRecord();
    } catch (e) {
      app.log.error({ err: e }, 'indicator evaluation failed; will retry at the next interval');
    }
  };
  evaluate();
  const evalTimer = setInterval(evaluate, config.evaluationIntervalSeconds * 1000);
  // Idempotency keys are needed only while a resend could still pass the clock-skew check.
  const prune = () => {
    try {
      const n = collector.hosts.pruneReportIds(new Date(Date.now() - (config.limits.clockSkewMinutes + 60) * 60_000));
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
      clearInterval(evalTimer);
      clearInterval(pruneTimer);
      await app.close(); // stops accepting, finishes in-flight requests and their commits
      await collector.influx?.stop();
      await collector.influx?.flush();
      await collector.influx?.close();
      await collector.ingest.close();
      collector.db.close();
    })());
  return { app, collector, address, close };
}
