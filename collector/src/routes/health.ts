/** GET /healthz (liveness + store check) and GET /metrics (Prometheus text format). */
import type { FastifyInstance } from 'fastify';
import type { Collector } from '../context.js';

export function healthRoutes(app: FastifyInstance, c: Collector): void {
  app.get('/healthz', async () => {
    c.ping();
    return { status: 'ok', agents: c.agents.count(), outboxDepth: c.outbox.depth() };
  });

  app.get('/metrics', async (_req, reply) => {
    const lines = [
      '# HELP posture_reports_accepted_total Reports stored.',
      '# TYPE posture_reports_accepted_total counter',
      `posture_reports_accepted_total ${c.counters.accepted}`,
      '# HELP posture_reports_duplicate_total Resent reports acknowledged without being counted again.',
      '# TYPE posture_reports_duplicate_total counter',
      `posture_reports_duplicate_total ${c.counters.duplicate}`,
      '# HELP posture_reports_rejected_total Reports refused, by error code.',
      '# TYPE posture_reports_rejected_total counter',
      ...Object.entries(c.counters.rejected).map(([code, n]) => `posture_reports_rejected_total{code="${code}"} ${n}`),
      '# HELP posture_enrollments_total Agents enrolled.',
      '# TYPE posture_enrollments_total counter',
      `posture_enrollments_total ${c.counters.enrolled}`,
      '# HELP posture_enrollments_rejected_total Enrollment attempts refused, by error code (ENROLL_DENIED, RATE_LIMITED, ...).',
      '# TYPE posture_enrollments_rejected_total counter',
      ...Object.entries(c.counters.enrollRejected).map(([code, n]) => `posture_enrollments_rejected_total{code="${code}"} ${n}`),
      '# HELP posture_outbox_depth Batches of points waiting for InfluxDB.',
      '# TYPE posture_outbox_depth gauge',
      `posture_outbox_depth ${c.outbox.depth()}`,
      '# HELP posture_outbox_points Points waiting for InfluxDB.',
      '# TYPE posture_outbox_points gauge',
      `posture_outbox_points ${c.outbox.pointCount()}`,
      '# HELP posture_outbox_max_points Bound of the outbox (influx.outboxMaxPoints); at it, reports get 503.',
      '# TYPE posture_outbox_max_points gauge',
      `posture_outbox_max_points ${c.outbox.maxPoints === Number.MAX_SAFE_INTEGER ? 0 : c.outbox.maxPoints}`,
      '# HELP posture_outbox_set_aside_total Point batches InfluxDB refused as malformed (kept in outbox_rejected).',
      '# TYPE posture_outbox_set_aside_total counter',
      `posture_outbox_set_aside_total ${c.influx?.stats.setAside ?? 0}`,
      '# HELP posture_influx_points_written_total Points InfluxDB acknowledged.',
      '# TYPE posture_influx_points_written_total counter',
      `posture_influx_points_written_total ${c.influx?.stats.pointsWritten ?? 0}`,
      '# HELP posture_ingest_commits_total SQLite transactions of the ingest path (group commit: reports / commits = batch size).',
      '# TYPE posture_ingest_commits_total counter',
      `posture_ingest_commits_total ${c.ingest.stats.commits}`,
      '# HELP posture_influx_write_errors_total Failed InfluxDB writes.',
      '# TYPE posture_influx_write_errors_total counter',
      `posture_influx_write_errors_total ${c.influx?.stats.writeErrors ?? 0}`,
      ...(c.forwarder
        ? [
            '# HELP posture_forward_outbox_reports Reports waiting to be forwarded to the ministry collector (upstream).',
            '# TYPE posture_forward_outbox_reports gauge',
            `posture_forward_outbox_reports ${c.forwarder.depth()}`,
            '# HELP posture_forwarded_total Reports the ministry collector acknowledged, by result (stored, duplicate, refused).',
            '# TYPE posture_forwarded_total counter',
            `posture_forwarded_total{result="stored"} ${c.forwarder.stats.forwarded}`,
            `posture_forwarded_total{result="duplicate"} ${c.forwarder.stats.duplicates}`,
            `posture_forwarded_total{result="refused"} ${c.forwarder.stats.refused}`,
            '# HELP posture_forward_failures_total Failed forwarding attempts (retried with backoff).',
            '# TYPE posture_forward_failures_total counter',
            `posture_forward_failures_total ${c.forwarder.stats.failures}`,
          ]
        : []),
      '# HELP posture_evaluation_seconds Duration of the last indicator evaluation.',
      '# TYPE posture_evaluation_seconds gauge',
      `posture_evaluation_seconds ${(c.engine.lastEvaluationMs / 1000).toFixed(6)}`,
    ];
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
}
