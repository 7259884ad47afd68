/**
 * A read of the store as of one instant that may span many turns of the event loop: a second,
 * read-only connection holding one read transaction. A list of 10,000 rows read in one
 * statement holds the event loop (and every agent's report) for a tenth of a second and more;
 * read a chunk at a time with a yield between chunks, it must still be the list of ONE instant,
 * or a report committed between two chunks (by the commit thread, or on the main connection)
 * could move a host from after the next chunk's start to before it (listed twice) or the other
 * way (listed nowhere). In WAL mode writers go on meanwhile and never wait for the snapshot.
 *
 * Close it as soon as the list is read: while it is open the WAL cannot be started over, so it
 * grows by what is written meanwhile. Callers read their chunks without waiting for the HTTP
 * client (routes/json-stream.ts), so a slow or stalled client never keeps one open.
 */
import Database from 'better-sqlite3';
import type { DB } from './db.js';

export class StoreSnapshot {
  /** The snapshot's connection: read-only, every statement sees the same instant. */
  readonly db: DB;

  /** A snapshot of the store `of` is connected to (its file: an in-memory store has none to share). */
  constructor(of: DB) {
    this.db = new Database(of.name, { readonly: true, fileMustExist: true });
    try {
      // A reader waits only while another connection recovers or restarts the WAL (rare, short).
      this.db.pragma('busy_timeout = 5000');
      this.db.exec('BEGIN');
      // A deferred transaction takes its snapshot at its first read: now, not at the caller's first chunk.
      this.db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  get open(): boolean {
    return this.db.open;
  }

  /** End the read transaction and close the connection; a second call does nothing. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } finally {
      this.db.close();
    }
  }
}
