/**
 * openStore(config): the state store and its table owners, and nothing else (no rules, no
 * InfluxDB, no network): what admin CLI commands use, so a broken rule file never stops
 * `posture tokens create`. Every table has exactly one owner module in this directory.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CollectorConfig } from '../config.js';
import { AgentStore } from './agents.js';
import { AlertStore } from './alerts.js';
import { AuditLog } from './audit.js';
import { ConsoleSessionStore } from './console-sessions.js';
import { openDb, type DB } from './db.js';
import { ForwardOutbox } from './forward-outbox.js';
import { HostStore } from './hosts.js';
import { HostInputCache } from './host-inputs-cache.js';
import { HostVerdictLog } from './host-verdicts.js';
import { IndicatorResultStore } from './indicator-results.js';
import { IngestCommit } from './ingest-commit.js';
import { NotificationStore } from './notifications.js';
import { Outbox } from './outbox.js';
import { RelayStore } from './relays.js';
import { ReportStore } from './reports.js';
import { SystemStore } from './systems.js';
import { TokenStore } from './tokens.js';
import { PortalStore } from './portals.js';

export interface Stores {
  readonly config: CollectorConfig;
  /** The connection (tests inspect tables through testing/sql.ts; application code goes through the stores). */
  readonly db: DB;
  /** units and agents */
  readonly agents: AgentStore;
  /** hosts (latest state) and, through host-facts.ts, host_rule_facts */
  readonly hosts: HostStore;
  /** The rule inputs of every host in service, refreshed from the rows changed since the last evaluation (the engine's member source). */
  readonly hostInputs: HostInputCache;
  /** reports (idempotency keys) */
  readonly reports: ReportStore;
  /** systems (the registry) */
  readonly systems: SystemStore;
  /** outbox and outbox_rejected (points for InfluxDB) */
  readonly outbox: Outbox;
  /** forward_outbox and forward_refused (reports for the ministry's collector) */
  readonly forwardOutbox: ForwardOutbox;
  /** api_tokens */
  readonly tokens: TokenStore;
  /** audit */
  readonly audit: AuditLog;
  /** relays (the ministry side of federation) */
  readonly relays: RelayStore;
  /** alert_state */
  readonly alerts: AlertStore;
  /** alert_notifications */
  readonly notifications: NotificationStore;
  /** indicator_results */
  readonly indicatorResults: IndicatorResultStore;
  /** console_sessions (the console's sign-ins) */
  readonly consoleSessions: ConsoleSessionStore;
  /** host_verdict_changes (each host's verdict history) */
  readonly hostVerdicts: HostVerdictLog;
  /** portal_probes (the portal prober's results with history) */
  readonly portals: PortalStore;
  /** The ingest transaction (reports, hosts, outbox, forward outbox), for tools that store reports directly. */
  readonly ingestCommit: IngestCommit;
  /** Run `fn` in one transaction: an action that changes several tables (e.g. decommission + revoke + audit). */
  atomically<T>(fn: () => T): T;
  /** Whether the database answers (for /healthz). */
  ping(): void;
  close(): void;
}

export interface OpenStoreOptions {
  /**
   * Apply the config's enrollment secrets and API tokens to the store (scrypt: tens of ms per
   * unit). `serve` and tests do; CLI commands skip it.
   */
  syncAuth?: boolean;
  log?: FastifyBaseLogger | null;
}

export function openStore(config: CollectorConfig, opts: OpenStoreOptions = {}): Stores {
  const db = openDb(config.dataDir);
  const agents = new AgentStore(db);
  const tokens = new TokenStore(db);
  if (opts.syncAuth ?? true) {
    const { ignoredConfigSecret } = agents.syncUnits(config.units);
    for (const unit of ignoredConfigSecret) {
      opts.log?.warn({ unit }, 'the enrollment secret of this unit was rotated with "posture units rotate-secret"; its enrollmentSecret in the config is ignored (remove it)');
    }
    tokens.syncConfig(config.auth.tokens);
  }
  const outbox = new Outbox(db, config.influx?.outboxMaxPoints);
  const hosts = new HostStore(db);
  const reports = new ReportStore(db);
  const forwardOutbox = new ForwardOutbox(db);
  const systems = new SystemStore(db);
  if (config.registryFile) systems.loadFile(config.registryFile);
  return {
    config,
    db,
    agents,
    hosts,
    hostInputs: new HostInputCache(db),
    reports,
    systems,
    outbox,
    forwardOutbox,
    tokens,
    audit: new AuditLog(db),
    relays: new RelayStore(db),
    alerts: new AlertStore(db),
    notifications: new NotificationStore(db),
    indicatorResults: new IndicatorResultStore(db),
    consoleSessions: new ConsoleSessionStore(db),
    hostVerdicts: new HostVerdictLog(db),
    portals: new PortalStore(db),
    ingestCommit: new IngestCommit(db, { reports, hosts, outbox, forwardOutbox, agents }, config.upstream?.unit ?? null),
    atomically: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    ping: () => void db.prepare('SELECT 1').get(),
    close: () => db.close(),
  };
}
