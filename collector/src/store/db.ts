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
  // Issue 6: scrypt enrollment secrets with expiry, API tokens, audit log, outbox point counts,
  // richer registry records (kept whole as JSON), host decommissioning.
  `
  ALTER TABLE units ADD COLUMN secret_expires_at TEXT;
  ALTER TABLE units ADD COLUMN secret_set_at TEXT;
  ALTER TABLE units ADD COLUMN secret_source TEXT;      -- 'config' | 'cli'
  -- The skeleton's unsalted sha256 hashes are dropped; serve re-hashes the config's secrets.
  UPDATE units SET secret_hash = NULL;
  CREATE TABLE api_tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_hash TEXT NOT NULL UNIQUE,  -- sha256 hex of a 256-bit random token
    source TEXT NOT NULL,             -- 'config' | 'cli'
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,              -- 'cli:<user>' or 'token:<name>'
    action TEXT NOT NULL,             -- e.g. host.decommission, agent.revoke, unit.secret.rotate
    subject TEXT NOT NULL,
    detail TEXT NOT NULL              -- JSON
  );
  -- From here on outbox.points holds InfluxDB line protocol (one point per line); rows of
  -- JSON points written before are converted when sent.
  ALTER TABLE outbox ADD COLUMN n INTEGER NOT NULL DEFAULT 1;  -- points in the row
  ALTER TABLE systems ADD COLUMN record TEXT;                  -- the full registry record, JSON
  ALTER TABLE systems ADD COLUMN source TEXT NOT NULL DEFAULT 'file';  -- 'file' (registryFile) | 'api'
  CREATE INDEX reports_collected ON reports(collected_at);
  ALTER TABLE hosts ADD COLUMN decommission_reason TEXT;
  CREATE INDEX agents_unit ON agents(unit);
  `,
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
