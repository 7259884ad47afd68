/** What routes and background jobs share: the stores (store/index.ts) and the services (compose.ts). */
import type { Report } from '@posture/protocol';
import type { AlertmanagerSink } from './alerts/alertmanager.js';
import type { Dispatcher } from './alerts/dispatcher.js';
import type { Forwarder } from './federation/forwarder.js';
import type { Point } from './influx/points.js';
import type { InfluxWriter } from './influx/writer.js';
import type { IngestBatcher } from './ingest/batcher.js';
import type { CollectorMetrics } from './metrics.js';
import type { LastReport } from './report/last.js';
import type { Engine } from './rules/engine.js';
import type { PortalRunner } from './portals/scheduler.js';
import type { Stores } from './store/index.js';

export type { Stores };

export interface Services {
  readonly engine: Engine;
  /** The live report as of the last recorded evaluation (what GET /api/v1/report serves). */
  readonly lastReport: LastReport;
  /** Delivers queued alert notices to the webhook and e-mail sinks. */
  readonly dispatcher: Dispatcher;
  /** Present when alerting.alertmanager is configured. */
  readonly alertmanager: AlertmanagerSink | undefined;
  /** Present when upstream is configured (a unit's collector forwarding to the ministry's). */
  readonly forwarder: Forwarder | undefined;
  /** Group commit of accepted reports. */
  readonly ingest: IngestBatcher;
  /** Present when influx.url is configured. */
  readonly influx: InfluxWriter | undefined;
  /** The portal prober's runner (scheduled by startServices when `portals` is configured). */
  readonly portalRunner: PortalRunner;
  /** Prometheus metrics (/metrics) and the ingest totals of the collector's own InfluxDB point. */
  readonly metrics: CollectorMetrics;
}

export interface Collector extends Stores, Services {
  /** Store one report synchronously through the ingest transaction (tests and tools that seed a store). */
  storeReport(report: Report, unit: string, points: Point[], receivedAt: Date): boolean;
}
