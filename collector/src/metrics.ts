/**
 * The collector's Prometheus metrics (prom-client), one registry per collector so that tests
 * running several collectors in one process do not mix their figures.
 *
 * Two kinds of input: events the routes and the engine report as they happen (a report
 * accepted, an evaluation that took so long, the ratios and alert states it produced), and
 * figures other parts keep themselves (outbox depth, InfluxDB writes, forwarding), read at
 * scrape time through `MetricSources`. The engine-facing functions (`observeEvaluation`,
 * `recordIndicators`, `recordAlerts`) take plain values, so any evaluation can be wired to them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Figures read when /metrics is scraped. */
export interface MetricSources {
  outbox: { depth(): number; pointCount(): number; readonly maxPoints: number };
  ingest: { readonly stats: { commits: number } };
  influx?: { readonly stats: { pointsWritten: number; writeErrors: number; setAside: number } } | undefined;
  forwarder?: { depth(): number; readonly stats: { forwarded: number; duplicates: number; refused: number; failures: number } } | undefined;
  agents: { count(): number };
}

/** One scope's figure of one indicator, as an evaluation observed it. */
export interface IndicatorFigure {
  indicator: string;
  /** 'ministry' | 'unit:<id>' | 'system:<id>' */
  scope: string;
  /** pass / total; null when the scope has nothing to count. */
  value: number | null;
  target: number;
}

/** One alert of the state machine. */
export interface AlertFigure {
  indicator: string;
  scope: string;
  state: string;
}

/** Totals since start, for the collector's own InfluxDB point. */
export interface IngestTotals {
  accepted: number;
  duplicate: number;
  rejected: number;
}

export class CollectorMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly totals: IngestTotals = { accepted: 0, duplicate: 0, rejected: 0 };
  private readonly reportsAccepted: Counter;
  private readonly reportsDuplicate: Counter;
  private readonly reportsRejected: Counter<'code'>;
  private readonly enrollments: Counter;
  private readonly enrollmentsRejected: Counter<'code'>;
  private readonly evaluationDuration: Histogram;
  private readonly ingestWait: Histogram;
  private readonly lastEvaluation: Gauge;
  private readonly indicatorRatio: Gauge<'indicator' | 'scope'>;
  private readonly indicatorTarget: Gauge<'indicator' | 'scope'>;
  private readonly alertState: Gauge<'indicator' | 'scope' | 'state'>;
  /** Scopes each indicator has series for, so a scope that disappears loses its series. */
  private readonly scopesOf = new Map<string, Set<string>>();
  private processMetrics = false;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    this.reportsAccepted = new Counter({ name: 'posture_reports_accepted_total', help: 'Reports stored.', registers });
    this.reportsDuplicate = new Counter({ name: 'posture_reports_duplicate_total', help: 'Resent reports acknowledged without being counted again.', registers });
    this.reportsRejected = new Counter({ name: 'posture_reports_rejected_total', help: 'Reports refused, by error code.', labelNames: ['code'], registers });
    this.enrollments = new Counter({ name: 'posture_enrollments_total', help: 'Agents enrolled.', registers });
    this.enrollmentsRejected = new Counter({ name: 'posture_enrollments_rejected_total', help: 'Enrollment attempts refused, by error code (ENROLL_DENIED, RATE_LIMITED, ...).', labelNames: ['code'], registers });
    this.evaluationDuration = new Histogram({
      name: 'posture_evaluation_duration_seconds',
      help: 'Duration of indicator evaluations (loading members and evaluating every rule in force).',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.ingestWait = new Histogram({
      name: 'posture_ingest_wait_seconds',
      help: 'Time from an accepted report being queued to its transaction being durable (what its acknowledgement waits for: the batch ahead of it, then its own commit).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.lastEvaluation = new Gauge({ name: 'posture_evaluation_seconds', help: 'Duration of the last indicator evaluation.', registers });
    this.indicatorRatio = new Gauge({ name: 'posture_indicator_ratio', help: 'Ratio (pass / total) of each indicator per scope at the last evaluation; absent when the scope has nothing to count.', labelNames: ['indicator', 'scope'], registers });
    this.indicatorTarget = new Gauge({ name: 'posture_indicator_target', help: 'Target ratio of each indicator per scope (the directive).', labelNames: ['indicator', 'scope'], registers });
    this.alertState = new Gauge({ name: 'posture_alert_state', help: 'Alerts of the rules: 1 for the state each alert is in (pending, firing, resolved).', labelNames: ['indicator', 'scope', 'state'], registers });

    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    // A figure another part counts itself: set, at scrape time, to that part's total.
    const counted = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    gauge('posture_outbox_depth', 'Batches of points waiting for InfluxDB.', () => sources.outbox.depth());
    gauge('posture_outbox_points', 'Points waiting for InfluxDB.', () => sources.outbox.pointCount());
    gauge('posture_outbox_max_points', 'Bound of the outbox (influx.outboxMaxPoints); at it, reports get 503. 0: unbounded.', () => (sources.outbox.maxPoints === Number.MAX_SAFE_INTEGER ? 0 : sources.outbox.maxPoints));
    gauge('posture_agents', 'Enrolled agents.', () => sources.agents.count());
    counted('posture_outbox_set_aside_total', 'Point batches InfluxDB refused as malformed (kept in outbox_rejected).', () => sources.influx?.stats.setAside ?? 0);
    counted('posture_influx_points_written_total', 'Points InfluxDB acknowledged.', () => sources.influx?.stats.pointsWritten ?? 0);
    counted('posture_influx_write_errors_total', 'Failed InfluxDB writes.', () => sources.influx?.stats.writeErrors ?? 0);
    counted('posture_ingest_commits_total', 'SQLite transactions of the ingest path (group commit: reports / commits = batch size).', () => sources.ingest.stats.commits);
    const fwd = sources.forwarder;
    if (fwd) {
      gauge('posture_forward_outbox_reports', 'Reports waiting to be forwarded to the ministry collector (upstream).', () => fwd.depth());
      new Counter({
        name: 'posture_forwarded_total',
        help: 'Reports the ministry collector acknowledged, by result (stored, duplicate, refused).',
        labelNames: ['result'],
        registers,
        collect() {
          this.reset();
          this.inc({ result: 'stored' }, fwd.stats.forwarded);
          this.inc({ result: 'duplicate' }, fwd.stats.duplicates);
          this.inc({ result: 'refused' }, fwd.stats.refused);
        },
      });
      counted('posture_forward_failures_total', 'Failed forwarding attempts (retried with backoff).', () => fwd.stats.failures);
    }
  }

  /**
   * The process's own figures, for `serve` only (one set per process): CPU, heap, GC pauses by
   * kind (`nodejs_gc_duration_seconds`) and the event-loop delay since the previous scrape
   * (`nodejs_eventloop_lag_p99_seconds`, `_max_seconds`, ...; monitorEventLoopDelay, reset at
   * each scrape): a report's latency that the ingest wait does not explain was spent waiting for
   * the event loop.
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 5 });
  }

  /** Accepted reports became durable after waiting `ms` each (their acknowledgements go now). */
  observeIngestWait(waitsMs: readonly number[]): void {
    for (const ms of waitsMs) this.ingestWait.observe(ms / 1000);
  }

  reportAccepted(): void {
    this.totals.accepted++;
    this.reportsAccepted.inc();
  }

  reportDuplicate(): void {
    this.totals.duplicate++;
    this.reportsDuplicate.inc();
  }

  reportRejected(code: string): void {
    this.totals.rejected++;
    this.reportsRejected.inc({ code });
  }

  enrolled(): void {
    this.enrollments.inc();
  }

  enrollRejected(code: string): void {
    this.enrollmentsRejected.inc({ code });
  }

  /** Reports since start, for the collector's own dashboard point. */
  ingestTotals(): Readonly<IngestTotals> {
    return { ...this.totals };
  }

  /** An evaluation took `ms`. */
  observeEvaluation(ms: number): void {
    this.evaluationDuration.observe(ms / 1000);
    this.lastEvaluation.set(ms / 1000);
  }

  /** The figures an evaluation recorded; indicators not in `figures` keep their series. */
  recordIndicators(figures: readonly IndicatorFigure[]): void {
    const seen = new Map<string, Set<string>>();
    for (const f of figures) {
      if (!seen.has(f.indicator)) seen.set(f.indicator, new Set());
      seen.get(f.indicator)!.add(f.scope);
      const labels = { indicator: f.indicator, scope: f.scope };
      this.indicatorTarget.set(labels, f.target);
      if (f.value === null) this.indicatorRatio.remove(labels);
      else this.indicatorRatio.set(labels, f.value);
    }
    for (const [indicator, scopes] of seen) {
      for (const old of this.scopesOf.get(indicator) ?? []) {
        if (scopes.has(old)) continue;
        this.indicatorRatio.remove({ indicator, scope: old });
        this.indicatorTarget.remove({ indicator, scope: old });
      }
      this.scopesOf.set(indicator, scopes);
    }
  }

  /** Every alert the state machine holds now (alerts not listed are gone). */
  recordAlerts(alerts: readonly AlertFigure[]): void {
    this.alertState.reset();
    for (const a of alerts) this.alertState.set({ indicator: a.indicator, scope: a.scope, state: a.state }, 1);
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
