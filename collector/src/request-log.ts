/**
 * What the collector logs about requests (fastify's log controller). Fastify's own lines are
 * two per request at info ("incoming request", "request completed"): at 2,000 reports/s that is
 * 4,000 lines/s, more than journald takes from one service by default (10,000 messages per
 * 30 s, then it drops them, errors included), and writing them took about a tenth of the event
 * loop. What the people on duty read instead, at info:
 *
 * - a refused (4xx) or failed (5xx) request: one line with its method, route, status, error
 *   code, who sent it and how long it took; at most `perKind` lines per status and code in a
 *   period, the rest counted in the summary (an outage answered with 503s must not flood the
 *   log either);
 * - once per period with traffic, one summary line: requests by status, refusals by code, how
 *   many refusal lines were left out, the slowest request.
 *
 * At debug, every request gets its line. /metrics keeps the counters and histograms.
 */
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { actorOf } from './auth/guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API error code a refused request was answered with (set by the error and not-found handlers). */
    failureCode: string | null;
  }
}

interface Period {
  /** performance.now() at its start. */
  since: number;
  requests: number;
  byStatus: Record<string, number>;
  /** Refusals by "status code", and how many of them were logged one by one. */
  refused: Map<string, { n: number; logged: number }>;
  suppressed: number;
  slowest: { ms: number; method: string; url: string; status: number } | null;
}

const newPeriod = (): Period => ({ since: performance.now(), requests: 0, byStatus: {}, refused: new Map(), suppressed: 0, slowest: null });

export class RequestLog extends LogController {
  private period = newPeriod();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: FastifyBaseLogger | undefined,
    private readonly perKind = 5,
  ) {
    super();
  }

  /** Log a summary every `periodMs` (unref'd: it never keeps the process alive). */
  start(periodMs = 60_000): void {
    this.stop();
    this.timer = setInterval(() => this.flush(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The summary of the period so far, when it had requests; starts a new period. */
  flush(): void {
    const p = this.period;
    this.period = newPeriod();
    if (!p.requests) return;
    const periodS = Math.round((this.period.since - p.since) / 1000);
    const refused = Object.fromEntries([...p.refused].map(([k, v]) => [k, v.n]));
    this.log?.info({ periodS, requests: p.requests, byStatus: p.byStatus, refused, refusalsNotLogged: p.suppressed, slowest: p.slowest }, 'requests');
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    const p = this.period;
    p.requests++;
    p.byStatus[status] = (p.byStatus[status] ?? 0) + 1;
    if (p.slowest === null || ms > p.slowest.ms) p.slowest = { ms: Math.round(ms), method: request.method, url: routeOf(request), status };
    if (!this.log) return;
    if (status < 400 && !error) {
      if (this.log.level === 'debug' || this.log.level === 'trace') request.log.debug({ method: request.method, url: routeOf(request), status, ms: Math.round(ms), actor: actorOf(request) }, 'request');
      return;
    }
    const code = request.failureCode ?? (error ? 'ERROR' : 'NONE');
    const key = `${status} ${code}`;
    const kind = p.refused.get(key) ?? { n: 0, logged: 0 };
    p.refused.set(key, kind);
    kind.n++;
    if (kind.logged >= this.perKind) {
      p.suppressed++;
      return;
    }
    kind.logged++;
    const line = { method: request.method, url: routeOf(request), status, code, ms: Math.round(ms), actor: actorOf(request), ip: request.ip, ...(error ? { err: error } : {}) };
    if (status >= 500 || error) request.log.error(line, 'request failed');
    else request.log.info(line, 'request refused');
  }
}

/** The matched route's pattern (never the query string: nothing of a request's parameters reaches the log). */
const routeOf = (request: FastifyRequest): string => request.routeOptions.url ?? request.url.split('?')[0]!;
