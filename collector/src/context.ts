/** What routes and background jobs share: the config, the stores and the engine. */
import type { CollectorConfig } from './config.js';
import type { AgentStore } from './store/agents.js';
import type { DB } from './store/db.js';
import type { HostStore } from './store/hosts.js';
import type { Outbox } from './store/outbox.js';
import type { SystemStore } from './store/systems.js';
import type { Engine } from './rules/engine.js';
import type { InfluxWriter } from './influx/writer.js';
import type { IngestBatcher } from './ingest/batcher.js';
import type { AuditLog } from './store/audit.js';
import type { TokenStore } from './store/tokens.js';
import type { RelayStore } from './store/relays.js';
import type { Forwarder } from './federation/forwarder.js';
import type { PortalStore } from './store/portals.js';
import type { PortalRunner } from './portals/scheduler.js';

export interface Collector {
  readonly config: CollectorConfig;
  readonly db: DB;
  readonly agents: AgentStore;
  readonly hosts: HostStore;
  readonly systems: SystemStore;
  readonly outbox: Outbox;
  /** Admin and viewer API tokens. */
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  /** Relay credentials of units' collectors (the ministry side of federation). */
  readonly relays: RelayStore;
  /** Present when upstream is configured (a unit's collector forwarding to the ministry's). */
  readonly forwarder: Forwarder | undefined;
  /** Group commit of accepted reports. */
  readonly ingest: IngestBatcher;
  readonly engine: Engine;
  /** Present when influx.url is configured. */
  readonly influx: InfluxWriter | undefined;
  /** Portal prober: results with history, and the runner (scheduled by server.ts when `portals` is configured). */
  readonly portals: PortalStore;
  readonly portalRunner: PortalRunner;
  /** Counters for /metrics. */
  readonly counters: { accepted: number; duplicate: number; rejected: Record<string, number>; enrolled: number; enrollRejected: Record<string, number> };
}
