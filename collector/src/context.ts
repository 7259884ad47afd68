/** What routes and background jobs share: the config, the stores and the engine. */
import type { CollectorConfig } from './config.js';
import type { AgentStore } from './store/agents.js';
import type { DB } from './store/db.js';
import type { HostStore } from './store/hosts.js';
import type { Outbox } from './store/outbox.js';
import type { SystemStore } from './store/systems.js';
import type { Engine } from './rules/engine.js';
import type { InfluxWriter } from './influx/writer.js';

export interface Collector {
  readonly config: CollectorConfig;
  readonly db: DB;
  readonly agents: AgentStore;
  readonly hosts: HostStore;
  readonly systems: SystemStore;
  readonly outbox: Outbox;
  readonly engine: Engine;
  /** Present when influx.url is configured. */
  readonly influx: InfluxWriter | undefined;
  /** Counters for /metrics. */
  readonly counters: { accepted: number; duplicate: number; rejected: Record<string, number> };
}
