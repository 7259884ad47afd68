/**
 * The embedded state store: one SQLite file in WAL mode. `synchronous = FULL` so that a report
 * acknowledged with a 2xx survives a crash or power loss, not only a process kill.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type DB = Database.Database;

const MIGRATIONS: string[] = [
  `
  CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(id),
    credential_hash TEXT NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    machine_id TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE reports (
    report_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE TABLE hosts (
    agent_id TEXT PRIMARY KEY REFERENCES agents(id),
    unit TEXT NOT NULL,
    hostname TEXT NOT NULL,
    role TEXT NOT NULL,
    systems TEXT NOT NULL,          -- JSON array of system ids
    protected INTEGER,              -- 1/0, NULL when the protection probe failed
    protection_reasons TEXT NOT NULL, -- JSON array
    ipv6_readiness TEXT,
    last_report_id TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    decommissioned_at TEXT,
    report TEXT NOT NULL            -- the latest full report, JSON
  );
  CREATE INDEX hosts_unit ON hosts(unit);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    points TEXT NOT NULL,           -- JSON array of IPoint
    created_at TEXT NOT NULL
  );
  CREATE TABLE outbox_rejected (
    id INTEGER PRIMARY KEY,
    points TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE TABLE systems (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_unit TEXT NOT NULL,
    level INTEGER,
    approval_number TEXT,
    approval_date TEXT,
    plan_deployed INTEGER NOT NULL DEFAULT 0,
    plan_date TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    legal_basis TEXT
  );
  CREATE TABLE indicator_results (
    evaluated_at TEXT NOT NULL,
    indicator TEXT NOT NULL,
    scope TEXT NOT NULL,            -- 'ministry' | 'unit:<id>' | 'system:<id>'
    pass INTEGER NOT NULL,
    total INTEGER NOT NULL,
    target REAL NOT NULL,
    PRIMARY KEY (indicator, scope, evaluated_at)
  );
  `,
  // The report --at looks up the last evaluation at or before a time across all indicators.
  `CREATE INDEX indicator_results_at ON indicator_results(evaluated_at);`,
];

export function openDb(dataDir: string): DB {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'posture.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
