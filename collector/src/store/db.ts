/**
 * The embedded state store: one SQLite file in WAL mode. `synchronous = FULL` so that a report
 * acknowledged with a 2xx survives a crash or power loss, not only a process kill.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrateToInstants } from './migrate-instants.js';
import { MIGRATIONS } from './migrations.js';

export type DB = Database.Database;

/** The schema version a store has once every migration ran. */
export const SCHEMA_VERSION = MIGRATIONS.length;
/** The schema version of a store written before reports were keyed by agent and instant (migrate-instants.ts). */
export const BEFORE_INSTANTS = MIGRATIONS.indexOf(migrateToInstants);

/** Open (and migrate) the store; `upTo` stops at an older schema version (tests of migrations). */
export function openDb(dataDir: string, upTo = SCHEMA_VERSION): DB {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'posture.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Waits for the other connection's write lock (the commit thread's and the main thread's
  // connections both write). Only BEGIN IMMEDIATE waits: a deferred transaction that reads first
  // and writes later fails at once with SQLITE_BUSY if the other connection committed in between,
  // so every write transaction here is `.immediate()`.
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < upTo; v++) {
    db.transaction(() => {
      const step = MIGRATIONS[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
