/**
 * Tests read and seed tables directly, as witnesses independent of the store modules they
 * check (application code never does: collector/src/store/ owns every table).
 */
import type Database from 'better-sqlite3';

type DB = Database.Database;

/** Every row of a query. */
export const sqlAll = <T = Record<string, unknown>>(db: DB, sql: string, ...args: unknown[]): T[] => db.prepare(sql).all(...args) as T[];

/** The first row of a query (undefined: none). */
export const sqlGet = <T = Record<string, unknown>>(db: DB, sql: string, ...args: unknown[]): T | undefined => db.prepare(sql).get(...args) as T | undefined;

/** Run a statement; returns the rows it changed. */
export const sqlRun = (db: DB, sql: string, ...args: unknown[]): number => db.prepare(sql).run(...args).changes;
