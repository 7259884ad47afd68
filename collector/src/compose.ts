/**
 * How the collector is put together. openStore(config) (store/index.ts) opens the state store
 * and its table owners only: admin CLI commands need nothing else. createServices() adds what
 * evaluates and sends: the rule engine (which loads the rule files), the alert sinks and their
 * dispatcher, the InfluxDB writer, the federation forwarder and the ingest commit thread.
 * startServices() starts their timers; `serve` (server.ts) does both.
 *
 * This is also where the engine's outputs are wired: one evaluation is recorded in ONE
 * transaction (history rows, indicator points, alert state, queued notices).
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { Report } from '@posture/protocol';
import { AlertmanagerSink, toAmAlerts } from './alerts/alertmanager.js';
import { Dispatcher } from './alerts/dispatcher.js';
import { EmailSink } from './alerts/email.js';
import { generatorUrl, noticeOf } from './alerts/notice.js';
import type { NoticeSink } from './alerts/types.js';
import { WebhookSink } from './alerts/webhook.js';
import type { CollectorConfig } from './config.js';
import { consoleData } from './console/data.js';
import type { Collector, Services } from './context.js';
import { Forwarder } from './federation/forwarder.js';
import { indicatorPoints } from './influx/indicator-points.js';
import { inventoryPoints } from './influx/inventory.js';
import { toLines } from './influx/line.js';
import type { Point } from './influx/points.js';
import { InfluxWriter } from './influx/writer.js';
import { CollectorMetrics } from './metrics.js';
import { IngestBatcher } from './ingest/batcher.js';
import { LastReport } from './report/last.js';
import { toIngestRow } from './ingest/rows.js';
import { Engine, type RecordedEvaluation, type SourcedMembers } from './rules/engine.js';
import { RuleManager } from './rules/manager.js';
import { Slicer } from './rules/slicer.js';
import { hostFactsFor, hostMembers, hostMembersSliced, systemMembers, systemMembersSliced, type HostMember } from './rules/members.js';
import { openStore, type OpenStoreOptions, type Stores } from './store/index.js';
// Portal prober (src/portals/): its runner (points through the outbox).
import { portalRunnerFor } from './portals/scheduler.js';

export { openStore };

export interface ServiceOptions {
  log?: FastifyBaseLogger | null | undefined;
  /** Rules to use instead of the config's files (tests). */
  rules?: RuleManager | undefined;
}

/** Record one evaluation, all or nothing: history, indicator points, alert state and notices. */
function recordEvaluation(s: Stores, dispatcher: Dispatcher, externalUrl: string, r: RecordedEvaluation): void {
  const at = r.ev.evaluatedAt;
  // Names for the dashboards (legends and tables show them, not ids); ids still group.
  const names = { unit: new Map(r.ev.units.map((u) => [u.id, u.shortName ?? u.name])), system: new Map(r.members.systems.map((m) => [m.id, m.name])) };
  const points = indicatorPoints(r.observations, r.now, names);
  s.outbox.tracked(() =>
    s.atomically(() => {
      s.indicatorResults.add(r.observations.map((o) => ({ evaluated_at: at, indicator: o.indicator, scope: o.scope, pass: o.pass, total: o.total, target: o.target })));
      s.outbox.addLinesInTransaction(toLines(points), points.length, at);
      s.alerts.save(r.alerts);
      for (const t of r.alerts.transitions) dispatcher.enqueue(noticeOf(t.alert, t.transition, r.ruleOf.get(t.alert.indicator), externalUrl), r.now);
    }),
  );
}

/** The engine, sinks, InfluxDB writer, forwarder and commit thread over opened stores (nothing started). */
export function createServices(s: Stores, opts: ServiceOptions = {}): Services {
  const config = s.config;
  const log = opts.log ?? pino({ level: 'silent' });
  const a = config.alerting;
  const externalUrl = (a?.externalUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const sinks: NoticeSink[] = [];
  if (a?.webhook) sinks.push(new WebhookSink(a.webhook, externalUrl));
  if (a?.email) sinks.push(new EmailSink({ ...a.email, to: a.email.to }));
  const dispatcher = new Dispatcher(s.notifications, sinks, log);
  const alertmanager = a?.alertmanager ? new AlertmanagerSink(a.alertmanager, log) : undefined;
  // Assigned once the engine exists (the report reads it); the engine's output closure refers to it first.
  // eslint-disable-next-line prefer-const
  let lastReport: LastReport | undefined;
  const withSystems = (hosts: HostMember[], now: Date): SourcedMembers => {
    const registry = s.systems.all();
    // system.portal.*: the newest outside probe of each portal.
    return { hosts, systems: systemMembers(registry, hosts, s.portals.latestFacts(), now), systemNames: new Map(registry.map((r) => [r.id, r.name])) };
  };
  const withSystemsSliced = async (hosts: HostMember[], now: Date, slicer: Slicer): Promise<SourcedMembers> => {
    const registry = s.systems.all();
    return { hosts, systems: await systemMembersSliced(registry, hosts, s.portals.latestFacts(), now, slicer), systemNames: new Map(registry.map((r) => [r.id, r.name])) };
  };
  // The engine's outputs reach `metrics` (made below, with the parts it reads) only once it runs.
  const engine: Engine = new Engine({
    rules: opts.rules ?? new RuleManager(config.rules?.files),
    units: () => config.units.map((u) => ({ id: u.id, name: u.name, ...(u.shortName ? { shortName: u.shortName } : {}) })),
    // The inputs kept since the last evaluation, refreshed from the rows written since (store/host-inputs-cache.ts).
    members: (now) => withSystems(hostMembers(s.hostInputs.inService(hostFactsFor(engine.rules.rules)), now, config.staleAfterMinutes, config.protection), now),
    // The scheduled one reads the changed rows (every row at a restart) in slices too.
    membersSliced: async (now, slicer) => withSystemsSliced(await hostMembersSliced(await s.hostInputs.inServiceSliced(hostFactsFor(engine.rules.rules), slicer), now, config.staleAfterMinutes, config.protection, slicer), now, slicer),
    alertState: () => s.alerts.all(),
    record: (r) => recordEvaluation(s, dispatcher, externalUrl, r),
    afterRecord: (r) => {
      lastReport?.record(r);
      metrics.recordIndicators(r.observations);
      metrics.recordAlerts(r.alerts.state);
      alertmanager?.push(toAmAlerts(s.alerts.active(), r.now, engine.resendIntervalMs(), (x) => generatorUrl(externalUrl, x)));
    },
    evaluated: (ms) => metrics.observeEvaluation(ms),
    defaultIntervalMs: config.evaluationIntervalSeconds * 1000,
    resolvedKeepMs: (config.rules?.resolvedResendMinutes ?? 15) * 60_000,
    log,
  });
  lastReport = new LastReport(engine, () => new Map([...s.portals.latest()].map(([id, row]) => [id, row.result])));
  const forwardUnit = config.upstream?.unit ?? null;
  const ingest = new IngestBatcher(config.dataDir, s.outbox, undefined, forwardUnit);
  const influx = config.influx ? new InfluxWriter(config.influx, s.outbox, log, (b) => ingest.removeOutbox(b)) : undefined;
  const portalRunner = portalRunnerFor(s, log.child({ component: 'portals' }));
  const forwarder = config.upstream ? new Forwarder(s.forwardOutbox, config.upstream, log) : undefined;
  const metrics = new CollectorMetrics({ outbox: s.outbox, agents: s.agents, ingest, influx, forwarder });
  ingest.onDurable = (waits) => metrics.observeIngestWait(waits);
  return { engine, lastReport, portalRunner, dispatcher, alertmanager, influx, forwarder, ingest, metrics };
}

/** Stores and services together (nothing started): what routes see; tests build apps on it. */
export function openCollector(config: CollectorConfig, log: FastifyBaseLogger | null = null, opts: OpenStoreOptions & { rules?: RuleManager } = {}): Collector {
  const stores = openStore(config, { ...opts, log });
  let services: Services;
  try {
    services = createServices(stores, { log, rules: opts.rules });
  } catch (e) {
    stores.close();
    throw e;
  }
  return {
    ...stores,
    ...services,
    storeReport: (report: Report, unit: string, points: Point[], receivedAt: Date) => stores.ingestCommit.commit([toIngestRow({ report, unit, points, receivedAt })]).stored[0]!,
  };
}

export interface RunningServices {
  /** Stop evaluating and delivering alerts (before the HTTP server closes). */
  stopEvaluation(): Promise<void>;
  /** Then the forwarder, the InfluxDB writer (flushed once more) and the commit thread. */
  stopDelivery(): Promise<void>;
}

/** Start the background work of `serve`: evaluation, alert delivery, InfluxDB writes, forwarding. */
export function startServices(c: Collector): RunningServices {
  c.metrics.collectProcessMetrics();
  c.ingest.start();
  c.influx?.start();
  c.forwarder?.start();
  // Dashboard-only points after each evaluation: without InfluxDB nothing drains the outbox,
  // so they are not queued then.
  // In slices as the evaluation was: the console's indexes and the verdict history go over
  // every host (0.15 s at 100,000 hosts, 0.5 s at a restart, which reads every host's last verdict).
  c.engine.afterEvaluation = async (now, members, ev) => {
    const slicer = new Slicer(c.engine.sliceMs);
    // The recording (one transaction, ~20 ms at 100,000 hosts) just ran: let requests in first.
    await slicer.pause();
    if (c.influx) {
      // ~20 ms at 100,000 hosts (one pass over the hosts, one point per system).
      const points = inventoryPoints(c, members, now);
      c.outbox.add(toLines(points), points.length, now);
      await slicer.pause();
    }
    // The console shows the evaluation just recorded (and keeps each host's verdict history).
    await consoleData(c).afterEvaluationSliced(now, members, ev, slicer);
  };
  c.engine.start();
  c.dispatcher.start();
  // The portal prober's own schedule (the outside view of systems tagged portal).
  if (c.config.portals) c.portalRunner.start(c.config.portals.intervalMinutes * 60_000);
  return {
    async stopEvaluation() {
      c.engine.stop();
      await c.engine.idle();
      await c.portalRunner.stop();
      await c.dispatcher.stop();
      await c.alertmanager?.settle();
    },
    async stopDelivery() {
      await c.forwarder?.stop();
      await c.influx?.stop();
      await c.influx?.flush();
      await c.influx?.close();
      await c.ingest.close();
    },
  };
}
